#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = hrdrift_ingest::xml::decode_gpx(data, "id", "fuzz.gpx");
});
