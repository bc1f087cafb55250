"""Render the HTML report of a realistic record in headless Chromium, to PDF and PNG, for a person to look at.

    python benchmarks/render_report.py [--out /tmp/campaignsafe-render]

Seeds the demo record from ``seeding.seed_demo`` (12 incidents over four months, several kinds,
amendments, files and web addresses as evidence, a profile and a saved SPOC) in a temporary data
folder, exports it with ``campaignsafe export --all --format html``, prints it to A4 PDF with
Debian's headless Chromium (with every host name unresolvable, so a report that tried to fetch
anything would show it), takes a screenshot of the page as a browser shows it, and turns the PDF
into one PNG per page with ``pdftoppm``. It then checks that the PDF is A4, that every incident
and the 999 line made it into the text, and prints where the files are: open the PNGs and look.

Skips cleanly (exit 0, saying why) when Chromium is not installed; the PNG and text checks are
skipped when poppler-utils (``pdftoppm``, ``pdfinfo``, ``pdftotext``) is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from seeding import DEMO, seed_demo

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    """The first headless-capable browser found on the PATH."""
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


def browser(exe: str, profile: Path, *args: str) -> None:
    """Run headless Chromium offline (no host name resolves), quietly, failing loudly if it fails."""
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        *args,
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "campaignsafe-render")
    args = parser.parse_args()
    exe = chromium()
    if exe is None:
        print("render_report: skipped, Chromium is not installed (apt-get install chromium)")
        return 0
    cli = shutil.which("campaignsafe", path=str(Path(sys.executable).parent)) or shutil.which("campaignsafe")
    if cli is None:
        sys.exit("campaignsafe is not installed: pip install . first")
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="campaignsafe-render-") as tmp:
        home = Path(tmp) / "home"
        seed_demo(home, Path(tmp) / "originals")
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home)}
        html = out / "report.html"
        subprocess.run([cli, "export", "--all", "--format", "html", "-o", str(html)], env=env, check=True)
        pdf = out / "report.pdf"
        browser(exe, Path(tmp) / "chromium", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
        shot = out / "screen.png"
        browser(exe, Path(tmp) / "chromium", "--window-size=1280,1800", f"--screenshot={shot}", html.as_uri())
    print(f"HTML:       {html}")
    print(f"PDF:        {pdf} ({pdf.stat().st_size / 1000:.0f} kB)")
    print(f"screenshot: {shot}")
    if not (shutil.which("pdftoppm") and shutil.which("pdfinfo") and shutil.which("pdftotext")):
        print("render_report: PNG pages and text checks skipped (apt-get install poppler-utils)")
        return 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found_pages = re.search(r"Pages:\s+(\d+)", info)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    if found_pages is None or size is None:
        sys.exit(f"render_report: pdfinfo said nothing about pages:\n{info}")
    pages = int(found_pages.group(1))
    width_mm, height_mm = (round(float(v) * 25.4 / 72) for v in size.groups())
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "page")], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    problems = []
    if (width_mm, height_mm) != (210, 297):
        problems.append(f"pages are {width_mm} x {height_mm} mm, not A4")
    if "If you are in immediate danger, call 999." not in text:
        problems.append("the 999 line is missing")
    problems += [f"incident {n} is missing" for n in range(1, len(DEMO) + 1) if f"Incident {n}:" not in text]
    if pages < len(DEMO) + 2:
        problems.append(f"only {pages} pages: each incident should start on its own page")
    print(f"pages:      {pages} A4 pages as {out}/page-*.png")
    for problem in problems:
        print(f"PROBLEM:    {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
