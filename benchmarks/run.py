#!/usr/bin/env python3
"""campaignsafe benchmarks: every figure beside a baseline measured in the same run.

    pip install . && python benchmarks/run.py [--runs N] [--update-readme] [--saved DIR] [--skip NAME]
                                              [--only startup|lookups|batch]

Runs the declared benchmarks below, then every ``benchmarks/bench_*.py`` script (each prints
a markdown section), and prints one markdown report. ``--update-readme`` also writes it into
README.md between the ``<!-- benchmarks -->`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"


def cli() -> list[str]:
    """The installed console script beside this interpreter."""
    script = Path(sys.executable).parent / "campaignsafe"
    if not script.exists():
        sys.exit("benchmarks: campaignsafe is not installed in this environment (pip install .)")
    return [str(script)]


ENV = {**os.environ, "CAMPAIGNSAFE_HOME": tempfile.mkdtemp(prefix="cs-bench-home-")}


def compile_package() -> None:
    """Byte-compile the package being measured, as installing a wheel does.

    An editable install run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every
    module from source on every start (about 20 ms of ``contact``), which no installed copy does.
    """
    import compileall

    import campaignsafe

    compileall.compile_dir(str(Path(campaignsafe.__file__).parent), quiet=1)


# Peak memory is read by a tiny launcher: a child forked from this (large) process would
# report this process's memory as its own peak.
_LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
)


def timed_process(argv: list[str], runs: int, stdin: str | None = None) -> float:
    """Median wall time (s) of ``argv`` over ``runs`` runs, after one warm-up."""
    times: list[float] = []
    for i in range(runs + 1):
        fin = open(stdin, "rb") if stdin else subprocess.DEVNULL  # noqa: SIM115
        t0 = time.perf_counter()
        code = subprocess.call(argv, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        elapsed = time.perf_counter() - t0
        if fin is not subprocess.DEVNULL:
            fin.close()
        if code != 0:
            sys.exit(f"benchmarks: {' '.join(argv)} exited {code}")
        if i:
            times.append(elapsed)
    return statistics.median(times)


def peak_memory(argv: list[str]) -> int:
    """Peak resident memory (KiB) of one run of ``argv``."""
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True, env=ENV, check=True)
    rss, code = out.stdout.split()
    if code != "0":
        sys.exit(f"benchmarks: {' '.join(argv)} exited {code}")
    return int(rss)


def sample_postcodes(n: int) -> list[str]:
    """``n`` real postcodes drawn (seeded) from the shipped index."""
    from campaignsafe.contact.postcode import unit_of_slot
    from campaignsafe.contact.resolve import _lookup

    index = _lookup().index
    every = [
        f"{d} {digit}{unit_of_slot(i)}"
        for d in index.districts()
        for digit, slots in (index.district(d) or {}).items()
        for i, v in enumerate(slots)
        if v
    ]
    return random.Random(2025).sample(every, n)


def timed_turns(argvs: list[list[str]], runs: int) -> list[float]:
    """Median wall time (s) of each of ``argvs``, run by turns (each once a round, ``runs`` rounds after a
    warm-up round), so a machine that slows down or speeds up meanwhile moves every figure alike."""
    times: list[list[float]] = [[] for _ in argvs]
    for i in range(runs + 1):
        for k, argv in enumerate(argvs):
            t0 = time.perf_counter()
            code = subprocess.call(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
            )
            if code != 0:
                sys.exit(f"benchmarks: {' '.join(argv)} exited {code}")
            if i:
                times[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def bench_startup(runs: int) -> list[tuple[str, str, str]]:
    py = sys.executable
    commands = [
        ('`campaignsafe contact "SW1A 1AA" --json`', [*cli(), "contact", "SW1A 1AA", "--json"]),
        ('`campaignsafe contact "SW1A 1AA"` (panel)', [*cli(), "contact", "SW1A 1AA"]),
    ]
    argvs = [[py, "-c", "pass"], [py, "-c", "import typer"], *(argv for _label, argv in commands)]
    floor_pass, floor_typer, *ours = timed_turns(argvs, runs)
    mem_pass, mem_typer = peak_memory([py, "-c", "pass"]), peak_memory([py, "-c", "import typer"])
    rows = [
        ("`python -c pass` (baseline)", f"{floor_pass * 1000:.1f} ms", f"{mem_pass / 1024:.1f} MiB"),
        ("`python -c 'import typer'` (baseline)", f"{floor_typer * 1000:.1f} ms", f"{mem_typer / 1024:.1f} MiB"),
    ]
    for (label, argv), t in zip(commands, ours, strict=True):
        mem = peak_memory(argv)
        rows.append(
            (
                label,
                f"{t * 1000:.1f} ms = **{t / floor_typer:.2f}×** import typer, {t / floor_pass:.1f}× python",
                f"{mem / 1024:.1f} MiB = **{mem / mem_typer:.2f}×** import typer",
            )
        )
    return rows


_LOOKUPS = """
import sys, time
from campaignsafe.errors import NotFoundError
from campaignsafe.contact.resolve import resolve_postcode

