"""Listing incidents: the filter, the one-row summary, and the query behind ``incidents list``.

The summary reads only the indexed columns the store keeps in step with amendments, so a
list of thousands of incidents never parses a record, and this module (the read path of
``incidents list``) loads no pydantic.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from campaignsafe.errors import CampaignsafeError, InputError

if TYPE_CHECKING:
    from campaignsafe.incidents.backend import Conn

#: report routes that reach the police (``incidents list --unreported`` means none of these).
POLICE_ROUTES = frozenset({"999", "101", "online", "police"})
REPORT_LABELS = {
    "999": "999",
    "101": "101",
    "online": "police online",
    "police": "police",
    "platform": "platform",
    "other": "other",
}


def report_label(to: str, platform: str | None = None, reference: str | None = None) -> str:
    """``101 (ref CAD 1234)``, ``X (ref 998877)``, ``police online``."""
    name = platform if to == "platform" and platform else REPORT_LABELS.get(to, to)
    return f"{name} (ref {reference})" if reference else name


def utc_key(at: datetime) -> str:
    """A sortable UTC key for a moment."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: where an incident's force came from, as said beside it in every view.
FORCE_SOURCES = {
    "postcode": "from the place's postcode",
    "given": "as given for the place",
    "profile": "from the reporting person's profile; no place-based force",
}


def profile_field(key: str) -> str | None:
    """One field of the reporting person's profile, read without pydantic (the list path stays lean); None
    when it is not set, or there is no profile or a damaged one (``profile`` itself says so)."""
    from campaignsafe import paths
    from campaignsafe.inputfiles import read_data_file

    try:
        raw = read_data_file(paths.home() / "profile.json", "your profile")
        data = json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        return None
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        return None
    from campaignsafe import usertext

    # a value ``profile`` itself would refuse (controls, a bidi override, megabytes) is not used either
    return None if usertext.problem(value, multiline=False, limit=usertext.LINE_MAX) else value


def profile_force_id() -> str | None:
    """The force in the reporting person's profile (``force_of`` uses it only when campaignsafe knows it)."""
    return profile_field("force_id")


@functools.lru_cache(maxsize=64)
def force_name(force_id: str) -> str:
    """A force's name from the shipped routes (its id when unknown)."""
    return known_force(force_id) or force_id


@functools.lru_cache(maxsize=64)
def known_force(force_id: str) -> str | None:
    """A force's name from the shipped routes; None for an id campaignsafe does not know."""
    from campaignsafe.contact.forces import force_routes

    routes = force_routes(force_id)
    return str(routes.get("name") or force_id) if routes is not None else None


#: forces that police no area (``territorial: false`` in forces.yaml, a test checks): no postcode gives one
NO_AREA_FORCES = frozenset({"btp"})


def force_of(
    force_id: str | None, name: str | None, postcode: str | None, profile_force: str | None
) -> tuple[str | None, str | None, str | None]:
    """An incident's one force ``(id, name, source)``: the place's, else the profile's; ``source`` says which.
    (Callers pass no ``profile_force`` for an incident imported from another person's record.)

    Every view (list, filter, show, report, CSV, JSON) uses this, so an incident's force is the
    same value everywhere and always labelled with where it came from (``FORCE_SOURCES``).
    """
    if force_id:
        found = postcode and force_id not in NO_AREA_FORCES  # BTP beside a postcode was given, never found
        return force_id, name or force_name(force_id), "postcode" if found else "given"
    name = known_force(profile_force) if profile_force else None
    if name:  # a profile force campaignsafe does not know (a file edited by hand) is no force
        return profile_force, name, "profile"
    return None, None, None


class Filter:
    """Which incidents to list: a time window (``until`` exclusive), kinds, a force, unreported only.

    ``profile_force_id`` is the profile's force: incidents with no place-based force fall to it
    (as every view shows). A plain class rather than a dataclass: ``incidents list`` would load
    ``dataclasses`` (and ``inspect``) for it alone, a tenth of its own time.
    """

    __slots__ = ("force_id", "ids", "kinds", "profile_force_id", "since", "unreported", "until")

    def __init__(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        kinds: Sequence[str] = (),
        force_id: str | None = None,
        unreported: bool = False,
        ids: Sequence[int] = (),
        profile_force_id: str | None = None,
    ) -> None:
        self.since, self.until, self.kinds, self.force_id = since, until, kinds, force_id
        self.unreported, self.ids, self.profile_force_id = unreported, ids, profile_force_id

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Filter({', '.join(f'{n}={getattr(self, n)!r}' for n in self.__slots__)})"


