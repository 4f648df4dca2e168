"""Benchmark the material plan: marts in, plan tables out.

For each size, a synthetic extract (5 BOM levels, 182 daily buckets) is
generated and taken once through the pipeline's steps up to the extract marts'
``dbt build`` (kept in ``--work`` so reruns skip it). Then each repetition
runs in a fresh Python process: read the marts, plan every SKU, write the plan
tables into the warehouse in one transaction, as ``planner run`` does: each
level's pegging and projected inventory are written while the next level is
planned, so ``plan`` includes that, and ``write`` is what remains once
planning is done (the orders, exceptions and action messages, and the last
levels). It prints the median wall time of each phase and the peak resident
memory of the process (its high-water mark, imports included; ``idle MiB`` is
the process after imports, before the step).

    .venv/bin/python bench/mrp.py [--sizes 10000 100000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
AS_OF = date(2026, 11, 23)
HORIZON_DAYS = 182
PHASES = ("read", "plan", "write")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("/tmp/planner-bench-mrp"))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # one run on this warehouse
    args = parser.parse_args()
    if args.child:
        _plan_once(args.child)
        return
    header = f"{'skus':>10} {'runs':>4}" + "".join(f" {p + ' s':>8}" for p in PHASES)
    print(header + f" {'total s':>8} {'peak MiB':>9} {'idle MiB':>9} {'orders':>10} {'pegs':>10}")
    for skus in args.sizes:
        warehouse = _prepare(args.work / str(skus), skus, args.seed)
        runs = [_measure(warehouse) for _ in range(args.repeat)]
        median = {key: statistics.median(run[key] for run in runs) for key in (*PHASES, "total")}
        print(
            f"{skus:>10,} {len(runs):>4}"
            + "".join(f" {median[p]:>8.2f}" for p in PHASES)
            + f" {median['total']:>8.2f} {max(r['peak_mib'] for r in runs):>9.0f}"
            + f" {runs[0]['idle_mib']:>9.0f} {runs[0]['orders']:>10,} {runs[0]['pegs']:>10,}",
            flush=True,
        )


def _prepare(folder: Path, skus: int, seed: int) -> Path:
    """Generate the extract and build its marts unless a previous run did: the
    pipeline's steps up to the extract marts' ``dbt build`` (validate, load,
    build marts), not the schedule and what follows, which no plan reads."""
    from planning.config import Settings
    from planning.errors import PlannerError
    from planning.extract.generate import generate_extract
    from planning.lock import run_lock
    from planning.pipeline import build_extract_marts, ingest_extract
    from planning.publish import new_run_id
    from planning.run import begin_run

    warehouse = folder / "planner.duckdb"
    if (folder / "ready").exists():
        return warehouse
    extract = folder / "extract"
    generate_extract(extract, skus=skus, seed=seed, as_of=AS_OF)
    settings = Settings.from_env(warehouse=warehouse, out_dir=folder / "plans")
    run_id = new_run_id(datetime.now(UTC))
    with run_lock(warehouse, run_id):
        run = begin_run(extract, AS_OF, settings, report=lambda line: None, run_id=run_id)
        try:
            for step in (ingest_extract, build_extract_marts):
                step(run, report=lambda line: None)
        except PlannerError as error:
            sys.exit(f"setup of {skus} SKUs failed: {error}")
    (folder / "ready").touch()
    return warehouse


def _measure(warehouse: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(warehouse)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[-1])


def _plan_once(warehouse: Path) -> None:
    """Read marts, plan, write plan tables; print phase seconds and memory as JSON."""
    from planning.config import PlanningRules
    from planning.mrp import plan_materials, read_planning_inputs
    from planning.warehouse import connect, plan_writer

    idle_mib = _peak_rss_mib()
    seconds = {}
    with connect(warehouse) as con:
        started = time.perf_counter()
        inputs = read_planning_inputs(con)
        seconds["read"] = time.perf_counter() - started
        now = datetime.now(UTC)
        run_id = f"bench-{now:%H%M%S%f}"
        # as in a planner run: each level's pegging and projected inventory are
        # stored while the next level is planned
        with plan_writer(con, run_id) as writer:
            plan = plan_materials(inputs, AS_OF, HORIZON_DAYS, PlanningRules(), writer.append)
            seconds["plan"] = time.perf_counter() - started - seconds["read"]
            plan.publish(writer.append)
            writer.append_run(
                {"run_id": run_id, "as_of": AS_OF, "status": "bench", "started_at": now}
            )
        seconds["total"] = time.perf_counter() - started
        seconds["write"] = seconds["total"] - seconds["read"] - seconds["plan"]
    counts = plan.row_counts()
    figures = seconds | {
        "peak_mib": _peak_rss_mib(),
        "idle_mib": idle_mib,
        "orders": plan.planned_orders.height,
        "pegs": counts["pegging"],
    }
    print(json.dumps(figures))


def _peak_rss_mib() -> float:
    """This process's resident-memory high-water mark (VmHWM; unlike ru_maxrss it
    does not carry over the parent's peak through fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main()
