//! Helpers shared by the function's integration tests.

#![allow(dead_code)]

pub(crate) mod conformance;
