"""Benchmark: ``campaignsafe export --all --bundle`` of 10,000 and 100,000 incidents, 2 small evidence files each.

Baseline, measured in the same run on the same files: ``zip -r`` of the evidence folder plus
``sha256sum`` of every file in it (a manifest). That is the floor for any tool that packs the
same originals into a zip and lists their hashes; the export also reads every record, writes
both reports, the JSON and CSV, and checks each file against the hash on record as it goes.
Where ``zip`` or ``sha256sum`` is missing, the baseline is Python's ``zipfile`` + ``hashlib``.

The seed data is generated through the store's own API (see ``seeding.py``): every incident has
two small file exhibits in the content-addressed evidence folder.

Run after ``pip install .``:  python benchmarks/bench_export.py [--incidents 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from seeding import seed


def shell_baseline(home: Path, out: Path, zip_exe: str, sha_exe: str) -> None:
    """``zip -r`` the evidence folder, then ``sha256sum`` every file into a manifest."""
    out.unlink(missing_ok=True)
    subprocess.run([zip_exe, "-q", "-r", str(out), "evidence"], cwd=home, check=True)
    with (out.parent / "baseline.sha256").open("wb") as manifest:
        find = subprocess.Popen(["find", "evidence", "-type", "f", "-print0"], cwd=home, stdout=subprocess.PIPE)
        subprocess.run(["xargs", "-0", sha_exe], cwd=home, stdin=find.stdout, stdout=manifest, check=True)
        find.wait()


def python_baseline(home: Path, out: Path) -> None:
    """The same with ``zipfile`` and ``hashlib``, for machines without ``zip`` or ``sha256sum``."""
    lines = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted((home / "evidence").rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                zf.writestr(str(path.relative_to(home)), data)
                lines.append(f"{hashlib.sha256(data).hexdigest()}  {path.relative_to(home)}\n")
    (out.parent / "baseline.sha256").write_text("".join(lines))


def _tree_rss_kib(pid: int) -> int:
    """Resident memory (KiB) of ``pid`` and every process it started, summed (Linux ``/proc``; 0 elsewhere)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def export_run(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and peak memory (KiB) of one export, with the check it runs beside it in a child.

    The peak is the larger of the export process's own maximum resident set (``wait4``) and the
    sum over the export and its child, sampled every 10 ms while both run (so two processes'
    memory is counted together, never the larger alone)."""
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"benchmark: {' '.join(argv)} failed")
    return elapsed, max(usage.ru_maxrss, peak[0])


def measure(size: int, files: int, repeat: int, exe: str) -> str:
    """One table row set for ``size`` incidents: export (time, peak memory), verify, baseline."""
    zip_exe, sha_exe = shutil.which("zip"), shutil.which("sha256sum")
    with tempfile.TemporaryDirectory(prefix="campaignsafe-bench-") as tmp:
        home = Path(tmp) / "home"
        t0 = time.perf_counter()
        n_files = seed(home, size, files=files, urls=0)
        seeded = time.perf_counter() - t0
        out = Path(tmp) / "out"
        out.mkdir()
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "SOURCE_DATE_EPOCH": "1780000000"}
        bundle = out / "bundle.zip"
        argv = [exe, "export", "--all", "--bundle", str(bundle)]
        runs = [export_run(argv, env) for _ in range(repeat)]
        ours_s = statistics.median(t for t, _ in runs)
        peak_kib = max(k for _, k in runs)
        verify_s = statistics.median(export_run([exe, "verify", str(bundle)], env)[0] for _ in range(repeat))
        base_zip = out / "baseline.zip"
        base_runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            if zip_exe and sha_exe:
                name = "`zip -r` + `sha256sum` (same files)"
                shell_baseline(home, base_zip, zip_exe, sha_exe)
            else:
                name = "Python `zipfile` + `hashlib` (same files)"
                python_baseline(home, base_zip)
            base_runs.append(time.perf_counter() - t0)
        base_s = statistics.median(base_runs)
        bundle_mb, base_mb = bundle.stat().st_size / 1e6, base_zip.stat().st_size / 1e6
    runs_text = f"median of {repeat} runs" if repeat > 1 else "one run"
    return (
        f"| {size:,} incidents, {n_files:,} files (seeded in {seeded:.0f} s; {runs_text}) "
        f"| `export --all --bundle` ({bundle_mb:.1f} MB zip) | {ours_s:.2f} | **{peak_kib / 1024:.0f} MiB** "
        f"| {name} ({base_mb:.1f} MB zip) | {base_s:.2f} | **{ours_s / base_s:.1f}×** |\n"
        f"| | `verify` of that bundle | {verify_s:.2f} | | | | |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--files", type=int, default=2, help="evidence files per incident")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (one run above 20,000 incidents)")
    args = parser.parse_args()

    exe = shutil.which("campaignsafe", path=str(Path(sys.executable).parent)) or shutil.which("campaignsafe")
    if exe is None:
        sys.exit("campaignsafe is not installed: pip install . first")
    print("**Export bundle** (`bench_export.py`)\n")
    print(
        "Each export runs in its own process, its record check in a child beside it; peak memory is the "
        "export's maximum resident set or, when larger, the two processes' resident memory summed "
        "(sampled every 10 ms).\n"
    )
    print("| records | campaignsafe | seconds | peak memory | baseline | seconds | ratio |")
    print("|---|---|---:|---:|---|---:|---:|", flush=True)
    for n in args.incidents:  # each size printed as soon as it is measured
        print(measure(n, args.files, args.repeat if n <= 20_000 else 1, exe), flush=True)


if __name__ == "__main__":
    main()