class Summary(NamedTuple):
    """One incident as listed: its current values and counts."""

    id: int
    occurred_at: str
    time_known: bool
    kind: str
    place: str
    postcode: str | None
    force_id: str | None
    force_name: str | None
    force_source: str | None
    evidence_count: int
    reported_to: list[str]
    police_reported: bool
    amendments: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape used by ``incidents list --json``."""
        return self._asdict()


SUMMARY_SQL = (
    "SELECT i.id, i.occurred_at, i.time_known, i.kind, i.place, i.postcode, i.force_id, i.force_name,"
    " (SELECT count(*) FROM evidence e WHERE e.incident_id = i.id), i.reports, i.police_reported,"
    " i.amendment_count FROM incidents i {where} ORDER BY i.occurred_utc, i.id"
)
_FROM = " FROM incidents i "
#: only the ids, in the listing's order (an export of 100,000 incidents needs no more to begin)
IDS_SQL = "SELECT i.id FROM incidents i {where} ORDER BY i.occurred_utc, i.id"
#: where each report went (the platform's name for a platform), as ``report_label`` names it before the reference.
_ROUTES = (
    "(SELECT group_concat(CASE WHEN json_extract(r.value, '$.to') = 'platform'"
    " AND coalesce(json_extract(r.value, '$.platform'), '') <> '' THEN 'p:' || json_extract(r.value, '$.platform')"
    " ELSE 'r:' || json_extract(r.value, '$.to') END, char(31)) FROM json_each(i.reports) r)"
)
#: the same on PostgreSQL.
#: a set of incident ids given as one parameter, a JSON array (on PostgreSQL: :data:`_ID_SET_PG`)
_ID_SET = "(SELECT value FROM json_each(?))"
_ID_SET_PG = "(SELECT value::bigint FROM json_array_elements_text(?::json))"
_ROUTES_PG = (
    "(SELECT string_agg(CASE WHEN r.v->>'to' = 'platform' AND coalesce(r.v->>'platform', '') <> ''"
    " THEN 'p:' || (r.v->>'platform') ELSE 'r:' || (r.v->>'to') END, chr(31) ORDER BY r.n)"
    " FROM jsonb_array_elements(i.reports::jsonb) WITH ORDINALITY AS r(v, n))"
)
#: only the columns the ``incidents list`` table shows; the last is :func:`routes_text`'s input
#: (on a server store ``_ROUTES`` is replaced by ``_ROUTES_PG``).
TABLE_SQL = (
    "SELECT i.id, i.occurred_at, i.time_known, i.kind, i.place, i.force_id, i.force_name,"
    f" (SELECT count(*) FROM evidence e WHERE e.incident_id = i.id), {_ROUTES}"
    " FROM incidents i {where} ORDER BY i.occurred_utc, i.id"
)


def routes_text(routes: str | None) -> str:
    """``101, platform name``: where an incident was reported, each route once (``-`` for nowhere)."""
    if not routes:
        return "-"
    names = (r[2:] if r[0] == "p" else REPORT_LABELS.get(r[2:], r[2:]) for r in routes.split("\x1f"))
    return ", ".join(dict.fromkeys(n.split(" (ref")[0] for n in names)) or "-"


def make_filter(
    since: str | None, until: str | None, kind_texts: Sequence[str], force: str | None, unreported: bool
) -> Filter:
    """A list filter from the command line's words; ``until`` a date means to the end of that day."""
    problems: list[str] = []
    flt = Filter(unreported=unreported, profile_force_id=profile_force_id())

    def attempt(label: str, fn: Any) -> Any:
        try:
            return fn()
        except CampaignsafeError as exc:
            problems.append(f"{label}: {exc.message}")
            return None

    if since or until:
        from campaignsafe.incidents import when  # only when asked: the plain list stays lean
    if since:
        got = attempt("--since", lambda: when.parse(since, future=True))  # (a window may reach past now)
        flt.since = got.at if got else None
    if until:
        got = attempt("--until", lambda: when.parse(until, future=True))
        if got:
            flt.until = got.at + (timedelta(days=1) if not got.time_known else timedelta(seconds=1))
    if kind_texts:
        from campaignsafe.incidents import kinds

        flt.kinds = [k for k in (attempt("--kind", lambda t=t: kinds.parse_kind(t)) for t in kind_texts) if k]
    if force:
        found = attempt("--force", lambda: find_force(force))
        flt.force_id = found.code if found else None
    if problems:
        raise InputError("; ".join(problems), code="bad_filter")
    return flt


