#!/usr/bin/env python3
"""Benchmark lookout-doctor against the reference peer (naive_peer.py) and against
reading the snapshot's bytes once (`cat`, the floor).

Usage: python3 bench/bench.py [--sizes 100000 1000000] [--runs 5]
                              [--shape short|realistic|both] [--peer PATH] [--reference PATH]

First it checks that the generator (cargo run --release --example gen_tenant) writes the
same tenant and truth as the reference generator (gen_tenant.py) at 2,000 users in each
shape asked for, and refuses to run if not. Then for each shape and size it generates a
tenant (cached under bench-data/SHAPE/) and runs, alternating and --runs times each: the
peer, `diagnose --format json`, `validate`, and `cat` of the snapshot's files to
/dev/null. It prints medians, the ratios the performance targets are stated in (speed-up
over the peer, time over cat's, diagnose over validate), peak memory against the
snapshot's size on disk, growth between sizes, and whether the counts per rule equal the
generator's truth file (for both tools).
Times on shared machines are noisy: read the ratios, which come from the same run."""
import argparse, hashlib, json, os, shutil, statistics, subprocess, sys, tempfile, time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "lookout-doctor")
GEN = os.path.join(TARGET, "release", "examples", "gen_tenant")
GEN_SOURCES = [os.path.join(ROOT, "examples", "gen_tenant.rs"), os.path.join(ROOT, "tests", "support", "synth.rs")]
DATA = os.path.join(ROOT, "bench-data")
SHARED = os.path.join(ROOT, "..", "shared", "bench")
SNAPSHOT_FILES = ["snapshot.json", "lookout.json", "groups.json", "intune-devices.json", "lookout-devices.json"]
CHECK_USERS = 2000
TOOLS = ["peer", "diagnose", "validate", "cat"]


def measure(cmd, stdout=subprocess.DEVNULL):
    """Wall time and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {code}: {err.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024


def in_child(fn, *args):
    """fn(*args) in a process of its own. Linux starts a child's peak RSS at its parent's
    high-water mark, so parsing large JSON here would inflate every peak measured after."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def dir_size_mib(path):
    return sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) / 2**20


def load(path):
    with open(path) as fh:
        return json.load(fh)


def generate(generator, users, out, shape):
    flag = ["--realistic"] if shape == "realistic" else []
    subprocess.run([*generator, str(users), out, *flag], check=True, stdout=subprocess.DEVNULL)


def first_different_file(ours, theirs):
    """The first of the truth and the snapshot's files whose JSON differs, or None."""
    for name in ["truth", *SNAPSHOT_FILES]:
        a, b = (p + ".truth.json" if name == "truth" else os.path.join(p, name) for p in (ours, theirs))
        if load(a) != load(b):
            return name
    return None


def check_generator(shapes, reference):
    """Refuse to measure a tenant other than the reference's: both generators write a
    small one, and the truth and every file must parse to the same JSON."""
    if not os.path.isfile(reference):
        sys.exit(f"reference generator not found: {reference} (--reference)")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes:
            ours, theirs = os.path.join(tmp, f"ours-{shape}"), os.path.join(tmp, f"theirs-{shape}")
            generate([GEN], CHECK_USERS, ours, shape)
            generate([sys.executable, reference], CHECK_USERS, theirs, shape)
            differing = in_child(first_different_file, ours, theirs)
            if differing:
                sys.exit(f"gen_tenant ({shape}, {CHECK_USERS} users) differs from {reference}: "
                         f"{differing} is not the same; not measuring another tenant")


