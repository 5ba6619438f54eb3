//! Fuzzes the groups loaders: groups.json, groups.csv and an Entra "Download members"
//! file (the first byte picks which), then the rest of the tool on what they load.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = match pick % 3 {
        0 => "groups.json",
        1 => "groups.csv",
        _ => "group-members/Lookout Pilot.csv",
    };
    common::run(name, rest);
});
