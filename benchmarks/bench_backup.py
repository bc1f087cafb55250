"""Benchmark: ``campaignsafe backup``, ``restore`` and ``import`` of 10,000 incidents with 20,000 evidence files.

Baseline, measured in the same run on the same data folder: ``tar -czf`` of the whole folder
and ``tar -xzf`` of it into an empty one. That is the floor for any tool that packs the same
files with compression; a backup also reads every row of the store inside one snapshot, hashes
every file for its manifest, and a restore re-hashes everything, rebuilds the store in one
transaction and runs ``check`` before the record is put in place; an import (into an empty record)
re-checks every incident and writes it a batch at a time with its provenance. Peak memory is each process's
own (``wait4``). An encrypted backup is sealed and opened 64 KiB at a time, so its peak is the
fixed memory of age's scrypt key derivation (256 MiB at the work factor campaignsafe writes).

Run after ``pip install .``:  python benchmarks/bench_backup.py [--incidents 10000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seeding import seed

# A child keeps the peak memory of the process it was forked from across exec, so each command is
# started by a tiny launcher (as in run.py), and the launcher reports the command's own peak.
_LAUNCHER = (
    "import os, sys, time\n"
    "t0 = time.perf_counter()\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status), time.perf_counter() - t0)\n"
)


def run(argv: list[str], env: dict[str, str], repeat: int, before: object = None) -> tuple[float, int]:
    """Median wall time (s) and the largest peak memory (KiB) of ``argv`` over ``repeat`` runs."""
    times, peaks = [], []
    for _ in range(repeat):
        if callable(before):
            before()
        out = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], env=env, capture_output=True, text=True)
        rss, code, seconds = out.stdout.split()
        if code != "0":
            sys.exit(f"benchmarks: {' '.join(argv)} failed: {out.stderr.strip()}")
        times.append(float(seconds))
        peaks.append(int(rss))
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=2, help="evidence files per incident")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    exe = shutil.which("campaignsafe", path=str(Path(sys.executable).parent)) or shutil.which("campaignsafe")
    tar = shutil.which("tar")
    if exe is None or tar is None:
        sys.exit("campaignsafe (pip install .) and tar are needed")
    with tempfile.TemporaryDirectory(prefix="campaignsafe-bench-") as tmp:
        root = Path(tmp)
        home = root / "home"
        t0 = time.perf_counter()
        n_files = seed(home, args.incidents, files=args.files, urls=1)
        seeded = time.perf_counter() - t0
        secret = root / "pass.txt"
        secret.write_text("a long benchmark passphrase\n")
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
        plain, sealed, tarball = root / "backup.zip", root / "backup.age", root / "home.tar.gz"
        target = root / "restored"
        renv = {**os.environ, "CAMPAIGNSAFE_HOME": str(target)}

        def clear() -> None:
            shutil.rmtree(target, ignore_errors=True)

        def clear_tar() -> None:
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()

        rows = [
            ("`backup`", run([exe, "backup", str(plain)], env, args.repeat), plain),
            (
                "`backup --encrypt`",
                run([exe, "backup", str(sealed), "--encrypt", "--passphrase-file", str(secret)], env, args.repeat),
                sealed,
            ),
        ]
        base_backup = run([tar, "-czf", str(tarball), "-C", str(root), "home"], env, args.repeat)
        restores = [
            ("`restore`", run([exe, "restore", str(plain)], renv, args.repeat, clear)),
            (
                "`restore` (encrypted)",
                run([exe, "restore", str(sealed), "--passphrase-file", str(secret)], renv, args.repeat, clear),
            ),
        ]
        restores.append(("`import` of the backup", run([exe, "import", str(plain)], renv, args.repeat, clear)))
        base_restore = run([tar, "-xzf", str(tarball), "-C", str(target)], env, args.repeat, clear_tar)
        sizes = {p: p.stat().st_size / 1e6 for p in (plain, sealed, tarball)}
    print("**Backup, restore and import** (`bench_backup.py`)\n")
    print(
        f"{args.incidents:,} incidents, {n_files:,} evidence files (seeded in {seeded:.1f} s); "
        f"median of {args.repeat} run(s); peak memory of each process\n"
    )
    print("| campaignsafe | seconds | peak memory | baseline | seconds | peak memory | ratio |")
    print("|---|---:|---:|---|---:|---:|---:|")
    bt, bm = base_backup
    for name, (t, m), path in rows:
        print(
            f"| {name} ({sizes[path]:.1f} MB) | {t:.2f} | {m / 1024:.0f} MiB | `tar -czf` of the data folder "
            f"({sizes[tarball]:.1f} MB) | {bt:.2f} | {bm / 1024:.0f} MiB | {t / bt:.1f}× |"
        )
    rt, rm = base_restore
    for name, (t, m) in restores:
        print(
            f"| {name} | {t:.2f} | {m / 1024:.0f} MiB | `tar -xzf` into an empty folder | {rt:.2f} "
            f"| {rm / 1024:.0f} MiB | {t / rt:.1f}× |"
        )


if __name__ == "__main__":
    main()
