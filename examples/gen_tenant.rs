//! Writes a synthetic tenant snapshot of any size, for the benchmark and for trying
//! lookout-doctor at fleet scale:
//!
//!     cargo run --release --example gen_tenant -- USERS OUTDIR [SEED] [--realistic]
//!
//! Beside OUTDIR it writes OUTDIR.truth.json: how many findings each device rule must
//! report on it. The tenant is the one `../shared/bench/gen_tenant.py` writes for the
//! same arguments: `--realistic` shapes it as real exports are (GUIDs, long UPNs, every
//! field of the Graph and Lookout records), without it the ids are short.

#[path = "../tests/support/synth.rs"]
mod synth;

use std::path::PathBuf;

const USAGE: &str = "usage: gen_tenant USERS OUTDIR [SEED] [--realistic]";

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let shape = match args.iter().position(|a| a == "--realistic") {
        Some(at) => {
            args.remove(at);
            synth::Shape::Realistic
        }
        None => synth::Shape::Short,
    };
    let seed = args.get(2).map_or(Ok(7), |s| s.parse::<u64>());
    let (Some(users), Some(out), Ok(seed), true) = (
        args.first().and_then(|u| u.parse::<usize>().ok()),
        args.get(1),
        seed,
        args.len() <= 3,
    ) else {
        eprintln!("{USAGE}");
        return std::process::ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    match synth::generate(users.max(1), &out, seed, shape) {
        Ok(truth) => {
            let name = out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let truth_path = out.with_file_name(format!("{name}.truth.json"));
            if let Err(e) = std::fs::write(&truth_path, serde_json::to_string(&truth).unwrap()) {
                eprintln!("error: {}: {e}", truth_path.display());
                return std::process::ExitCode::from(2);
            }
            println!("{}", serde_json::to_string(&truth).unwrap());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", out.display());
            std::process::ExitCode::from(2)
        }
    }
}
