//! Errors of the ingest crate. Each names what the user needs to fix or report; the caller adds
//! the file name (see [`crate::FileError`]).

use thiserror::Error;

/// Why a file (or archive member) could not be turned into activities.
#[derive(Debug, Error)]
pub enum DecodeError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("not a FIT, GPX or TCX file{hint} (first bytes: {first_bytes})")]
    UnknownFormat { hint: String, first_bytes: String },
    #[error("not a valid FIT file: {0}")]
    FitHeader(String),
    #[error("FIT decoding failed at byte {offset}: {message}")]
    Fit { offset: usize, message: String },
    #[error("malformed XML at byte {offset}: {message}")]
    Xml { offset: u64, message: String },
    #[error("not an activity: {0}")]
    NotAnActivity(String),
    #[error("no samples with a timestamp: {0}")]
    NoSamples(String),
    #[error("expands beyond the limit of {limit_bytes} bytes (a damaged file or a zip bomb)")]
    TooLarge { limit_bytes: u64 },
    #[error("broken gzip data: {0}")]
    Gzip(String),
    #[error("broken zip archive: {0}")]
    Zip(String),
    #[error("zip entry has an unsafe path {0:?} (absolute or with '..'); refused")]
    UnsafePath(String),
    #[error("archives nested deeper than {0} levels; refused")]
    TooDeep(usize),
    #[error("the decoder crashed on this file ({0}); the file was skipped")]
    Panicked(String),
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

impl DecodeError {
    /// A short stable code for reports and JSON output.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::UnknownFormat { .. } => "unknown_format",
            DecodeError::FitHeader(_) => "fit_header",
            DecodeError::Fit { .. } => "fit_decode",
            DecodeError::Xml { .. } => "xml",
            DecodeError::NotAnActivity(_) => "not_an_activity",
            DecodeError::NoSamples(_) => "no_samples",
            DecodeError::TooLarge { .. } => "too_large",
            DecodeError::Gzip(_) => "gzip",
            DecodeError::Zip(_) => "zip",
            DecodeError::UnsafePath(_) => "unsafe_path",
            DecodeError::TooDeep(_) => "too_deep",
            DecodeError::Panicked(_) => "decoder_panic",
            DecodeError::Io(_) => "io",
        }
    }
}

/// A [`DecodeError`] with the file (or `archive!/member`) it concerns.
#[derive(Debug, Error)]
#[error("{source_name}: {error}")]
pub struct FileError {
    pub source_name: String,
    #[source]
    pub error: DecodeError,
}