sample = open(sys.argv[1]).read().splitlines()
located = []
for pc in sample:  # decode every district once, as a long-running process would
    try:
        resolve_postcode(pc)
        located.append(pc)
    except NotFoundError:  # a handful of PO-box postcodes with no location
        pass
table = {pc: pc for pc in located}

# Baseline and subject take turns, best of 7 each, timed in this process's CPU time, so a busy
# machine slows both alike and time spent waiting for a core counts against neither. Each loop
# drops its answers as a reader of a file of postcodes would; a third loop keeps all 100,000
# answers in a list, which adds the list and the garbage collector's visits to every answer kept.
get = table.get
def floor():
    for pc in located:
        get(pc)
def lookups():
    for pc in located:
        resolve_postcode(pc)
def kept():
    return [resolve_postcode(pc) for pc in located]
runs = {"floor": [], "lookups": [], "kept": []}
for _ in range(7):
    for key, fn in (("floor", floor), ("lookups", lookups), ("kept", kept)):
        t0 = time.process_time()
        fn()
        runs[key].append(time.process_time() - t0)
print(*(len(located) / min(runs[k]) for k in ("floor", "lookups", "kept")))
"""


def bench_lookups(sample_file: str) -> list[tuple[str, str, str]]:
    """In a fresh process, so this benchmark's own memory does not slow the figures."""
    out = subprocess.run([sys.executable, "-c", _LOOKUPS, sample_file], capture_output=True, text=True, check=True)
    floor, lookups, kept = (float(x) for x in out.stdout.split())
    return [
        ("`dict.get` on the same keys (baseline)", f"{floor:,.0f} /s", ""),
        (
            "in-process `resolve_postcode()`",
            f"{lookups:,.0f} lookups/s",
            f"{floor / lookups:.0f}× slower than dict.get",
        ),
        (
            "the same, every answer kept in a list",
            f"{kept:,.0f} lookups/s",
            f"{floor / kept:.0f}× slower than dict.get",
        ),
    ]


