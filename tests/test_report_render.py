"""The HTML report as Chromium lays it out: every table header fits inside its column and the table.

Needs Debian's chromium (`apt-get install chromium`); skipped without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run
from tests.export_helpers import make_record

CHROMIUM = next((p for name in ("chromium", "chromium-browser") if (p := shutil.which(name))), None)

#: appended to the report: writes each grid table's header cells (laid-out width, content width) into the DOM
MEASURE = """<script>
document.addEventListener('DOMContentLoaded', () => {
  const out = [];
  document.querySelectorAll('table.grid').forEach((t, i) => {
    const right = t.getBoundingClientRect().right;
    t.querySelectorAll('thead th').forEach(th => {
      const box = th.getBoundingClientRect();
      out.push([i, th.textContent, box.width.toFixed(1), th.scrollWidth, (right - box.right).toFixed(1)].join('|'));
    });
  });
  document.querySelectorAll('span.bar').forEach(bar => {
    const td = bar.parentElement, box = td.getBoundingClientRect();
    const inner = box.right - parseFloat(getComputedStyle(td).paddingRight);
    const room = (inner - bar.getBoundingClientRect().right).toFixed(1);
    out.push(['bar', td.parentElement.firstElementChild.textContent, 0, 0, room].join('|'));
  });
  const pre = document.createElement('pre'); pre.id = 'measured'; pre.textContent = out.join('\\n');
  document.body.appendChild(pre);
});
</script></body>"""


def test_the_bar_rule_styles_only_the_bar_not_its_column() -> None:
    """`.bar` made the By month table's <col class="bar"> an inline block, so its width was ignored."""
    from campaignsafe.exports.html import CSS

    assert not re.search(r"(^|\s)\.bar\s*\{", CSS)
    assert re.search(r"span\.bar\s*\{", CSS)


@pytest.mark.skipif(CHROMIUM is None, reason="install chromium to lay the report out")
def test_report_table_headers_fit_their_columns(tmp_path: Path) -> None:
    """Laid out by Chromium at a browser's width, no header of the course-of-conduct tables ("By kind",
    "By month", every incident) is wider than its cell, so none runs over the next column or the border."""
    make_record(tmp_path, scottish=True)
    html = tmp_path / "report.html"
    assert run("export", "--all", "--format", "html", "-o", str(html)).exit_code == 0
    probe = tmp_path / "probe.html"
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", MEASURE, 1), encoding="utf-8")
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'chromium'}",
         "--window-size=800,1200", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    ).stdout  # fmt: skip
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    cells = [line.split("|") for line in found.group(1).splitlines()]
    assert {c[1] for c in cells} >= {"Kind", "Incidents", "Month", "By kind", "Exhibits", "Amended"}
    assert any(c[0] == "bar" for c in cells)
    for table, text, width, content, to_right in cells:
        assert int(content) <= round(float(width)), f"table {table}: header {text!r} is wider than its column"
        assert float(to_right) >= -0.5, f"{table}: {text!r} runs past its table (or, a bar, into the next column)"


def test_cover_gives_every_force_a_way_to_report_online_once(tmp_path: Path) -> None:
    """Avon and Somerset (no verified form) gets its website, PSNI and Police Scotland their own words on
    reporting online, once each; `contact` panels likewise show one online row."""
    from tests.incident_helpers import minimal, write_json

    spots = {"BA1 1AA": "Avon", "BT1 5GS": "PSNI", "EH1 1YZ": "Scotland"}
    seeded = [minimal(location={"text": "High Street", "postcode": pc}) for pc in spots]
    assert run("report", "--from-file", str(write_json(tmp_path, seeded))).exit_code == 0
    html = run("export", "--all", "--format", "html").stdout
    cover = re.sub(r"<[^>]+>", "\n", html[html.index("<h2>Police</h2>") : html.index("About this report")])
    assert "https://www.avonandsomerset.police.uk" in cover
    assert cover.count("Report online") == 3 and "Online contact" not in cover
    assert cover.count("www.psni.police.uk") == 2  # its own words, then its website
    for pc in ("BT1 5GS", "EH1 1YZ"):
        panel = " ".join(run("contact", pc).stdout.split())
        assert panel.count("Report online") == 1 and "Online contact" not in panel and "Online reporting" not in panel


def test_the_index_says_which_incidents_were_amended_under_its_own_heading(tmp_path: Path) -> None:
    """The chronological index's last column is headed Amended and says yes or no for every incident."""
    make_record(tmp_path)
    html = tmp_path / "report.html"
    assert run("export", "--all", "--format", "html", "-o", str(html)).exit_code == 0
    text = html.read_text(encoding="utf-8")
    index = text[text.index("<th>Id</th>") : text.index("</tbody>", text.index("<th>Id</th>"))]
    assert '<th class="n">Exhibits</th><th>Amended</th>' in index
    said = re.findall(r'<td class="nowrap">(yes|no)</td></tr>', index)
    assert len(said) == index.count("<tr>") == 3 and said.count("yes") == 1  # the record has one amended incident


def test_an_email_on_the_cover_may_break_only_after_its_at_sign(tmp_path: Path) -> None:
    """A narrow card broke morag@example.org as morag@example.o / rg: it may now break after the @ only."""
    from tests.incident_helpers import minimal, write_json

    assert run("profile", "--name", "Morag Mackay", "--email", "morag@example.org").exit_code == 0
    assert run("report", "--from-file", str(write_json(tmp_path, minimal()))).exit_code == 0
    html = run("export", "--all", "--format", "html").stdout
    assert "<td>morag@<wbr>example.org</td>" in html
