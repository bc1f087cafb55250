"""Links across incidents: every identifier that appears in more than one incident.

Written against one narrow read interface, the incidents as the store returns them
(:class:`~campaignsafe.incidents.models.Incident`, each read as it now stands, amendments
applied), so any store can serve it::

    linker = Linker(ignore=own_identifiers(profile.name, profile.phone, profile.email))
    for incident in incidents:        # one pass; only the identifiers are kept
        linker.add(incident)
    linker.links()                    # list[Link], most incidents first

Identifiers are read from the structured fields (people's names, handles and contact details,
vehicle registrations, evidence addresses) and, for phones, emails, web addresses and
registrations, from the descriptions too; each is normalised by :mod:`.identifiers` before it is
compared. Deleted incidents are not in the store, so they link nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from campaignsafe.incidents import identifiers as ids

if TYPE_CHECKING:
    from campaignsafe.incidents.listing import Filter
    from campaignsafe.incidents.models import Incident

#: identifier kinds, in the order links of equal size are listed (strongest first).
KINDS = ("handle", "phone", "email", "registration", "url", "name")
KIND_LABELS = {
    "handle": "Handle",
    "phone": "Phone",
    "email": "Email",
    "registration": "Vehicle",
    "url": "Web address",
    "name": "Name",
}
_ROLE = {"victim": "victim's", "suspect": "suspect's", "witness": "witness's", "other": "other person's"}
_TOKEN_SPLIT = re.compile(r"[,;\s]+")
#: said beside a handle of no platform that joins a platform's link: the match is possible, not known.
POSSIBLY = "platform not given: possibly the same account"
_AT_HANDLE = re.compile(r"(?<![\w.@])@[\w.\-]{1,100}")


@dataclass(frozen=True)
class Sighting:
    """One identifier in one incident: its kind, normal form, how it was written and where."""

    kind: str
    value: str
    written: str
    found_in: str


@dataclass
class LinkedIncident:
    """An incident a link joins: what a list of incidents shows, and where the identifier was found."""

    id: int
    occurred_at: datetime
    kind: str
    force_id: str | None
    force_name: str | None
    found_in: list[str]
    #: the campaign it belongs to, on a server store with campaigns (what an HQ role sees); None otherwise
    campaign: str | None = None
    #: where the force came from (``listing.FORCE_SOURCES``): the place's postcode, as given, or the profile
    force_source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape (``occurred_at`` as ISO 8601; ``campaign`` only where the store has campaigns)."""
        out = dict(self.__dict__)
        out["occurred_at"] = self.occurred_at.isoformat()
        if self.campaign is None:
            del out["campaign"]
        return out


@dataclass
class Link:
    """An identifier seen in more than one incident."""

    kind: str
    value: str
    seen_as: list[str]
    incidents: list[LinkedIncident]

    @property
    def label(self) -> str:
        """How a person reads the value: ``@angryvoter on X``, ``+447700900123``, ``AB12CDE``."""
        return label(self.kind, self.value)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``incidents links --json`` and of the export's ``links``."""
        return {
            "kind": self.kind,
            "value": self.value,
            "label": self.label,
            "seen_as": list(self.seen_as),
            "incidents": [i.as_dict() for i in self.incidents],
        }


def label(kind: str, value: str) -> str:
    """A normal form as a person reads it."""
    if kind == "handle":
        pid, sep, name = value.partition(":@")
        return f"@{name} on {ids.platform_label(pid)}" if sep else f"{value} (platform not given)"
    return value


# -- reading one incident ------------------------------------------------------------------------


def sightings(incident: Incident, current: Incident | None = None) -> list[Sighting]:
    """Every identifier in one stored incident as it now reads (amendments applied; ``current`` if known)."""
    cur = current or incident.current()
    out: list[Sighting] = []
    for p in cur.people:
        who = _ROLE.get(p.role, "person's")
        on = p.platform or cur.platform
        if p.name:
            value = ids.name(p.name)
            if value:
                out.append(Sighting("name", value, p.name, f"{who} name"))
        if p.handle:
            for token in _TOKEN_SPLIT.split(p.handle):
                out += _handle_or_url(token, on, f"{who} handle")
        if p.contact:
            out += _contact(p.contact, on, f"{who} contact")
        if p.description:
            out += _text(p.description, f"{who} description")
    for v in cur.vehicles:
        if v.registration:
            value = ids.registration(v.registration)
            if value:
                out.append(Sighting("registration", value, v.registration, "vehicle registration"))
        if v.description:
            found = ids.registrations_in(v.description)
            out += [Sighting("registration", n, w, "vehicle description") for n, w in found]
    out += _text(cur.description, "description")
    for ev in incident.evidence:
        if ev.url:
            out += _address(ev.url, f"exhibit {ev.exhibit_ref}")
    return out


