#!/usr/bin/env python3
"""How big the HTML report is and how fast headless Chromium loads it (issue 16).

Usage: python3 bench/html_load.py [--sizes 20000 100000] [--runs 3] [--chromium PATH]

For each size it generates a realistic tenant (cargo run --release --example gen_tenant
USERS DIR 7 --realistic), writes `diagnose --format html` and `--format json` judged at
the tenant's export time (--as-of 2026-11-20T12:00:00Z), and opens the page --runs times
each in a fresh headless Chromium profile (--dump-dom), unfiltered and with a search and
a sort in its address (#q=iphone&sort=user, the slowest path: every row's text is
searched and the matches sorted). It reports medians of:
  - ready: milliseconds from the start of navigation to the first page of rows on
    screen, as the page's own script measures it (performance.now() when it has parsed
    the data and rendered the table; set on the live page as data-ready-ms);
  - process: seconds of the whole Chromium run (start, load, dump, exit), beside the
    same for an empty page, so the difference is what the report costs;
and checks that the counts per rule the page's script computed equal the JSON report's.
Times on a shared machine are noisy: run it on a quiet one."""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time
from collections import Counter

AS_OF = "2026-11-20T12:00:00Z"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--dump-dom",
]


def chromium_run(chromium, url):
    with tempfile.TemporaryDirectory() as profile:
        start = time.monotonic()
        out = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", url],
                             capture_output=True, text=True, check=True)
        return out.stdout, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["cargo", "build", "--release", "--example", "gen_tenant"], cwd=root, check=True)
    subprocess.run(["cargo", "build", "--release"], cwd=root, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    tool = os.path.join(target, "release", "lookout-doctor")
    gen = os.path.join(target, "release", "examples", "gen_tenant")
    work = tempfile.mkdtemp(prefix="html-load-")
    empty = os.path.join(work, "empty.html")
    with open(empty, "w") as f:
        f.write("<!DOCTYPE html><title>empty</title>")
    baseline = statistics.median(chromium_run(args.chromium, "file://" + empty)[1]
                                 for _ in range(args.runs))
    print(f"empty page: Chromium process {baseline:.2f} s (median of {args.runs})")
    for users in args.sizes:
        tenant = os.path.join(work, f"t{users}")
        subprocess.run([gen, str(users), tenant, "7", "--realistic"], check=True,
                       capture_output=True)
        page = os.path.join(work, f"r{users}.html")
        common = ["diagnose", tenant, "--as-of", AS_OF, "--fail-on", "never"]
        subprocess.run([tool, *common, "--format", "html", "--output", page], check=True)
        report = json.loads(subprocess.run([tool, *common, "--format", "json"], check=True,
                                           capture_output=True).stdout)
        expected = Counter(f["rule"] for f in report["findings"])
        size = os.path.getsize(page)
        for view in ["", "#q=iphone&sort=user"]:
            ready, process = [], []
            for _ in range(args.runs):
                dom, took = chromium_run(args.chromium, "file://" + page + view)
                ready.append(int(re.search(r'data-ready-ms="(\d+)"', dom).group(1)))
                process.append(took)
                rules = dom[dom.index('data-filter="rule"'):]
                rules = rules[:rules.index("</select>")]
                counts = {m[0]: int(m[1]) for m in re.findall(
                    r'<option value="([a-z-]+)" data-label="[a-z-]+" data-count="(\d+)"', rules)}
                assert counts == dict(expected), (counts, expected)
            print(f"{users} users: {size:,} bytes, {len(report['findings']):,} findings, "
                  f"view '{view or '(all)'}': ready {statistics.median(ready)} ms "
                  f"(runs {ready}), Chromium process {statistics.median(process):.2f} s")
    shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
