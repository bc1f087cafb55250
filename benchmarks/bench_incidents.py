"""Benchmark: ``campaignsafe incidents list`` on 10,000 incidents with 20,000 evidence items.

Baselines, measured in the same run on the same database:

* ``sqlite3`` shell: the very SELECT that ``incidents list`` runs, printed by the ``sqlite3``
  command-line shell (``-json`` for ``--json``; ``-column -header`` for the table, whose SELECT
  reads only the columns the table shows). This is the floor for a separate process answering
  the same question from the same file.
* raw ``sqlite3`` in Python: the same SELECT through the stdlib module and ``json.dumps``,
  against ``Store.summaries()`` and the same ``json.dumps`` (the cost of the store layer alone).

The seed data is generated in a temporary CAMPAIGNSAFE_HOME through the store's own API
(``Store.add``, 1,000 incidents a transaction): every incident has one file exhibit (a small
file in the content-addressed evidence folder) and one URL exhibit.

Run after ``pip install .``:  python benchmarks/bench_incidents.py [--incidents 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seeding import paired, seed


def run_quiet(cmd: list[str], env: dict[str, str]) -> None:
    """Run a command, discarding its output; fail loudly if it fails."""
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from campaignsafe.incidents.listing import SUMMARY_SQL, TABLE_SQL, Filter

    exe = shutil.which("campaignsafe", path=str(Path(sys.executable).parent)) or shutil.which("campaignsafe")
    shell = shutil.which("sqlite3")
    if exe is None:
        sys.exit("campaignsafe is not installed: pip install . first")
    with tempfile.TemporaryDirectory(prefix="campaignsafe-bench-") as tmp:
        home = Path(tmp) / "home"
        t0 = time.perf_counter()
        seed(home, args.incidents)
        seeded = time.perf_counter() - t0
        db = home / "incidents.db"
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120"}
        sql = SUMMARY_SQL.format(where="")
        table_sql = TABLE_SQL.format(where="")  # the table reads only the columns it shows
        with sqlite3.connect(db) as conn:
            n_inc = conn.execute("SELECT count(*) FROM incidents").fetchone()[0]
            n_ev = conn.execute("SELECT count(*) FROM evidence").fetchone()[0]

        from campaignsafe.incidents.store import Store

        def ours_in_process() -> None:
            with Store.open(db) as store:
                json.dumps([r.as_dict() for r in store.summaries(Filter())])

        def raw_in_process() -> None:
            conn = sqlite3.connect(db)
            try:
                json.dumps(conn.execute(sql).fetchall())
            finally:
                conn.close()

        rows: list[tuple[str, str, float, float]] = []
        if shell:
            rows.append(
                (
                    "`incidents list --json`",
                    "`sqlite3 -json` (same SELECT)",
                    *paired(
                        lambda: run_quiet([exe, "incidents", "list", "--json"], env),
                        lambda: run_quiet([shell, "-json", str(db), sql], env),
                        args.repeat,
                    ),
                )
            )
            rows.append(
                (
                    "`incidents list` (table)",
                    "`sqlite3 -column -header` (same SELECT)",
                    *paired(
                        lambda: run_quiet([exe, "incidents", "list"], env),
                        lambda: run_quiet([shell, "-column", "-header", str(db), table_sql], env),
                        args.repeat,
                    ),
                )
            )
            rows.append(
                (
                    "`python -c 'import typer'` (no incidents read: the start-up floor of any typer command)",
                    "`sqlite3 -json` (same SELECT)",
                    *paired(
                        lambda: run_quiet([sys.executable, "-c", "import typer"], env),
                        lambda: run_quiet([shell, "-json", str(db), sql], env),
                        args.repeat,
                    ),
                )
            )
        rows.append(
            (
                "`Store.summaries()` + `json.dumps`",
                "raw `sqlite3` + `json.dumps` (same SELECT)",
                *paired(ours_in_process, raw_in_process, args.repeat),
            )
        )
    print("**Incident list** (`bench_incidents.py`)\n")
    print(
        f"{n_inc:,} incidents, {n_ev:,} evidence items (seeded in {seeded:.1f} s); "
        f"medians of {args.repeat} runs of each, taking turns with its baseline\n"
    )
    print("| campaignsafe | seconds | baseline | seconds | ratio |")
    print("|---|---:|---|---:|---:|")
    for ours, base, t_ours, t_base in rows:
        print(f"| {ours} | {t_ours:.3f} | {base} | {t_base:.3f} | {t_ours / t_base:.1f}× |")
    if not shell:
        print("\n(the sqlite3 shell is not installed: only the in-process comparison was run)")


if __name__ == "__main__":
    main()