def write_sample(sample: list[str]) -> str:
    """The sample as a file, one postcode a line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(sample) + "\n")
        return fh.name


def bench_batch(path: str, n: int, runs: int) -> list[tuple[str, str, str]]:
    floor_code = (
        "import sys, json\nw = sys.stdout.write\nfor line in sys.stdin: w(json.dumps({'query': line.strip()}) + '\\n')"
    )
    floor = timed_process([sys.executable, "-c", floor_code], runs, stdin=path)
    t = timed_process([*cli(), "contact", "--batch", path], runs)
    mem = peak_memory([*cli(), "contact", "--batch", path])
    return [
        ("read lines, write one JSON object each (baseline)", f"{n / floor:,.0f} lines/s", ""),
        (
            f"`campaignsafe contact --batch` ({n:,} postcodes)",
            f"{n / t:,.0f} lines/s = {floor / t:.2f}× baseline",
            f"{mem / 1024:.1f} MiB peak",
        ),
    ]


def sample_names(n: int) -> list[str]:
    """``n`` constituency and council names as people write them (seeded): as named, in lower or
    upper case, with "Council" words, and the short forms of the issue (Hull, Brighton, Glasgow...)."""
    from campaignsafe.datafiles import load_json

    areas = load_json("areas.json")
    names = [c[1] for c in areas["constituencies"]] + [la[1] for la in areas["local_authorities"]]
    rng = random.Random(2025)
    short = ["Hull", "Brighton", "Glasgow", "Edinburgh", "Anglesey", "Cornwall Council", "Manchester City Council"]
    forms = (str, str.lower, str.upper, lambda s: s + " Council", lambda s: s)
    return [rng.choice(short) if rng.random() < 0.05 else rng.choice(forms)(rng.choice(names)) for _ in range(n)]


def sample_junk(n: int) -> list[str]:
    """``n`` lines that name nothing (seeded): made-up words, notes and placeholders."""
    rng = random.Random(2026)
    letters = "abcdefghijklmnopqrstuvwxyz"
    fixed = ["n/a", "unknown", "TBC", "-", "see notes", "no fixed abode", "online", "various", "none given"]

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))

    return [
        rng.choice(fixed) if rng.random() < 0.2 else " ".join(word() for _ in range(rng.randint(1, 4)))
        for _ in range(n)
    ]


def bench_name_batch(runs: int, postcode_rate: float, n: int = 50_000) -> list[tuple[str, str, str]]:
    """Names and junk through ``--batch``, against the postcode lines of ``bench_batch`` in the same run."""
    rows = []
    for label, lines in (("names", sample_names(n)), ("lines that match nothing", sample_junk(n))):
        path = write_sample(lines)
        t = timed_process([*cli(), "contact", "--batch", path], runs)
        distinct = len(set(lines))
        rows.append(
            (
                f"`campaignsafe contact --batch` ({n:,} {label}, {distinct:,} distinct)",
                f"{n / t:,.0f} lines/s = {n / t / postcode_rate:.2f}× the postcode lines",
                "",
            )
        )
        os.unlink(path)
    return rows


def batch_rows(sample_file: str, n: int, runs: int) -> list[tuple[str, str, str]]:
    """Postcode lines, then names and junk measured against them."""
    rows = bench_batch(sample_file, n, runs)
    postcode_rate = float(rows[-1][1].split()[0].replace(",", ""))  # "167,587 lines/s = …"
    return rows + bench_name_batch(runs, postcode_rate)


def bench_size() -> list[tuple[str, str, str]]:
    from campaignsafe.datafiles import data_dir

    d = data_dir()
    size = (d / "postcodes.bin").stat().st_size
    raw = 1_745_849 * 8  # the postcodes alone as text, one per line
    rows = [
        (
            "postcode index `postcodes.bin`",
            f"{size / 1e6:.2f} MB",
            f"{size / raw:.1%} of the bare postcode list as text",
        )
    ]
    for name in ("areas.json", "forces.json"):
        rows.append((f"`{name}`", f"{(d / name).stat().st_size / 1e3:.0f} kB", ""))
    return rows


def table(title: str, rows: list[tuple[str, str, str]], head: tuple[str, str, str]) -> str:
    out = [f"**{title}**", "", f"| {head[0]} | {head[1]} | {head[2]} |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out) + "\n"


def extra_benchmarks(saved: Path | None = None, skip: tuple[str, ...] = ()) -> list[str]:
    """Run every benchmarks/bench_*.py and collect its markdown (or take ``saved/bench_x.md``, its earlier output).

    Scripts named in ``skip`` (``postgres`` for ``bench_postgres.py``) are left out of the report.
    """
    sections = []
    for script in sorted(HERE.glob("bench_*.py")):
        if script.stem.removeprefix("bench_") in skip:
            continue
        kept = saved / f"{script.stem}.md" if saved else None
        if kept is not None and kept.is_file():
            sections.append(kept.read_text(encoding="utf-8").strip() + "\n")
            continue
        r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        if r.returncode != 0:
            sections.append(f"**{script.name}** failed: `{r.stderr.strip().splitlines()[-1:]}`\n")
        else:
            sections.append(r.stdout.strip() + "\n")
    return sections


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20, help="process runs per start-up figure (median)")
    ap.add_argument("--update-readme", action="store_true", help="write the report into README.md")
    ap.add_argument("--json", action="store_true", help="also print the environment as JSON")
    ap.add_argument(
        "--only",
        choices=["startup", "lookups", "batch"],
        help="run one section and print it (never written to README.md)",
    )
    ap.add_argument(
        "--saved",
        type=Path,
        metavar="DIR",
        help="use DIR/bench_x.md (that script's own output, saved) instead of running bench_x.py again",
    )
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="NAME",
        help="leave bench_NAME.py out (e.g. postgres: a quarter of an hour, its figures kept in its README section)",
    )
    args = ap.parse_args()
    compile_package()

    if args.only == "lookups":
        sample_file = write_sample(sample_postcodes(100_000))
        print(table("Lookups (100,000 real postcodes)", bench_lookups(sample_file), ("what", "rate", "")))
        os.unlink(sample_file)
        return 0
    if args.only == "startup":
        print(table("Start-up and memory", bench_startup(args.runs), ("command", "wall time", "peak memory")))
        return 0
    if args.only == "batch":
        sample = sample_postcodes(100_000)
        sample_file = write_sample(sample)
        runs = max(3, args.runs // 5)
        print(table("Batch", batch_rows(sample_file, len(sample), runs), ("what", "rate", "memory")))
        os.unlink(sample_file)
        return 0

    startup = bench_startup(args.runs)  # before the sample makes this process large
    sample = sample_postcodes(100_000)
    sample_file = write_sample(sample)
    parts = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; medians of {args.runs} runs after a warm-up.\n",
        table("Start-up and memory", startup, ("command", "wall time", "peak memory")),
        table("Lookups (100,000 real postcodes)", bench_lookups(sample_file), ("what", "rate", "")),
        table("Batch", batch_rows(sample_file, len(sample), max(3, args.runs // 5)), ("what", "rate", "memory")),
        table("Shipped data", bench_size(), ("file", "size", "")),
        *extra_benchmarks(args.saved, tuple(args.skip)),
    ]
    os.unlink(sample_file)
    report = "\n".join(parts)
    print(report)
    if args.json:
        print(json.dumps({"python": platform.python_version(), "machine": platform.machine()}))
    if args.update_readme:
        text = README.read_text(encoding="utf-8")
        start, end = "<!-- benchmarks -->\n", "<!-- /benchmarks -->"
        i, j = text.index(start) + len(start), text.index(end)
        README.write_text(text[:i] + report + text[j:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
