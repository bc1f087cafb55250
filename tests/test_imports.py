"""Start-up stays lean: the contact lookup loads no pydantic, no YAML and no rich."""

from __future__ import annotations

import json
import subprocess
import sys


def _modules(*args: str) -> set[str]:
    code = (
        "import sys, io, contextlib, json\n"
        "from campaignsafe.cli import app\n"
        f"sys.argv = ['campaignsafe', *{list(args)!r}]\n"
        "buf = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(buf):\n"
        "        app()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_contact_json_imports_nothing_heavy() -> None:
    """`contact --json` answers without pydantic, yaml, rich, sqlite, cryptography or the file-lock library."""
    mods = _modules("contact", "SW1A 1AA", "--json")
    assert "campaignsafe.contact.lookup" in mods
    for heavy in ("pydantic", "yaml", "rich", "sqlite3", "cryptography", "pyrage", "rapidfuzz", "filelock"):
        assert not any(m == heavy or m.startswith(heavy + ".") for m in mods), heavy


def test_contact_panel_imports_no_rich() -> None:
    """The human panel is drawn without importing rich."""
    mods = _modules("contact", "SW1A 1AA")
    assert not any(m == "rich" or m.startswith("rich.") for m in mods)
    assert "pydantic" not in mods
