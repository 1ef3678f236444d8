//! Maps and sets keyed by a site's output paths or job keys: tens of
//! thousands of them on a large site, looked up several times each by a
//! build. They hash with aHash, several times faster than std's SipHash on
//! such keys; SipHash's defence against chosen keys is not needed for the
//! site's own paths.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

pub type FastHash = BuildHasherDefault<ahash::AHasher>;

/// A map keyed by output path (or job key).
pub type PathMap<V> = HashMap<String, V, FastHash>;

/// A set of output paths.
pub type PathSet = HashSet<String, FastHash>;
