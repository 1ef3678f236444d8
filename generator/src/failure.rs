//! What a command fails with: problems in the site's files (the engine's
//! [`Diagnostics`], each with its file, line and field), or the failure of
//! something that has no file to name: the server, the store, the watcher.

use std::fmt;

use crate::error::{Diagnostic, Diagnostics};

#[derive(Debug)]
pub enum Failure {
    /// Problems in the site's files.
    Site(Diagnostics),
    /// `what` (`serve`, `the store sqlite:…`) failed; `message` says how.
    Other { what: String, message: String },
}

impl Failure {
    pub fn other(what: impl Into<String>, message: impl fmt::Display) -> Failure {
        Failure::Other {
            what: what.into(),
            message: message.to_string(),
        }
    }
}

impl From<Diagnostics> for Failure {
    fn from(errors: Diagnostics) -> Failure {
        Failure::Site(errors)
    }
}

impl From<Diagnostic> for Failure {
    fn from(error: Diagnostic) -> Failure {
        Failure::Site(error.into())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Site(errors) => write!(f, "{errors}"),
            Failure::Other { what, message } => write!(f, "error: {what}: {message}"),
        }
    }
}

impl std::error::Error for Failure {}

/// A command's result.
pub(crate) type Outcome<T> = Result<T, Failure>;
