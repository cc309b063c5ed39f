//! Errors a run can end with, each mapped to one exit code.

use std::io;

/// Exit codes, as documented in the README.
pub mod exit {
    /// The gate passed, or no gate was given.
    pub const OK: u8 = 0;
    /// A gate (`--fail-under`, `--min-level`, `--fail-on`) failed.
    pub const GATE_FAILED: u8 = 1;
    /// Bad usage, configuration, snapshot or other input.
    pub const BAD_INPUT: u8 = 2;
    /// Nothing could be collected: no credentials, no reachable account.
    pub const NOTHING_COLLECTED: u8 = 3;
    /// The run needed more memory than it may use (see `RINGFENCE_MEMORY_LIMIT`).
    pub const OUT_OF_MEMORY: u8 = 4;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// A file the user gave is wrong. `origin` is `path` or `path:line:column`.
    #[error("{origin}: {message}")]
    Input { origin: String, message: String },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    /// There is nothing to evaluate.
    #[error("{0}")]
    NothingCollected(String),
    /// More than one thing went wrong (every report that could not be written), in order.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nringfence: "))]
    Several(Vec<Error>),
}

impl Error {
    pub fn input(origin: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            origin: origin.into(),
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::Input { .. } | Error::Io { .. } => exit::BAD_INPUT,
            Error::NothingCollected(_) => exit::NOTHING_COLLECTED,
            Error::Several(errors) => errors
                .iter()
                .map(Error::exit_code)
                .max()
                .unwrap_or(exit::BAD_INPUT),
        }
    }

    /// Whether this is standard output's reader having gone (`| head`): the one write
    /// failure that ends a report without failing the run.
    pub fn is_closed_stdout(&self) -> bool {
        matches!(self, Error::Io { path, source }
            if path == crate::output::STDOUT && source.kind() == io::ErrorKind::BrokenPipe)
    }
}
