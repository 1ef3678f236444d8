//! Each feature of the map files, serialised once: the national and regional
//! files are joined from these bytes, and a change of live figures
//! serialises again only the features of the meetups it touches and of their
//! places.

use std::sync::Arc;

use rayon::prelude::*;

use crate::chunked::Chunked;
use crate::pages::network::Network;

/// The serialised features of a network, shared between its patched copies.
#[derive(Clone, Default)]
pub struct FeatureCache {
    places: Chunked<Arc<[u8]>>,
    /// `None` for meetups that are not on the map: only those to come that
    /// still take place are.
    meetups: Chunked<Option<Arc<[u8]>>>,
}

impl FeatureCache {
    pub fn new(net: &Network) -> FeatureCache {
        let places = (0..net.data.places.len())
            .into_par_iter()
            .map(|p| Arc::from(super::place_feature(net, p)))
            .collect::<Vec<_>>()
            .into();
        let meetups = (0..net.data.meetups.len())
            .into_par_iter()
            .map(|m| {
                net.is_upcoming_held(m)
                    .then(|| Arc::from(super::meetup_feature(net, m)))
            })
            .collect::<Vec<_>>()
            .into();
        FeatureCache { places, meetups }
    }

    /// Serialises again the features of `meetups` and of their places.
    pub fn patch(&mut self, net: &Network, meetups: &[usize]) {
        for &m in meetups {
            self.meetups[m] = net
                .is_upcoming_held(m)
                .then(|| Arc::from(super::meetup_feature(net, m)));
            let p = net.meetup_place[m];
            self.places[p] = Arc::from(super::place_feature(net, p));
        }
    }

    pub fn place(&self, p: usize) -> &[u8] {
        &self.places[p]
    }

    /// The feature of meetup `m`, if it is on the map.
    pub fn meetup(&self, m: usize) -> Option<&[u8]> {
        self.meetups[m].as_deref()
    }
}

/// A FeatureCollection of serialised features.
pub(super) fn collection<'a>(features: impl Iterator<Item = &'a [u8]> + Clone) -> Vec<u8> {
    const HEAD: &[u8] = br#"{"type":"FeatureCollection","features":["#;
    let size: usize = features.clone().map(|f| f.len() + 1).sum();
    let mut out = Vec::with_capacity(HEAD.len() + size + 2);
    out.extend_from_slice(HEAD);
    for (i, feature) in features.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(feature);
    }
    out.extend_from_slice(b"]}");
    out
}
