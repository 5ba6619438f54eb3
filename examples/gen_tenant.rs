//! Writes a synthetic tenant snapshot of any size, for the benchmark and for trying
//! lookout-doctor at fleet scale:
//!
//!     cargo run --release --example gen_tenant -- USERS OUTDIR [SEED]
//!
//! Beside OUTDIR it writes OUTDIR.truth.json: how many findings each device rule must
//! report on it.

#[path = "../tests/support/synth.rs"]
mod synth;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(users), Some(out)) = (
        args.first().and_then(|u| u.parse::<usize>().ok()),
        args.get(1),
    ) else {
        eprintln!("usage: gen_tenant USERS OUTDIR [SEED]");
        return std::process::ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(7);
    let out = PathBuf::from(out);
    match synth::generate(users.max(1), &out, seed) {
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
