"""The export, streamed: the store is read once, incident by incident, into every format asked for.

Each incident is read, turned into a case, rendered into each format and written to that
format's part file in the export's scratch folder (:class:`~campaignsafe.exports.spool.Spool`),
then dropped; the course of conduct and the forces are added up as it goes. Only then can each
format's beginning be written (the cover, the summary, the JSON's ``export`` and ``summary``), so
:meth:`Streamed.chunks` gives a format's bytes as its beginning, the part files and its end.
Memory therefore stays flat however many incidents there are, and the bytes are exactly those
of rendering the whole :class:`~campaignsafe.exports.model.ExportDocument` at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsafe.exports import case as cs
from campaignsafe.exports import csv_, html, json_, linked, markdown
from campaignsafe.exports import model as m
from campaignsafe.exports import statement as st
from campaignsafe.exports.spool import Spool
from campaignsafe.exports.timeline import Tally
from campaignsafe.incidents.listing import Filter

if TYPE_CHECKING:
    from campaignsafe.exports.integrity import Beside
    from campaignsafe.incidents.models import AuditEntry, Incident

FORMATS = ("json", "csv", "html", "md")


@dataclass
class Streamed:
    """A read export: its facts and summary, and each format's bytes on demand."""

    meta: m.ExportMeta
    summary: m.Summary
    chart: Tally
    incidents: int
    spool: Spool
    formats: frozenset[str]
    missing: list[str] = field(default_factory=list)  # exhibits whose stored copy is gone (bundle only)
    police_refs: set[str] = field(default_factory=set)  # police references given (email only)
    recorded_by: str | None = None  # who recorded which incidents, for a merged record
    links: list[m.Link] = field(default_factory=list)  # identifiers the incidents share
    left_out: list[int] = field(default_factory=list)  # damaged incidents skipped (``export --anyway`` only)
    own: int | None = None  # how many the reporting person recorded (None: all of them)

    def chunks(self, fmt: str) -> Iterator[bytes]:
        """The whole export in ``fmt`` (one of the formats it was read for), as UTF-8 chunks."""
        if fmt not in self.formats:
            raise ValueError(f"the export was not read for {fmt}")
        sp = self.spool
        if fmt == "json":
            yield json_.head(self.meta, self.summary, self.links).encode()
            yield from sp.replay("json")
            yield json_.TAIL.encode()
        elif fmt == "csv":
            yield csv_.Rows().header().encode()
            yield from sp.replay("csv")
        else:
            cover = st.cover(self.meta, self.summary, self.recorded_by, self.own)
            conduct = st.conduct(self.summary, self.chart.summary())
            if fmt == "html":
                yield html.head(self.meta, cover, conduct).encode()
                yield from sp.replay("html-chrono")
                yield html.MIDDLE.encode()
                yield linked.html(self.links).encode()
                yield from sp.replay("html")
                yield html.tail().encode()
            else:
                yield markdown.head(cover, conduct).encode()
                yield from sp.replay("md-chrono")
                yield markdown.MIDDLE.encode()
                yield "".join(line + "\n" for line in linked.markdown(self.links)).encode()
                yield from sp.replay("md")
                yield markdown.tail().encode()

    def text(self, fmt: str) -> str:
        """The whole export in ``fmt`` in memory (for the email draft's attachment)."""
        return b"".join(self.chunks(fmt)).decode("utf-8")


def read(
    flt: Filter,
    chosen: m.Selection,
    exported_at: datetime,
    formats: set[str],
    spool: Spool,
    *,
    bundle: bool = False,
    email: bool = False,
    skip_damaged: bool = False,
    check: Beside | None = None,
) -> Streamed:
    """Read the selected incidents once, in one snapshot, rendering each into ``formats`` (all of them for a bundle).

    A stored incident that cannot be read stops the export (StoreError, exit 5), unless
    ``skip_damaged`` (``export --anyway``): then it is left out and named in ``left_out``.
    ``check`` (the record check beside the export) gives ``meta.integrity``, for the snapshot read: asked
    once every incident is read, while the snapshot is still open.
    """
    from campaignsafe.errors import StoreError
    from campaignsafe.incidents import evidence

    wanted = frozenset(FORMATS if bundle else formats)
    info = cs.about()
    totals = cs.Totals()
    rows = csv_.Rows()
    missing: list[str] = []
    refs: set[str] = set()
    reports = bool(wanted & {"html", "md"})
    shared = cs.linker(info.producer, info.profile_force)  # the links, collected in the same pass
    folder = str(evidence.blob("0" * 64).parent.parent)  # the evidence folder, worked out once
    with cs.opened(flt) as (store, ids):
        from campaignsafe.incidents import provenance

        spool.load_audit(store.conn)
        origins = provenance.Origins(store.conn, ids)  # read a few hundred at a time, as the incidents are
        copies, server = store.copies(), store.is_server
        left_out: list[int] = []
        n = 0
        for iid, orig in store.readable(ids):
            try:
                incident, trail = _readable(spool, store.path, iid, orig)
            except StoreError as exc:
                if not skip_damaged or exc.code != "record_corrupt":
                    raise
                left_out.append(iid)
                continue
            origin = origins.get(iid)
            shared.add(incident, theirs=provenance.theirs(origin))
            c = cs.case_of(incident, trail, info.producer, spool, origin, info.profile_force)
            totals.add(c)
            if "json" in wanted:
                spool.write("json", json_.case_text(c, n == 0))
            if "csv" in wanted:
                spool.write("csv", rows.line(c))
            if reports:
                row, view = st.chrono_row(c), st.incident(c, info.producer)
                if "html" in wanted:
                    spool.write("html-chrono", html.chrono(row))
                    spool.write("html", html.incident(view))
                if "md" in wanted:
                    spool.write("md-chrono", markdown.chrono(row))
                    spool.write("md", markdown.incident(view))
            if bundle:
                for ex in c.objects.evidence:
                    for f in ex.files:
                        spool.add_file(f.bundle_path, f.sha256)
                        if server and not copies.exists(f.sha256):
                            missing.append(ex.exhibit_ref)  # never the file's name
                        elif not server and not os.path.isfile(os.path.join(folder, f.sha256[:2], f.sha256)):
                            missing.append(ex.exhibit_ref)  # evidence.blob(), without pathlib
            if email:
                refs.update(r.reference for r in c.reports if r.police and r.reference)
            n += 1
        count = n
        if not count:
            raise StoreError(
                "every incident selected is damaged in the store and cannot be read; nothing was written",
                "see which: campaignsafe check. Keep a copy of the data folder",
                code="record_corrupt",
            )
        integrity = check.of_snapshot(store) if check is not None else None
    meta = cs.meta(info, chosen, exported_at, totals.forces())
    meta.integrity = integrity
    links = cs.link_models(shared)
    return Streamed(
        meta,
        totals.summary(),
        totals.tally,
        count,
        spool,
        wanted,
        missing,
        refs,
        totals.recorded_by(),
        links,
        left_out,
        totals.own,
    )


def _readable(spool: Spool, where: Path | str, iid: int, orig: Incident | None) -> tuple[Incident, list[AuditEntry]]:
    """The incident and its audit trail from the scratch copy; StoreError (``record_corrupt``) when its row could
    not be read (``orig`` is None) or its trail is damaged, which ``export --anyway`` leaves out."""
    if orig is None:
        from campaignsafe.incidents.schema import damaged_row

        raise damaged_row(where, f"incident {iid}")
    return orig, spool.audit(iid)
