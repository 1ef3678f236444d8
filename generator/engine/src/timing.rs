//! Where the time goes: with `MAILLAGE_TIMING` set, each step of a build or
//! of a change prints the time since its start to the standard error.

use std::time::Instant;

/// The steps of one piece of work, timed from its start.
pub struct Laps {
    start: Instant,
    /// Printed before each step (an indentation, a part's name).
    prefix: &'static str,
    on: bool,
}

impl Laps {
    /// Starts timing; `prefix` comes before each step's line.
    pub fn start(prefix: &'static str) -> Laps {
        Laps {
            start: Instant::now(),
            prefix,
            on: std::env::var_os("MAILLAGE_TIMING").is_some(),
        }
    }

    /// Prints `what` was done, with the time since the start.
    pub fn lap(&self, what: &str) {
        if self.on {
            eprintln!(
                "{}{what}: {} ms",
                self.prefix,
                self.start.elapsed().as_millis()
            );
        }
    }
}
