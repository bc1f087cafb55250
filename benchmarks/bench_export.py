"""Benchmark: ``campaignsafe export --all --bundle`` of 10,000 incidents with 20,000 small evidence files.

Baseline, measured in the same run on the same files: ``zip -r`` of the evidence folder plus
``sha256sum`` of every file in it (a manifest). That is the floor for any tool that packs the
same originals into a zip and lists their hashes; the export also reads every record, writes
both reports, the JSON and CSV, and checks each file against the hash on record as it goes.
Where ``zip`` or ``sha256sum`` is missing, the baseline is Python's ``zipfile`` + ``hashlib``.

The seed data is generated through the store's own API (see ``seeding.py``): every incident has
two small file exhibits in the content-addressed evidence folder.

Run after ``pip install .``:  python benchmarks/bench_export.py [--incidents 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from seeding import seed, timed


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=2, help="evidence files per incident")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    exe = shutil.which("campaignsafe", path=str(Path(sys.executable).parent)) or shutil.which("campaignsafe")
    if exe is None:
        sys.exit("campaignsafe is not installed: pip install . first")
    zip_exe, sha_exe = shutil.which("zip"), shutil.which("sha256sum")
    with tempfile.TemporaryDirectory(prefix="campaignsafe-bench-") as tmp:
        home = Path(tmp) / "home"
        t0 = time.perf_counter()
        n_files = seed(home, args.incidents, files=args.files, urls=0)
        seeded = time.perf_counter() - t0
        out = Path(tmp) / "out"
        out.mkdir()
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "SOURCE_DATE_EPOCH": "1780000000"}
        bundle = out / "bundle.zip"

        def ours() -> None:
            subprocess.run([exe, "export", "--all", "--bundle", str(bundle)], env=env, check=True, capture_output=True)

        ours_s = timed(ours, args.repeat)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the export is the largest child
        verify_s = timed(
            lambda: subprocess.run([exe, "verify", str(bundle)], env=env, check=True, capture_output=True), args.repeat
        )
        base_zip = out / "baseline.zip"
        if zip_exe and sha_exe:
            name = "`zip -r` + `sha256sum` (same files)"
            base_s = timed(lambda: shell_baseline(home, base_zip, zip_exe, sha_exe), args.repeat)
        else:
            name = "Python `zipfile` + `hashlib` (same files)"
            base_s = timed(lambda: python_baseline(home, base_zip), args.repeat)
        bundle_mb, base_mb = bundle.stat().st_size / 1e6, base_zip.stat().st_size / 1e6
    print("**Export bundle** (`bench_export.py`)\n")
    print(
        f"{args.incidents:,} incidents, {n_files:,} evidence files (seeded in {seeded:.1f} s); "
        f"median of {args.repeat} runs\n"
    )
    print("| campaignsafe | seconds | baseline | seconds | ratio |")
    print("|---|---:|---|---:|---:|")
    print(
        f"| `export --all --bundle` ({bundle_mb:.1f} MB zip, peak {peak_kib / 1024:.0f} MiB) | {ours_s:.2f} "
        f"| {name} ({base_mb:.1f} MB zip) | {base_s:.2f} | {ours_s / base_s:.1f}× |"
    )
    print(f"| `verify` of that bundle | {verify_s:.2f} | | | |")


if __name__ == "__main__":
    main()
