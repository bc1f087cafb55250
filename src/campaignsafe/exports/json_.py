"""The JSON export and its JSON Schema, both from the models in :mod:`campaignsafe.exports.model`."""

from __future__ import annotations

import json
from typing import Any

from campaignsafe.exports.model import (
    EXPORT_SCHEMA_VERSION,
    SCHEMA_ID,
    Case,
    ExportDocument,
    ExportMeta,
    Link,
    Summary,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_EMPTY = "[]\n}"
#: closes the incidents list and the document.
TAIL = "\n  ]\n}\n"


def to_json(doc: ExportDocument) -> str:
    """The export as indented UTF-8 JSON text (field order fixed by the models, so it is reproducible).

    The streamed export (:func:`head`, :func:`case_text` for each incident, :data:`TAIL`) gives
    the same text without holding every incident at once.
    """
    return doc.model_dump_json(indent=2) + "\n"


def head(meta: ExportMeta, summary: Summary, links: list[Link] | None = None) -> str:
    """The document up to its first incident: ``export``, ``summary`` and the opening of ``incidents``."""
    text = ExportDocument(export=meta, summary=summary, links=links or [], incidents=[]).model_dump_json(indent=2)
    if not text.endswith(_EMPTY):  # pragma: no cover - the models put incidents last
        raise AssertionError("the export document must end with its incidents")
    return text[: -len(_EMPTY)] + "["


def case_text(case: Case, first: bool) -> str:
    """One incident as an element of ``incidents`` (indented as :func:`to_json` indents it)."""
    return ("\n    " if first else ",\n    ") + case.model_dump_json(indent=2).replace("\n", "\n    ")


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every export validates against."""
    body = ExportDocument.model_json_schema(mode="serialization")
    head: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "campaignsafe incident export",
        "description": (
            f"Version {EXPORT_SCHEMA_VERSION}. Generated from the pydantic models in campaignsafe.exports.model "
            "by scripts/export_schema.py; do not edit. A case as police records systems see one: the event, "
            "the people, the objects (vehicles, online accounts, evidence with exhibit references and SHA-256), "
            "the locations and the reports made; 'record' is the incident exactly as stored."
        ),
    }
    body.pop("title", None)
    body.pop("description", None)
    return {**head, **body}


def schema_text() -> str:
    """The schema as the committed file's text (deterministic)."""
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
