"""Benchmark extract validation: its own time, the reading before it and the imports.

Every run is a fresh Python process that imports the validation module (timed
on its own), reads the extract, then times ``validate_extract`` alone; the
figures printed are medians of ``--runs`` runs. ``--code DIR`` runs the
``planning`` package of another checkout (a ``git worktree`` of an earlier
commit, say) with this virtualenv, to compare before and after on one machine.
The 100k-SKU extract is generated once into ``--work``.

    .venv/bin/python bench/validate.py [--code DIR] [--skus 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
AS_OF = "2026-11-23"
QUIET = {"GX_ANALYTICS_ENABLED": "false", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose planning/ to run")
    parser.add_argument("--skus", type=int, nargs="*", default=[100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("/tmp/planner-bench-validate"))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # one run, this extract
    args = parser.parse_args()
    if args.child:
        _run_once(args.code, args.child)
        return
    extracts = {"sample": SAMPLE} | {
        f"{skus:,} SKUs": _generated(skus, args.seed, args.work) for skus in args.skus
    }
    print(f"code: {args.code.resolve()}, medians of {args.runs} runs, each in a fresh process")
    print(f"{'extract':>12} {'import s':>9} {'read s':>7} {'validate s':>11} {'quarantined':>12}")
    for label, extract in extracts.items():
        runs = [_measure(args.code, extract) for _ in range(args.runs)]
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"{label:>12} {median['import']:>9.2f} {median['read']:>7.2f} "
            f"{median['validate']:>11.2f} {median['quarantined']:>12,.0f}",
            flush=True,
        )
    print(f"modules loaded by the run: {', '.join(runs[-1]['heavy_modules']) or 'none heavy'}")


def _generated(skus: int, seed: int, work: Path) -> Path:
    extract = work / f"{skus}-{seed}"
    if not (extract / "manifest.json").exists():
        command = [str(Path(sys.executable).with_name("planner")), "generate", "--skus", str(skus)]
        command += ["--seed", str(seed), "--as-of", AS_OF, "--out", str(extract)]
        subprocess.run(command, check=True, capture_output=True)
    return extract


def _measure(code: Path, extract: Path) -> dict:
    command = [sys.executable, __file__, "--code", str(code), "--child", str(extract)]
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, env=os.environ | QUIET
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_once(code: Path, extract: Path) -> None:
    sys.path.insert(0, str(code.resolve()))
    started = time.perf_counter()
    from planning.validation.validate import validate_extract

    imported = time.perf_counter()
    from planning.extract.read import read_extract

    raw = read_extract(extract)
    read = time.perf_counter()
    validated = validate_extract(raw)
    done = time.perf_counter()
    heavy = ("great_expectations", "pandas")
    print(
        json.dumps(
            {
                "import": imported - started,
                "read": read - imported,
                "validate": done - read,
                "quarantined": validated.rows_quarantined,
                "heavy_modules": [name for name in heavy if name in sys.modules],
            }
        )
    )


if __name__ == "__main__":
    main()
