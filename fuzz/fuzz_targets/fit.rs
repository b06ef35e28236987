//! FIT bytes straight into the decoder, with the decoder's panic guard off so that a panic is a
//! finding (the importer would survive it, but it would cost the file).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = hrdrift_ingest::fit::decode(data, "id", "fuzz.fit");
});