def _handle_or_url(token: str, on: str | None, where: str) -> list[Sighting]:
    token = token.strip()
    if not token:
        return []
    if ids.url(token) and ("/" in token or "://" in token):
        return _address(token, where)
    value = ids.handle(token, on)
    return [Sighting("handle", value, token, where)] if value else []


def _address(text: str, where: str) -> list[Sighting]:
    """A web address, and the account (or WhatsApp number) it points to."""
    out = []
    value = ids.url(text)
    if value:
        out.append(Sighting("url", value, text, where))
    account = ids.url_account(text)
    if account:
        out.append(Sighting(account[0], account[1], text, where))
    return out


def _contact(text: str, on: str | None, where: str) -> list[Sighting]:
    """A contact field: one phone, email or handle, or several among other words."""
    whole = text.strip()
    for kind, fn in (("phone", ids.phone), ("email", ids.email)):
        value = fn(whole)
        if value:
            return [Sighting(kind, value, whole, where)]
    out = _text(text, where, registrations=False)
    rest = _blank(text, [*ids.EMAIL_IN_TEXT.finditer(text)])
    for m in _AT_HANDLE.finditer(rest):
        value = ids.handle(m.group(), on)
        if value:
            out.append(Sighting("handle", value, m.group(), where))
    return out


def _blank(text: str, matches: Iterable[re.Match[str]]) -> str:
    """``text`` with the matched spans blanked (so a number inside an address is not read as a phone)."""
    chars = list(text)
    for m in matches:
        chars[m.start() : m.end()] = " " * (m.end() - m.start())
    return "".join(chars)


def _text(text: str, where: str, registrations: bool = True) -> list[Sighting]:
    """Phones, emails, web addresses (and their accounts) and registrations written in running text."""
    out: list[Sighting] = []
    urls = list(ids.URL_IN_TEXT.finditer(text))
    for m in urls:
        out += _address(m.group().rstrip(".,;:!?)"), where)
    emails = list(ids.EMAIL_IN_TEXT.finditer(text))
    for m in emails:
        value = ids.email(m.group())
        if value:
            out.append(Sighting("email", value, m.group(), where))
    rest = _blank(text, [*urls, *emails])
    for m in ids.PHONE_IN_TEXT.finditer(rest):
        value = ids.phone(m.group())
        if value:
            out.append(Sighting("phone", value, m.group().strip(), where))
    if registrations:
        out += [Sighting("registration", n, w, where) for n, w in ids.registrations_in(rest)]
    return out


# -- across incidents ----------------------------------------------------------------------------


def own_identifiers(name: str | None, phone: str | None, email: str | None) -> set[tuple[str, str]]:
    """The record keeper's own name, phone and email (from the profile): they would join every incident."""
    out = set()
    for kind, fn, text in (("name", ids.name, name), ("phone", ids.phone, phone), ("email", ids.email, email)):
        value = fn(text)
        if value:
            out.add((kind, value))
    return out


@dataclass
class _Seen:
    written: set[str] = field(default_factory=set)
    found_in: dict[int, list[str]] = field(default_factory=dict)  # incident id -> fields


