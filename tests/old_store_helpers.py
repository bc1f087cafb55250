"""Real stores from an older campaignsafe, to test the upgrade paths honestly.

:func:`older_campaignsafe` runs the CLI in this process as the build that knew the migrations only
up to one of them: the real migration runner applies just those (so the newer migrations' triggers
and tables were never made, and ``_migrations`` records exactly what that build applied), and
audit entries are written as that build wrote them: without the row hashes that came with
``schema.ROW_HASHES_SINCE``. Nothing is deleted from a newer store to fake an old one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from campaignsafe.incidents import audit, schema

#: the keys of an audit entry's detail that only a store with ``schema.ROW_HASHES_SINCE`` writes
ROW_HASH_KEYS = ("row_sha256", "import_sha256", "provenance_sha256", "amendment_rows")


def _without_row_hashes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_row_hashes(v) for k, v in value.items() if k not in ROW_HASH_KEYS}
    if isinstance(value, list):
        return [_without_row_hashes(v) for v in value]
    return value


@contextlib.contextmanager
def older_campaignsafe(upto: str) -> Iterator[None]:
    """Inside: campaignsafe as the build whose newest migration was ``upto``."""
    names = [name for name, _fn in schema.MIGRATIONS]
    old = schema.MIGRATIONS[: names.index(upto) + 1]
    append = audit.append
    hashes = names.index(upto) >= names.index(schema.ROW_HASHES_SINCE)

    def old_append(conn: Any, action: str, incident_id: int | None, detail: dict[str, Any]) -> int:
        return append(conn, action, incident_id, detail if hashes else _without_row_hashes(detail))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema, "MIGRATIONS", old)
        mp.setattr(audit, "append", old_append)
        yield
