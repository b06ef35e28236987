//! hrdrift's metrics cache: the athlete's config file in the store ([`config`]) and the
//! per-activity metrics kept beside the activities ([`Derived`]): computed once per activity
//! and settings, re-anchored from a summary when only the HR anchors moved, read back from the
//! samples only when the cleaning changed. The binary calls [`for_reading`] before a read
//! command, [`deriver`] and [`store_after_import`] around an import, and [`update`] after a
//! settings change.

pub mod config;
mod derive;

pub use derive::{
    Derived, deriver, for_reading, for_reading_with_store, mornings, store_after_import, update,
};
