"""Benchmark: peak memory of ``campaignsafe verify`` on a manifest bomb, against a normal bundle.

The bomb is a 1 MB zip whose ``MANIFEST.sha256`` inflates to 1 GiB of well-formed lines (the
case from issue 10, where verify once took 3 GB). verify must refuse it (exit 6, the manifest
is far over its cap) with memory staying flat. Baseline, in the same run: peak memory of
``campaignsafe verify`` on a small honest bundle, i.e. the floor of the command itself.
Peak memory is read by ``wait4`` on a launcher process, so this script's memory never counts.

Run after ``pip install .``:  python benchmarks/bench_verify.py [--size-mib 1024]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
)


def cli() -> str:
    script = Path(sys.executable).parent / "campaignsafe"
    if not script.exists():
        sys.exit("bench_verify: campaignsafe is not installed in this environment (pip install .)")
    return str(script)


def peak(argv: list[str]) -> tuple[int, int, float]:
    """(peak RSS KiB, exit code, seconds) of one run."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], capture_output=True, text=True, check=True)
    rss, code = out.stdout.split()
    return int(rss), int(code), time.perf_counter() - t0


def honest(path: Path) -> Path:
    body = b"<html>report</html>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("report.html", body)
        zf.writestr("MANIFEST.sha256", f"{hashlib.sha256(body).hexdigest()}  report.html\n")
    return path


def bomb(path: Path, size: int) -> Path:
    """A zip whose manifest inflates to ``size`` bytes of valid-looking lines, written streaming."""
    line = f"{'0' * 64}  evidence/JS-1_photo.jpg\n".encode()
    block = line * ((1 << 20) // len(line))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("report.html", b"x")
        info = zipfile.ZipInfo("MANIFEST.sha256")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            written = 0
            while written < size:
                fh.write(block)
                written += len(block)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="what the manifest inflates to")
    args = parser.parse_args()
    exe = cli()
    with tempfile.TemporaryDirectory() as tmp:
        env_home = Path(tmp) / "home"
        os.environ["CAMPAIGNSAFE_HOME"] = str(env_home)
        small = honest(Path(tmp) / "honest.zip")
        big = bomb(Path(tmp) / "bomb.zip", args.size_mib << 20)
        base_rss, base_code, _base_s = peak([exe, "verify", str(small)])
        bomb_rss, bomb_code, bomb_s = peak([exe, "verify", str(big)])
        zip_mb = big.stat().st_size / 1e6
    if base_code != 0 or bomb_code != 6:
        sys.exit(f"bench_verify: unexpected exit codes (honest {base_code}, bomb {bomb_code})")
    print("**verify on a manifest bomb** (`bench_verify.py`)\n")
    print(
        f"A {zip_mb:.1f} MB zip whose manifest inflates to {args.size_mib} MiB; verify refuses it (exit 6). "
        "Peak resident memory, read with wait4:\n"
    )
    print("| campaignsafe | peak MiB | seconds | baseline | peak MiB | ratio |")
    print("|---|---:|---:|---|---:|---:|")
    print(
        f"| `verify` of the bomb | {bomb_rss / 1024:.1f} | {bomb_s:.2f} | `verify` of a small honest bundle "
        f"| {base_rss / 1024:.1f} | {bomb_rss / base_rss:.2f}× |"
    )
    print()


if __name__ == "__main__":
    main()
