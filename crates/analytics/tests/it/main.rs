//! Integration tests of hrdrift-analytics: closed-form answers on constructed series, and
//! properties ("never panics, never NaN") on arbitrary ones.

#![allow(clippy::unwrap_used)]
// Counts and indices of test data (thousands of samples at most) turned into floats and back:
// the casts the workspace's lints question cannot lose anything here.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

mod batch;
mod cleaning;
mod closed_form;
mod fixtures;
mod history;
mod hrv;
mod hrv_reference;
mod output;
mod population;
mod power;
mod power_reference;
mod props;
mod reanchor;
mod reference;
mod tracks;
mod wellness;
