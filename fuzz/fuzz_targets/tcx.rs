#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = hrdrift_ingest::xml::decode_tcx(data, "id", "fuzz.tcx");
});
