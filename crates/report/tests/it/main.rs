//! Integration tests of hrdrift-report: charts decoded and measured, the written report's files
//! and failure modes, escaping, and the page in a real (headless Chromium) browser.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// Counts and indices of test data (thousands of samples at most) turned into floats and back:
// the casts the workspace's lints question cannot lose anything here.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

mod browser;
mod charts;
mod pages;
mod synthetic;
mod write;

use std::path::PathBuf;

/// The cargo target directory this test binary runs from (`target/debug/deps/it-*`), so
/// artifacts land beside the build whatever `CARGO_TARGET_DIR` says.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

/// A decoded PNG: size and 8-bit RGB(A) pixels.
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub luma: Vec<f64>,
}

pub fn decode_png(bytes: &[u8]) -> Decoded {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let luma = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| {
            if channels >= 3 {
                0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
            } else {
                f64::from(p[0])
            }
        })
        .collect();
    Decoded {
        width: info.width,
        height: info.height,
        luma,
    }
}

impl Decoded {
    /// Variance of the luminance over all pixels (0 for a blank image).
    pub fn variance(&self) -> f64 {
        let n = self.luma.len() as f64;
        let mean = self.luma.iter().sum::<f64>() / n;
        self.luma.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n
    }

    /// Share of pixels that are not (near) white.
    pub fn inked(&self) -> f64 {
        self.luma.iter().filter(|l| **l < 235.0).count() as f64 / self.luma.len() as f64
    }
}
