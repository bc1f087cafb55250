"""Helpers for the export tests: a small but complete record, and reading what an export wrote."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import run
from tests.incident_helpers import write_json

EPOCH = "1780000000"  # 2026-05-28T20:26:40Z: a fixed export time, so two exports give the same bytes
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
SHOT = b"\x89PNG\r\n\x1a\n" + b"screenshot" * 50
LETTER = b"%PDF-1.4 threatening letter" * 20


def make_record(folder: Path, *, scottish: bool = False) -> list[int]:
    """Profile, three incidents from a file (files, a URL with a screenshot, every kind of person), an amendment.

    With ``scottish`` a fourth incident in Edinburgh puts the record in two forces' areas.
    """
    assert run(
        "profile", "--name", "Jo Smith", "--role", "candidate", "--constituency", "Cities of London and Westminster",
        "--phone", "07700 900000", "--email", "jo@example.org",
    ).exit_code == 0  # fmt: skip
    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "photo.jpg").write_bytes(PHOTO)
    (files / "shot.png").write_bytes(SHOT)
    (files / "letter.pdf").write_bytes(LETTER)
    incidents: list[dict[str, Any]] = [
        {
            "occurred_at": "2026-04-01T10:00",
            "kind": "threats",
            "description": 'He said "you will regret standing"\nThen he spat at the leaflets.',
            "location": {"text": "High Street", "postcode": "SW1A 1AA"},
            "people": [
                {"role": "victim", "name": "Pat Lee", "description": "my agent"},
                {"role": "suspect", "description": "man in a grey hoodie", "handle": "@angryvoter"},
                {"role": "witness", "name": "Sam Jones", "contact": "07700 900123"},
            ],
            "vehicles": [{"description": "silver Ford Focus", "registration": "AB12 CDE"}],
            "impact": {"personal": "I no longer canvass alone", "campaign": "two stalls cancelled"},
            "reports": [{"to": "101", "reference": "CAD 1234", "reported_at": "2026-04-01T11:00"}],
            "evidence": [{"path": "photo.jpg", "note": "taken on my phone"}],
        },
        {
            "occurred_at": "2026-04-15T21:00",
            "kind": "online-abuse",
            "platform": "X",
            "description": "A post naming my street.",
            "location": {"text": "online"},
            "people": [{"role": "suspect", "handle": "@troll", "platform": "X"}],
            "evidence": [
                {"url": "https://x.com/troll/status/1", "screenshot": "shot.png", "seen_at": "2026-04-15T21:10"}
            ],
        },
        {
            "occurred_at": "2026-05-01",
            "kind": "threatening-communications",
            "description": "A letter through the door.",
            "location": {"text": "Home", "postcode": "SW1A 1AA"},
            "evidence": [{"path": "letter.pdf"}],
        },
    ]
    if scottish:
        incidents.append(
            {
                "occurred_at": "2026-05-03T12:00",
                "kind": "harassment",
                "description": "Followed along Princes Street.",
                "location": {"text": "Princes Street", "postcode": "EH1 1YZ"},
            }
        )
    r = run("report", "--from-file", str(write_json(files, incidents)), "--json")
    assert r.exit_code == 0, r.stderr
    ids = [int(i["id"]) for i in r.json["incidents"]] if "incidents" in r.json else [int(r.json["id"])]
    r = run("incidents", "edit", str(ids[0]), "--when", "2026-04-01 10:15", "--reason", "checked my phone log")
    assert r.exit_code == 0, r.stderr
    return ids


def export(*args: str) -> Any:
    """Run ``export`` and insist it worked."""
    r = run("export", *args)
    assert r.exit_code == 0, r.stderr
    return r


def members(zip_path: Path) -> dict[str, bytes]:
    """Every file in a zip, by name."""
    with zipfile.ZipFile(zip_path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def unpack(zip_path: Path, dest: Path) -> Path:
    """Unpack a bundle (ours, so its names are safe) into ``dest``."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    return dest