def find_force(text: str) -> Any:
    """The police force (a ``Place``) that ``text`` names by id or name; NotFoundError quoting none of it."""
    from campaignsafe.contact import places

    try:
        return places.find(text, kinds=("force",))[0]
    except CampaignsafeError as exc:
        message = (  # the hint names forces, never what was typed: said in the message, which every form shows
            f"more than one police force matches that name ({exc.hint})"
            if exc.code == "place_ambiguous" and exc.hint
            else "no police force matches that id or name"
        )
        raise type(exc)(message, exc.hint, code=exc.code) from None


def summaries(conn: Conn, flt: Filter) -> list[Summary]:
    """Run the listing query."""
    labels = Labels()
    got = rows(conn, flt)
    imported = _recorders(conn, {int(r[0]) for r in got})  # another person's: their force, never this profile's
    return [_summary(r, labels, (imported[r[0]][1] or None) if r[0] in imported else flt.profile_force_id) for r in got]


def ids(conn: Conn, flt: Filter) -> list[int]:
    """The ids of the incidents ``flt`` selects, in the listing's order."""
    return [int(r[0]) for r in rows(conn, flt, IDS_SQL)]


def _summary(r: Sequence[Any], labels: Labels, mine: str | None) -> Summary:
    return Summary(r[0], r[1], bool(r[2]), r[3], r[4], r[5], *force_of(r[6], r[7], r[5], mine), r[8], labels(r[9]),
                   bool(r[10]), r[11])  # fmt: skip


def rows(conn: Conn, flt: Filter, sql: str = SUMMARY_SQL) -> list[tuple[Any, ...]]:
    """The raw rows of a listing query (``SUMMARY_SQL`` or ``TABLE_SQL``) for ``flt``."""
    from campaignsafe.incidents import backend

    where, args = _where(flt, _later_forces(conn) if flt.force_id else {})
    query = sql.format(where=where)
    if backend.is_pg(conn):
        query = query.replace(_ROUTES, _ROUTES_PG).replace(_ID_SET, _ID_SET_PG)
    return list(conn.execute(query, args).fetchall())


def list_rows(
    flt: Filter, sql: str = SUMMARY_SQL, path: Path | None = None
) -> tuple[list[tuple[Any, ...]], dict[int, Recorder], dict[int, str]]:
    """:func:`rows` from the store (migrating it if needed), for printing a list with no objects in between.

    Also, from the same connection: id → who recorded it and their profile's force (:data:`Recorder`)
    for each imported incident listed, and id → campaign on a server store with campaigns.
    """
    from campaignsafe.incidents import backend, schema

    conn, where = backend.connect(path)
    try:
        with schema.errors(where):
            server = backend.is_pg(conn)
            # on a server, each row's campaign comes last in the same query (the columns before it are unchanged)
            got = rows(conn, flt, sql.replace(_FROM, ", i.campaign" + _FROM, 1) if server else sql)
            campaigns: dict[int, str] = {}
            if server:
                campaigns = {int(r[0]): str(r[-1]) for r in got if r[-1]}
                got = [r[:-1] for r in got]
            return got, _recorders(conn, {int(r[0]) for r in got}), campaigns
    finally:
        conn.close()


def unreadable(exc: TypeError, rows: Sequence[Sequence[Any]]) -> Exception:
    """What to raise when listed ``rows`` could not be written out: a column changed in a SQLite store to bytes
    (a BLOB) is a damaged row (exit 5), as one that is not UTF-8 is; any other TypeError is ``exc`` itself (a
    bug, reported as one)."""
    from campaignsafe import paths
    from campaignsafe.incidents import backend, schema

    if backend.url() or not any(type(v) is bytes for r in rows for v in r):
        return exc
    return schema.damaged_row(paths.home() / "incidents.db", "a stored row")


#: who recorded an imported incident (initials, else name; None when not given) and the force in their profile
#: (``""`` when not known: see ``provenance.recorder_force``)
Recorder = tuple[str | None, str]


