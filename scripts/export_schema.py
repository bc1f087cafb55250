#!/usr/bin/env python3
"""Write the JSON Schema of the incident export from its pydantic models.

    python scripts/export_schema.py            # (re)write schema/incident-export.schema.json
    python scripts/export_schema.py --check    # fail when the committed file differs from the models

The schema is generated from ``campaignsafe.exports.model.ExportDocument`` and is deterministic:
running it twice gives identical bytes. Bundles carry the same text (generated at export time).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from campaignsafe.exports.json_ import schema_text  # noqa: E402
from campaignsafe.exports.model import SCHEMA_FILE  # noqa: E402

TARGET = ROOT / "schema" / SCHEMA_FILE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    args = parser.parse_args()
    text = schema_text()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python scripts/export_schema.py", file=sys.stderr)
            return 1
        print(f"{TARGET.relative_to(ROOT)} matches the models")
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
