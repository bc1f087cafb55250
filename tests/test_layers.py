"""The CLI layer imports only what the core exposes: no index readers, no store internals."""

from __future__ import annotations

import ast
from pathlib import Path

import campaignsafe
from campaignsafe.contact.resolve import __all__ as RESOLVE_API

CLI = Path(campaignsafe.__file__).parent / "cli"
ANY = None  # any public (non-underscore) name of the module
# What cli/ may import from the core: module -> allowed names (ANY = every public name).
PUBLIC: dict[str, set[str] | None] = {
    "campaignsafe": {"__version__", "paths", "profile", "usertext", "inputfiles"},
    "campaignsafe.usertext": ANY,
    "campaignsafe.jsontext": ANY,
    "campaignsafe.errors": ANY,
    "campaignsafe.paths": {"write_output"},
    "campaignsafe.profile": ANY,
    "campaignsafe.versions": {"about_data", "dataset_version"},
    "campaignsafe.contact": {"batch", "contacts", "forces", "places", "resolve"},
    "campaignsafe.contact.resolve": set(RESOLVE_API),
    "campaignsafe.contact.batch": {"run_batch", "json_text"},
    "campaignsafe.inputfiles": ANY,
    "campaignsafe.contact.contacts": ANY,
    "campaignsafe.contact.forces": ANY,
    "campaignsafe.contact.places": {"find"},
    "campaignsafe.guidance": {"briefing", "checklist", "content", "offences", "progress"},
    "campaignsafe.guidance.briefing": ANY,
    "campaignsafe.guidance.checklist": ANY,
    "campaignsafe.guidance.content": ANY,
    "campaignsafe.guidance.offences": ANY,
    "campaignsafe.guidance.progress": ANY,
    "campaignsafe.incidents": {
        "check",
        "controls",
        "draft",
        "entry",
        "inputs",
        "kinds",
        "links",
        "listing",
        "manage",
        "provenance",
        "questions",
        "server",
    },
    "campaignsafe.incidents.check": {"Report", "parse_anchor"},
    "campaignsafe.incidents.provenance": ANY,
    "campaignsafe.incidents.controls": ANY,
    "campaignsafe.incidents.draft": ANY,
    "campaignsafe.incidents.entry": ANY,
    "campaignsafe.incidents.inputs": ANY,
    "campaignsafe.incidents.kinds": ANY,
    "campaignsafe.incidents.links": ANY,
    "campaignsafe.incidents.listing": ANY,
    "campaignsafe.incidents.manage": ANY,
    "campaignsafe.incidents.models": ANY,
    "campaignsafe.incidents.problems": ANY,
    "campaignsafe.incidents.questions": ANY,
    "campaignsafe.incidents.server": ANY,
    "campaignsafe.incidents.store": {"Store", "db_path"},
    "campaignsafe.incidents.when": ANY,
    "campaignsafe.exports": {"case", "integrity", "package", "signing", "text"},
    # one wording in the report and on screen
    "campaignsafe.exports.text": {"handle_text", "report_text", "field_text", "FIELD_LABELS"},
    "campaignsafe.exports.integrity": {"Beside"},
    "campaignsafe.exports.signing": {"signer"},
    "campaignsafe.exports.verify": {"verify", "shown"},
    "campaignsafe.backup": {"archive", "crypto", "importing", "restore"},
    "campaignsafe.backup.archive": ANY,
    "campaignsafe.backup.crypto": ANY,
    "campaignsafe.backup.importing": ANY,
    "campaignsafe.backup.restore": ANY,
    "campaignsafe.exports.case": ANY,
    "campaignsafe.exports.package": ANY,
}


def violations(source: str) -> list[str]:
    """Each core import in ``source`` that the core does not expose to the CLI."""
    bad: list[str] = []
    for node in ast.walk(ast.parse(source)):
        pairs: list[tuple[str, str | None]] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            pairs = [(node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            pairs = [(a.name, None) for a in node.names]
        for module, name in pairs:
            if not module.startswith("campaignsafe") or module.startswith("campaignsafe.cli"):
                continue
            if module not in PUBLIC or name is None:
                bad.append(f"{module} (not a public core module)")
                continue
            allowed = PUBLIC[module]
            if (name.startswith("_") and name != "__version__") or (allowed is not None and name not in allowed):
                bad.append(f"{module}.{name}")
    return bad


def test_cli_imports_only_what_the_core_exposes() -> None:
    found = {f.name: violations(f.read_text(encoding="utf-8")) for f in sorted(CLI.glob("*.py"))}
    assert {k: v for k, v in found.items() if v} == {}


def test_the_rule_catches_internals() -> None:
    assert violations("from campaignsafe.contact.index import Index") == [
        "campaignsafe.contact.index (not a public core module)"
    ]
    assert violations("from campaignsafe.contact.lookup import Lookup")
    assert violations("from campaignsafe.incidents.store import _something") == [
        "campaignsafe.incidents.store._something"
    ]
    assert violations("from campaignsafe.incidents.store import Store") == []
    assert violations("import campaignsafe.incidents.schema")
    assert violations("from campaignsafe.contact.resolve import _lookup")
