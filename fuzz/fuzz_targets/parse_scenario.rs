//! The scenario parser on arbitrary text: it must parse or return problems, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(p) = onehour::scenario::parse_scenario(text, "fuzz.toml") {
            assert!(!p.is_empty());
        }
    }
});
