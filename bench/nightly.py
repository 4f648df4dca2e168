"""Benchmark the whole nightly job: per-step timings and peak memory of `planner run`.

For each size a synthetic extract is generated (kept in ``--work`` for reruns),
then `planner run` runs in a fresh process with a fresh warehouse. Timings are
the run manifest's ``step_seconds``; peak memory is the largest resident set
of the run and of any process it started (dbt runs as a subprocess).

    .venv/bin/python bench/nightly.py [--sizes 10000 100000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_SIZES = (10_000, 100_000)
AS_OF = "2026-11-23"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("/tmp/planner-bench-nightly"))
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    for skus in args.sizes:
        extract = args.work / str(skus) / "extract"
        if not (extract / "manifest.json").exists():
            generate = [str(bin_dir / "planner"), "generate", "--skus", str(skus)]
            generate += ["--seed", str(args.seed), "--as-of", AS_OF, "--out", str(extract)]
            subprocess.run(generate, check=True, capture_output=True)
        runs = [
            _run_once(bin_dir, extract, args.work / str(skus) / "run") for _ in range(args.repeat)
        ]
        steps = {
            name: statistics.median(r["steps"][name] for r in runs) for name in runs[0]["steps"]
        }
        print(f"{skus:,} SKUs, median of {len(runs)} run(s):")
        for name, seconds in steps.items():
            print(f"  {name:<32} {seconds:>7.1f} s")
        wall = statistics.median(r["wall"] for r in runs)
        peak = max(r["peak_mib"] for r in runs)
        print(f"  {'wall clock':<32} {wall:>7.1f} s   peak {peak:,.0f} MiB", flush=True)


def _run_once(bin_dir: Path, extract: Path, folder: Path) -> dict:
    """One `planner run` into a fresh warehouse and plans folder (removed afterwards)."""
    shutil.rmtree(folder, ignore_errors=True)
    command = [
        str(bin_dir / "planner"), "run", "--extract", str(extract), "--as-of", AS_OF,
        "--out", str(folder / "plans"), "--warehouse", str(folder / "planner.duckdb"),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    manifest = json.loads((folder / "plans" / "latest" / "manifest.json").read_text())
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, largest descendant
    shutil.rmtree(folder, ignore_errors=True)
    return {"steps": manifest["step_seconds"], "wall": wall, "peak_mib": peak_kib / 1024}


if __name__ == "__main__":
    main()