def generator_digest():
    digest = hashlib.sha256()
    for path in GEN_SOURCES:
        with open(path, "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()


def ensure_tenant(shape, users):
    """The cached tenant, made again when the generator's source has changed since."""
    out = os.path.join(DATA, shape, f"t{users}")
    truth, stamp = out + ".truth.json", out + ".generator"
    digest = generator_digest()
    made_by = None
    if os.path.exists(truth) and os.path.exists(stamp):
        with open(stamp) as fh:
            made_by = fh.read()
    if made_by != digest:
        for stale in (truth, stamp):
            if os.path.exists(stale):
                os.remove(stale)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        generate([GEN], users, out, shape)
        with open(stamp, "w") as fh:
            fh.write(digest)
    return out, load(truth)


def counts_per_rule(outputs, rules):
    """Each tool's counts per rule, from what it printed: the peer prints them, the
    report lists findings."""
    findings = Counter(f["rule"] for f in load(outputs["diagnose"])["findings"])
    return {"peer": load(outputs["peer"]), "diagnose": {rule: findings.get(rule, 0) for rule in rules}}


def run(shape, users, runs, peer):
    snap, truth = ensure_tenant(shape, users)
    cmds = {
        "peer": [sys.executable, peer, snap],
        "diagnose": [BIN, "diagnose", snap, "--format", "json"],
        "validate": [BIN, "validate", snap],
        "cat": ["cat", *(os.path.join(snap, f) for f in sorted(os.listdir(snap)))],
    }
    times = {k: [] for k in TOOLS}
    peak = {k: 0.0 for k in TOOLS}
    with tempfile.TemporaryDirectory() as tmp:
        # The first run of each tool that reports counts keeps what it printed.
        outputs = {name: os.path.join(tmp, name + ".json") for name in ("peer", "diagnose")}
        for i in range(runs):
            order = TOOLS[i % len(TOOLS):] + TOOLS[:i % len(TOOLS)]  # alternate who goes first
            for name in order:
                with open(outputs[name] if i == 0 and name in outputs else os.devnull, "wb") as out:
                    t, rss = measure(cmds[name], out)
                times[name].append(t)
                peak[name] = max(peak[name], rss)
        counts = in_child(counts_per_rule, outputs, list(truth))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "shape": shape, "users": users, "snapshot_mib": dir_size_mib(snap), "median_s": med,
        "peak_mib": peak["diagnose"], "differ": [tool for tool in ("peer", "diagnose") if counts[tool] != truth],
    }


def report(rows, runs):
    print(f"machine: {os.cpu_count()} cores; {runs} alternating runs per tool; medians")
    for shape in dict.fromkeys(r["shape"] for r in rows):
        group = [r for r in rows if r["shape"] == shape]
        print(f"\n{shape}")
        print(f"{'users':>9} {'snapshot':>9} {'peer':>8} {'diagnose':>9} {'validate':>9} {'cat':>8} "
              f"{'speed-up':>8} {'x cat':>6} {'diag/valid':>10} {'peak RSS':>9} {'RSS/snap':>8}  counts")
        for r in group:
            m = r["median_s"]
            counts = "equal" if not r["differ"] else "DIFFER: " + ", ".join(r["differ"])
            print(f"{r['users']:>9} {r['snapshot_mib']:>7.0f}MB {m['peer']:>7.2f}s {m['diagnose']:>8.3f}s "
                  f"{m['validate']:>8.3f}s {m['cat']:>7.3f}s {m['peer'] / m['diagnose']:>7.1f}x "
                  f"{m['diagnose'] / m['cat']:>5.1f}x {m['diagnose'] / m['validate']:>10.2f} "
                  f"{r['peak_mib']:>7.0f}MB {r['peak_mib'] / r['snapshot_mib']:>8.2f}  {counts}")
        for a, b in zip(group, group[1:]):
            print(f"growth {a['users']} -> {b['users']} users ({b['users'] / a['users']:g}x): "
                  f"{b['median_s']['diagnose'] / a['median_s']['diagnose']:.1f}x the time, "
                  f"{b['peak_mib'] / a['peak_mib']:.1f}x the peak RSS")
    print("\nspeed-up: peer / diagnose; x cat: diagnose / cat of the snapshot's files to /dev/null; "
          "diag/valid: diagnose / validate;\npeak RSS: diagnose's; RSS/snap: that peak / the snapshot's size on disk; "
          "counts: both tools' counts per rule against the truth file")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shape", choices=["short", "realistic", "both"], default="both")
    ap.add_argument("--peer", default=os.path.join(SHARED, "naive_peer.py"))
    ap.add_argument("--reference", default=os.path.join(SHARED, "gen_tenant.py"),
                    help="the reference generator the tenant must equal")
    args = ap.parse_args()
    shapes = ["short", "realistic"] if args.shape == "both" else [args.shape]
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "lookout-doctor", "--bin", "lookout-doctor",
                    "--example", "gen_tenant"], cwd=ROOT, check=True)
    check_generator(shapes, args.reference)

    rows = [run(shape, users, args.runs, args.peer) for shape in shapes for users in args.sizes]
    report(rows, args.runs)
    if any(r["differ"] for r in rows):
        sys.exit("counts per rule differ from the truth file")


if __name__ == "__main__":
    main()
