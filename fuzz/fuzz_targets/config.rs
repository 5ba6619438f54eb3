//! Fuzzes lookout-doctor.toml: any text must parse into a policy or give an error
//! that names the file (with a line and column where there is one).
#![no_main]

use std::path::Path;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = lookout_doctor::config::Policy::parse(Path::new("lookout-doctor.toml"), text) {
        let shown = e.to_string();
        assert!(shown.starts_with("lookout-doctor.toml"), "{shown}");
    }
});