def _recorders(conn: Conn, wanted: set[int]) -> dict[int, Recorder]:
    from campaignsafe.incidents import backend

    if not wanted or not backend.has_table(conn, "provenance"):
        return {}
    imported = conn.execute("SELECT incident_id, recorded_by FROM provenance").fetchall()
    if not imported:  # nothing imported (most records): the provenance module is not even loaded
        return {}
    from campaignsafe.incidents.provenance import later_forces, recorder_force

    out: dict[int, Recorder] = {}
    later = later_forces(conn)
    for iid, by in imported:
        if int(iid) in wanted:
            try:
                person = json.loads(by)
                who = (person.get("initials") or person.get("name")) if isinstance(person, dict) else None
                # a number, a list: damaged, not named
                out[int(iid)] = (who if isinstance(who, str) else None, later.get(int(iid), recorder_force(person)))
            except (ValueError, TypeError, RecursionError):  # damaged: listed, not fatal (check says what)
                out[int(iid)] = (None, "")
    return out


class Labels:
    """The report labels of a row's ``reports`` JSON, parsed once for each distinct value (most repeat)."""

    def __init__(self) -> None:
        self._seen: dict[str, list[str]] = {}

    def __call__(self, reports_json: str) -> list[str]:
        got = self._seen.get(reports_json)
        if got is None:
            try:
                got = [report_label(r["to"], r.get("platform"), r.get("reference")) for r in json.loads(reports_json)]
                if not all(isinstance(x, str) for x in got):  # a route or a platform that is not text
                    raise TypeError
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError):  # damaged: listed, not fatal
                got = ["(unreadable: run campaignsafe check)"]
            self._seen[reports_json] = got
        return list(got)


#: an incident recorded here, not imported from another person's record (whose force is never this profile's)
NOT_IMPORTED = "NOT EXISTS (SELECT 1 FROM provenance p WHERE p.incident_id = i.id)"
#: an imported incident whose recorder's profile force is the one asked for (the parameter: ``%"force_id": "ID"%``,
#: as ``json.dumps`` writes the recorder at import; the same SQL on PostgreSQL, where ``recorded_by`` is text too)
THEIRS = "EXISTS (SELECT 1 FROM provenance p WHERE p.incident_id = i.id AND p.recorded_by LIKE ?)"


def _later_forces(conn: Conn) -> dict[int, str]:
    from campaignsafe.incidents import backend, provenance

    return provenance.later_forces(conn) if backend.has_table(conn, "provenance") else {}


def _where(flt: Filter, later: dict[int, str] | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters; ``later``: the recorder's forces later imports brought (id → force),
    which stand in for the one kept with the incident's provenance."""
    clauses: list[str] = []
    args: list[Any] = []
    if flt.since is not None:
        clauses.append("i.occurred_utc >= ?")
        args.append(utc_key(flt.since))
    if flt.until is not None:
        clauses.append("i.occurred_utc < ?")
        args.append(utc_key(flt.until))
    if flt.kinds:
        clauses.append(f"i.kind IN ({','.join('?' * len(flt.kinds))})")
        args += list(flt.kinds)
    if flt.force_id:  # with those that fall to it: the profile's force, or an imported one's recorder's
        mine = f" OR (i.force_id IS NULL AND {NOT_IMPORTED})" if flt.force_id == flt.profile_force_id else ""
        theirs, extra = THEIRS, list[str]()
        if later:  # a later import's force for an incident stands in for the first import's
            said = sorted(later)
            now = [i for i in said if later[i] == flt.force_id]
            # each list one parameter, a JSON array, however long (SQLite takes 32,766 parameters a query by default)
            theirs = f"({THEIRS} AND i.id NOT IN {_ID_SET})" + (f" OR i.id IN {_ID_SET}" if now else "")
            extra = [json.dumps(said), *([json.dumps(now)] if now else [])]
        clauses.append(f"(i.force_id = ?{mine} OR (i.force_id IS NULL AND ({theirs})))")
        args += [flt.force_id, f'%"force_id": {json.dumps(flt.force_id)}%', *extra]
    if flt.unreported:
        clauses.append("i.police_reported = 0")
    if flt.ids:
        clauses.append(f"i.id IN ({','.join('?' * len(flt.ids))})")
        args += list(flt.ids)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args
