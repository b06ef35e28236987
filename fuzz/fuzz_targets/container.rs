//! gzip and zip expansion (with a small bound, so bombs are cheap to find), then decoding of
//! whatever comes out.
#![no_main]
use hrdrift_ingest::source::{Found, Limits, expand_bytes};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_entry_bytes: 1 << 20, max_depth: 3, batch_bytes: 1 << 20 };
    expand_bytes("fuzz.zip".to_owned(), data.to_vec(), 1, &limits, &|f| {
        if let Found::Input(i) = f {
            let _ = hrdrift_ingest::decode_bytes(&i.bytes, &i.name);
        }
    });
});
