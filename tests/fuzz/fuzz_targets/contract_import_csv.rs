#![no_main]
// The checks are tenants::fuzzing::contract_import_csv, shared with the corpus replay test; whether the input
// was accepted only matters to that test.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tenants::fuzzing::contract_import_csv(data);
});
