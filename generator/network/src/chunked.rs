//! A vector shared by chunks: a copy shares every chunk, and a change
//! copies only the chunk it falls in. A network patched for one meetup (a
//! registration, an edit in `serve`) is a copy of the last one; its
//! per-meetup values (20,800 on the national site: summaries, facts, map
//! features, calendar events) would each be copied whole otherwise.

use std::ops::{Index, IndexMut};
use std::sync::Arc;

/// Entries per chunk: a change copies this many.
const CHUNK: usize = 256;

#[derive(Debug, Clone, Default)]
pub struct Chunked<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Chunked<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }
}

impl<T> From<Vec<T>> for Chunked<T> {
    fn from(all: Vec<T>) -> Self {
        all.into_iter().collect()
    }
}

impl<T> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut chunks: Vec<Arc<Vec<T>>> = Vec::new();
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut len = 0;
        for item in items {
            chunk.push(item);
            len += 1;
            if chunk.len() == CHUNK {
                chunks.push(Arc::new(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(CHUNK),
                )));
            }
        }
        if !chunk.is_empty() {
            chunks.push(Arc::new(chunk));
        }
        Chunked { chunks, len }
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        assert!(i < self.len, "index {i} out of {} entries", self.len);
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

/// Copies the entry's chunk first when another copy shares it.
impl<T: Clone> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        assert!(i < self.len, "index {i} out of {} entries", self.len);
        &mut Arc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_to_a_copy_leaves_the_original_and_shares_the_other_chunks() {
        let original: Chunked<usize> = (0..1000).collect();
        assert_eq!(original.len(), 1000);
        assert_eq!(original[999], 999);
        let mut copy = original.clone();
        copy[300] = 7;
        assert_eq!(copy[300], 7);
        assert_eq!(original[300], 300);
        assert_eq!(
            copy.iter().copied().sum::<usize>(),
            (0..1000).sum::<usize>() - 300 + 7
        );
        let shared = (0..original.chunks.len())
            .filter(|&c| Arc::ptr_eq(&original.chunks[c], &copy.chunks[c]))
            .count();
        assert_eq!(
            shared,
            original.chunks.len() - 1,
            "only the changed chunk is copied"
        );
    }

    #[test]
    #[should_panic(expected = "out of 3 entries")]
    fn an_index_past_the_end_panics_even_inside_the_last_chunk() {
        let short: Chunked<u8> = vec![1, 2, 3].into();
        let _ = short[3];
    }
}
