#!/usr/bin/env python3
"""Benchmark lookout-doctor against the reference peer (naive_peer.py).

Usage: python3 bench/bench.py [--sizes 100000 1000000] [--runs 5] [--peer PATH]

For each size it generates a tenant (cargo run --release --example gen_tenant, cached
under bench-data/), then runs, alternating and --runs times each: the peer, `diagnose
--format json` and `validate`. It prints medians, the ratios the performance targets
are stated in, peak memory against the snapshot's size on disk, and whether the
counts per rule equal the generator's truth file (for both tools).
Times on shared machines are noisy: read the ratios, which come from the same run."""
import argparse, json, os, statistics, subprocess, sys, time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "lookout-doctor")
DATA = os.path.join(ROOT, "bench-data")


def measure(cmd, stdout=subprocess.DEVNULL):
    """Wall time and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    out = p.stdout.read() if stdout == subprocess.PIPE else None
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {code}: {err.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024, out


def dir_size_mib(path):
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) / 2**20


def ensure_tenant(users):
    out = os.path.join(DATA, f"t{users}")
    truth = out + ".truth.json"
    if not os.path.exists(truth):
        os.makedirs(DATA, exist_ok=True)
        subprocess.run(["cargo", "run", "--quiet", "--release", "--example", "gen_tenant", "--",
                        str(users), out], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(truth) as fh:
        return out, json.load(fh)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench", "naive_peer.py"))
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release"], cwd=ROOT, check=True)

    rows = []
    for users in args.sizes:
        snap, truth = ensure_tenant(users)
        cmds = {
            "peer": [sys.executable, args.peer, snap],
            "diagnose": [BIN, "diagnose", snap, "--format", "json"],
            "validate": [BIN, "validate", snap],
        }
        times = {k: [] for k in cmds}
        peak = {k: 0.0 for k in cmds}
        counts = {}
        for i in range(args.runs):
            order = list(cmds)
            order = order[i % 3:] + order[:i % 3]  # alternate who goes first
            for name in order:
                want_out = subprocess.PIPE if i == 0 and name != "validate" else subprocess.DEVNULL
                t, rss, out = measure(cmds[name], want_out)
                times[name].append(t)
                peak[name] = max(peak[name], rss)
                if out is not None:
                    if name == "peer":
                        counts["peer"] = json.loads(out)
                    else:
                        c = Counter(f["rule"] for f in json.loads(out)["findings"])
                        counts["diagnose"] = {rule: c.get(rule, 0) for rule in truth}
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append({
            "users": users, "snapshot_mib": dir_size_mib(snap), "median_s": med, "peak_mib": peak,
            "speedup": med["peer"] / med["diagnose"], "diagnose_over_validate": med["diagnose"] / med["validate"],
            "counts_ok": counts.get("diagnose") == truth and counts.get("peer") == truth,
        })

    print(f"machine: {os.cpu_count()} cores; {args.runs} alternating runs per tool; medians")
    print(f"{'users':>9} {'snapshot':>9} {'peer':>8} {'diagnose':>9} {'validate':>9} {'speedup':>8} "
          f"{'diag/valid':>10} {'peak RSS':>9} {'RSS/snap':>8} {'counts':>7}")
    for r in rows:
        m = r["median_s"]
        print(f"{r['users']:>9} {r['snapshot_mib']:>7.0f}MB {m['peer']:>7.2f}s {m['diagnose']:>8.3f}s "
              f"{m['validate']:>8.3f}s {r['speedup']:>7.1f}x {r['diagnose_over_validate']:>10.2f} "
              f"{r['peak_mib']['diagnose']:>7.0f}MB {r['peak_mib']['diagnose'] / r['snapshot_mib']:>8.2f} "
              f"{'equal' if r['counts_ok'] else 'DIFFER':>7}")
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        print(f"growth: {b['users'] // a['users']}x users -> {b['median_s']['diagnose'] / a['median_s']['diagnose']:.1f}x time")
    if not all(r["counts_ok"] for r in rows):
        sys.exit("counts per rule differ from the truth file")


if __name__ == "__main__":
    main()
