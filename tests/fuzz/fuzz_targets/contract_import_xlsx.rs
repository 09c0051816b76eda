#![no_main]
// The checks are tenants::fuzzing::contract_import_xlsx, shared with the corpus replay test;
// whether the input was accepted only matters to that test.
libfuzzer_sys::fuzz_target!(
    init: {
        // `xlsx_records` turns a panic of its workbook reader into an error (catch_unwind);
        // libfuzzer-sys's hook would abort before that, so this one only prints the message
        // (no backtrace: it costs 200 ms). A panic that escapes the target still aborts the
        // run: libfuzzer-sys aborts when one unwinds out of it.
        std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    },
    |data: &[u8]| {
        tenants::fuzzing::contract_import_xlsx(data);
    }
);
