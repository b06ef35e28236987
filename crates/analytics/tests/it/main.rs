//! Integration tests of hrdrift-analytics: closed-form answers on constructed series, and
//! properties ("never panics, never NaN") on arbitrary ones.

#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation
)]

mod batch;
mod cleaning;
mod closed_form;
mod fixtures;
mod history;
mod output;
mod population;
mod props;
mod reanchor;
mod reference;
mod tracks;