class Linker:
    """Collects identifiers incident by incident (one pass; only identifiers and each incident's
    date, kind and force are kept, never the record) and gives the links."""

    def __init__(self, ignore: Iterable[tuple[str, str]] = (), profile_force: str | None = None) -> None:
        self.ignore = set(ignore)
        self.profile_force = profile_force  # the force of an incident with no place-based force
        self.count = 0
        self._seen: dict[tuple[str, str], _Seen] = {}
        self._about: dict[int, tuple[datetime, str, str | None, str | None]] = {}
        self._source: dict[int, str | None] = {}
        self._campaign: dict[int, str] = {}

    def add(self, incident: Incident, campaign: str | None = None, theirs: str | None = None) -> None:
        """Take in one stored incident (and, on a server store with campaigns, its campaign); ``theirs`` as for
        ``provenance.theirs`` (None: recorded here)."""
        if campaign:
            self._campaign[incident.id] = campaign
        self.count += 1
        cur = incident.current()
        for s in sightings(incident, cur):
            key = (s.kind, s.value)
            if key in self.ignore:
                continue
            seen = self._seen.setdefault(key, _Seen())
            seen.written.add(s.written)
            fields = seen.found_in.setdefault(incident.id, [])
            if s.found_in not in fields:
                fields.append(s.found_in)
            if incident.id not in self._about:
                from campaignsafe.incidents.listing import force_of

                loc = cur.location
                mine = self.profile_force if theirs is None else theirs or None  # another person's: theirs
                fid, name, source = force_of(loc.force_id, loc.force_name, loc.postcode, mine)
                self._about[incident.id] = (cur.occurred_at, cur.kind, fid, name)
                self._source[incident.id] = source

    def links(self) -> list[Link]:
        """Identifiers in two incidents or more: most incidents first, then by kind (see KINDS) and value.

        A handle given with no platform (``@name``) may be the same account as ``@name`` on a platform: the
        incidents it is in join that platform's link, each saying the platform was not given there
        (``POSSIBLY``), so an officer sees the possible match without it being stated as the same account.
        """
        out = []
        for (kind, value), seen in self._seen.items():
            found = dict(seen.found_in)
            written = set(seen.written)
            pid, sep, name = value.partition(":@")
            bare = self._seen.get((kind, f"@{name}")) if kind == "handle" and sep and pid else None
            if bare is not None:
                written |= bare.written
                for i, fields in bare.found_in.items():
                    found[i] = [*found.get(i, []), *(f"{f} ({POSSIBLY})" for f in fields)]
            if len(found) > 1:
                incidents = (
                    LinkedIncident(i, *self._about[i], f, self._campaign.get(i), self._source[i])
                    for i, f in found.items()
                )
                out.append(Link(kind, value, sorted(written), sorted(incidents, key=_when_id)))
        out.sort(key=lambda lk: (-len(lk.incidents), KINDS.index(lk.kind), lk.value))
        return out


def _when_id(i: LinkedIncident) -> tuple[str, int]:
    from campaignsafe.incidents.listing import utc_key

    return utc_key(i.occurred_at), i.id


def find(incidents: Iterable[Incident], ignore: Iterable[tuple[str, str]] = ()) -> list[Link]:
    """The links among ``incidents`` (as the store returns them), leaving out ``ignore``d identifiers."""
    linker = Linker(ignore)
    for incident in incidents:
        linker.add(incident)
    return linker.links()


@dataclass
class Found:
    """What ``incidents links`` reports: how many incidents were read and the links among them."""

    incidents: int
    links: list[Link]
    ignored_own: bool


def in_store(flt: Filter) -> Found:
    """The links among the stored incidents matching ``flt``, without the profile's own name, phone and email."""
    from campaignsafe import profile
    from campaignsafe.incidents.store import Store

    prof = profile.load()
    linker = Linker(own_identifiers(prof.name, prof.phone, prof.email), prof.force_id)
    with Store.open() as store:
        campaigns = store.campaigns()
        imported = _imported(store.conn)
        for incident in _each(store, flt):
            linker.add(incident, campaigns.get(incident.id), imported.get(incident.id))
    return Found(linker.count, linker.links(), bool(linker.ignore))


def _imported(conn: Any) -> dict[int, str]:
    """The incidents imported from another person's record: id → the force in their profile (``""``: not known)."""
    from campaignsafe.incidents import backend
    from campaignsafe.incidents.provenance import recorder_force

    if not backend.has_table(conn, "provenance"):
        return {}
    out = {}
    for iid, by in conn.execute("SELECT incident_id, recorded_by FROM provenance"):
        try:
            out[int(iid)] = recorder_force(json.loads(by))
        except (ValueError, TypeError, RecursionError):  # damaged: no force of theirs (check says what)
            out[int(iid)] = ""
    return out


def _each(store: Any, flt: Filter) -> Iterator[Incident]:
    return iter(store.each(store.ids(flt)))
