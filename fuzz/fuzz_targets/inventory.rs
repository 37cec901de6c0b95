//! The tenant inventory reader on arbitrary bytes (read as UTF-8 with replacement, as a file
//! saved by any spreadsheet might be): rows or errors naming the file and line, never a panic.

#![no_main]

use std::sync::Arc;

use cutover::scenario::parse_inventory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let regions = ["NA".to_string(), "EMEA".to_string(), "APAC".to_string()];
    let file: Arc<str> = Arc::from("fuzz.csv");
    match parse_inventory(&text, &file, &regions) {
        Ok(rows) => assert!(!rows.is_empty() && rows.iter().all(|r| r.seats >= 1)),
        Err(diagnostics) => assert!(!diagnostics.is_empty()),
    }
});
