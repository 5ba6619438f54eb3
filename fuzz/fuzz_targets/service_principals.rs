//! Fuzzes the service-principals.json loader, then the rest of the tool on what it loads.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::run("service-principals.json", data));
