//! Errors of the store.

use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong opening or writing a store. Each variant names the path concerned.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: another hrdrift process is writing to this store (it holds the store lock); \
         wait for it to finish or pass --wait"
    )]
    Locked { path: PathBuf },
    #[error("{path}: the store manifest is unreadable: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error(
        "{path}: the store has schema version {found}, this hrdrift reads version {supported}; \
         {advice}"
    )]
    Version {
        path: PathBuf,
        found: u32,
        supported: u32,
        advice: String,
    },
    #[error("{path}: Parquet: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("{path}: the store is damaged: {message}")]
    Damaged { path: PathBuf, message: String },
    #[error("{path}: the store was opened for reading only")]
    ReadOnly { path: PathBuf },
    #[error("no activity matches {0:?}")]
    NotFound(String),
    /// A prefix shared by several activities (the legs of one multisport file share their
    /// first characters only by chance, but a short prefix of a large store often matches many).
    #[error("{prefix:?} matches {} activities: {}{}; give more of the id", total, ids.join(", "), if *total > ids.len() { ", ..." } else { "" })]
    Ambiguous {
        prefix: String,
        /// The first matches (at most ten), in the store's order.
        ids: Vec<String>,
        total: usize,
    },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    pub(crate) fn parquet(
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(polars_core::error::PolarsError) -> StoreError {
        let path = path.into();
        move |e| StoreError::Parquet {
            path,
            message: e.to_string(),
        }
    }
}
