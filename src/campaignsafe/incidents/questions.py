"""The guided-entry questions: wording, defaults, when each is asked, and how an answer is checked.

No printing here: ``cli/_guided.py`` asks, this module decides what an answer means. Answers
are stored in the draft already checked and normalised (``now`` becomes the moment it was
typed), so resuming later never changes their meaning.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from campaignsafe.errors import CampaignsafeError, InputError
from campaignsafe.incidents import inputs, kinds

if TYPE_CHECKING:
    from campaignsafe.incidents.when import When

Answers = dict[str, Any]
#: (normalised value, a short echo shown to the user or None)
Checked = tuple[Any, str | None]
POLICE_CHOICES = ("no", "999", "101", "online", "police")


@dataclass(frozen=True)
class Question:
    """One question. ``shape``: ``line`` (one line), ``text`` (paragraph) or ``lines`` (one item a line)."""

    id: str
    text: str
    hint: str = ""
    shape: Literal["line", "text", "lines"] = "line"
    required: bool = False
    default: Callable[[Answers], str | None] | None = None
    ask_if: Callable[[Answers], bool] | None = None
    check: Callable[[str, Answers], Checked] | None = None
    #: Enter on the default records no answer: the record falls back to where the default came from (the
    #: profile's force), marked so, rather than stating it as given
    default_unsaid: bool = False

    def applies(self, answers: Answers) -> bool:
        """Whether the question is asked, given the answers so far."""
        return self.ask_if is None or self.ask_if(answers)


def _when(value: str, _a: Answers) -> Checked:
    from campaignsafe.incidents.when import iso, parse

    got = parse(value)
    return (iso(got.at) if got.time_known else got.at.date().isoformat()), _read_back(got, value)


def _read_back(got: When, typed: str) -> str:
    """A time as understood, said as UK time when it was given in another zone (``18:30 UTC`` → ``… 19:30 UK
    time`` in summer): the record keeps the UK's clock, and the change should not go unsaid."""
    from campaignsafe.incidents.when import describe, zone_given

    said = describe(got)  # in the repeated hour it names its zone already ("01:30 GMT")
    zoned = got.time_known and not got.counted and zone_given(typed) and not said.endswith(("GMT", "BST"))
    return said + (" UK time" if zoned else "")


def _postcode(value: str, a: Answers) -> Checked:
    from campaignsafe.errors import NotFoundError
    from campaignsafe.incidents.entry import resolve_location
    from campaignsafe.incidents.models import LocationIn

    if value.strip().lower() in ("none", "-", "no"):  # Enter takes the postcode offered from the place's words
        return "", "no postcode: the police force is asked next"
    written = _postcode_in_place(a)
    # Enter takes a postcode offered from the place's words, so going on without one is said another way
    go_on = _GO_ON.format(how="type none" if written else "press Enter")
    try:
        loc = resolve_location(LocationIn(text=a.get("place") or "-", postcode=value))
    except NotFoundError as exc:
        raise InputError(_no_such_postcode(exc), go_on, code="postcode_not_found") from None
    except InputError as exc:  # its hint names the flags, which the form has none of
        raise InputError(exc.message, go_on, code=exc.code) from None
    said = (
        f"{loc.force_name} (999 if it is still happening; otherwise 101 or online)"
        if loc.force_name
        else "more than one police force covers this area: you will be asked which"
    )
    if written and written != loc.postcode:  # the guided form shows the user their own answers
        said += f"; the place's words give {written}: check which is right (either can be changed on the review)"
    return loc.postcode, said


_GO_ON = "check it, or {how} to go on without one; the police force is then asked"


def _no_such_postcode(exc: Exception) -> str:
    """Plain words for a postcode that does not exist, naming its area's force where one is clear."""
    from campaignsafe.errors import CampaignsafeError

    text = exc.message if isinstance(exc, CampaignsafeError) else str(exc)
    area = getattr(exc, "answer", None)
    forces = [f["name"] for f in getattr(area, "main_forces", [])]
    if area is not None and len(forces) == 1:
        text += f"; its area is covered by {forces[0]}"  # the area's name is part of what was typed
    return text


def _force(value: str, _a: Answers) -> Checked:
    from campaignsafe.incidents.entry import resolve_location
    from campaignsafe.incidents.models import LocationIn

    loc = resolve_location(LocationIn(text="-", force_id=value))
    return loc.force_id, loc.force_name


def _postcode_in_place(a: Answers) -> str | None:
    """The full postcode written in the answer to "where", offered as the postcode (Enter takes it); none offered
    when it holds two."""
    from campaignsafe.contact import postcode

    found = postcode.find_all_in(str(a.get("place") or ""))
    return found[0] if len(found) == 1 else None


def _profile_force(_a: Answers) -> str | None:
    """The user's own force (from the profile) as the default, by name."""
    from campaignsafe import profile
    from campaignsafe.contact.forces import force_routes

    fid = profile.load().force_id
    return str((force_routes(fid) or {}).get("name", fid)) if fid else None


def _no_force(a: Answers) -> bool:
    if not a.get("postcode"):
        return True
    try:
        from campaignsafe.incidents.entry import resolve_location
        from campaignsafe.incidents.models import LocationIn

        return resolve_location(LocationIn(text="-", postcode=a["postcode"])).force_id is None
    except CampaignsafeError:
        return True


def _kind(value: str, _a: Answers) -> Checked:
    kid = kinds.parse_kind(value)
    return kid, kinds.label(kid)


def _file(value: str, _a: Answers) -> Checked:
    from campaignsafe.incidents import evidence

    path = _dropped(value)
    problem = evidence.problem(path)
    if problem:
        raise InputError(problem, code="bad_file")
    from campaignsafe.incidents.models import size_text

    # said back, so a wrong file is seen before saving (its name was checked as text by evidence.problem);
    # a long name is shortened in the middle, keeping its end (the extension) so the line stays readable
    name = os.path.basename(path)
    if len(name) > _NAME_SHOWN:
        name = name[: _NAME_SHOWN - 21] + "…" + name[-20:]
    return path, f"{name}, {size_text(os.path.getsize(path))}: copied in when the incident is saved"


def _dropped(value: str) -> str:
    """The file a typed or dragged-in answer names: quotes (Windows) and, where the path as typed is not there, a
    shell's backslash escapes (macOS Terminal drops ``Screenshot\\ 2026-05-01\\ at\\ 18.30.png``) taken off;
    several files dropped on one line are refused with how to give them."""
    path = os.path.abspath(os.path.expanduser(value.strip().strip("'\"")))
    if os.path.lexists(path) or sys.platform == "win32" or not ("\\" in value or " " in value.strip()):
        return path  # (on Windows a backslash separates folders)
    import shlex

    try:
        words = [os.path.abspath(os.path.expanduser(w)) for w in shlex.split(value.strip())]
    except ValueError:  # an unclosed quote: the answer as typed
        return path
    if len(words) > 1 and all(os.path.lexists(w) for w in words):  # several files dropped in at once
        raise InputError(f"that is {len(words)} files: give one a line (drop them in one at a time)", code="bad_file")
    return words[0] if len(words) == 1 and os.path.lexists(words[0]) else path


#: the most of an evidence file's name said back in the guided form (about one line of 80 columns with the rest).
_NAME_SHOWN = 40


def _url(value: str, _a: Answers) -> Checked:
    """A web address line; its ``seen_at=`` kept as the moment it names (``yesterday 9pm`` read on a resumed
    draft the next day would be a day out) and read back in words with the platform, its ``screenshot=`` as the
    whole path."""
    fields = inputs.item(value, "url", inputs.URL_FIELDS, "url")  # as typed
    data = inputs.with_platform(fields)
    from campaignsafe.incidents.identifiers import is_web_address

    if not is_web_address(data.get("url", "")):
        raise InputError("that is not a web address (e.g. https://x.com/name/status/1)", code="bad_url")
    said = None
    if data.get("seen_at"):
        from campaignsafe.incidents.models import seen
        from campaignsafe.incidents.when import When, describe, iso

        at = seen(data["seen_at"])  # asked again now, not refused at the end
        fields["seen_at"], said = iso(at), f"seen {describe(When(at))}"
    if "screenshot" in data:  # kept as the whole path: a draft resumed from another folder finds the same file
        fields["screenshot"] = _file(data["screenshot"], _a)[0]
    line = "; ".join([fields.pop("url"), *(f"{k}={v}" for k, v in fields.items())])
    return line, ", ".join(x for x in (data.get("platform"), said) if x) or None


def _person(role: str) -> Callable[[str, Answers], Checked]:
    def check(value: str, _a: Answers) -> Checked:
        inputs.person(role, value)
        return value.strip(), None

    return check


def _platform(value: str, _a: Answers) -> Checked:
    """A platform's name, kept as typed; one close to a platform campaignsafe knows (``Twiter``) is said, since
    ``incidents links`` matches handles by their platform, and the review screen can change it."""
    from campaignsafe.incidents import identifiers as ids

    near = ids.near_platform(value)
    if near is None:
        return value.strip(), None
    label = ids.platform_label(near)
    return value.strip(), f"kept as typed; if you meant {label}, change it on the review screen before saving"


def _vehicle(value: str, _a: Answers) -> Checked:
    found = inputs.vehicle(value).get("registration")
    return value.strip(), (f"registration {found}" if found else None)


def _police(value: str, _a: Answers) -> Checked:
    v = value.strip().lower()
    if v in ("n", "none", "not yet"):
        v = "no"
    elif v in ("officer", "an officer", "police officer", "a police officer"):
        v = "police"
    if v in ("yes", "y"):
        raise InputError("say how: 999, 101, online, or police for an officer", code="bad_choice")
    if v not in POLICE_CHOICES:
        from campaignsafe.usertext import near_best

        near = near_best(v, POLICE_CHOICES, 0.6)
        meant = f"did you mean {near[0]}? " if len(near) == 1 else ""
        raise InputError(f"{meant}answer one of: {', '.join(POLICE_CHOICES)}", code="bad_choice")
    return v, None


def _initials(value: str, _a: Answers) -> Checked:
    from pydantic import ValidationError

    from campaignsafe.profile import Profile

    try:
        return Profile(initials=value).initials, None
    except ValidationError:
        raise InputError("initials are 1 to 4 letters, e.g. JS", code="bad_initials") from None


def _needs_initials(a: Answers) -> bool:
    if not (a.get("files") or a.get("urls")):
        return False
    from campaignsafe import profile

    return not profile.load().initials


def _platform_known(a: Answers) -> bool:
    return bool(a.get("platform") or a.get("urls"))


def _online(a: Answers) -> bool:
    return str(a.get("place") or "").strip().lower() in ("online", "on line", "internet", "online.")


def _platform_fits(a: Answers) -> bool:
    """Platform only for kinds that happen by message (or anything whose place is 'online')."""
    return a.get("kind") in kinds.PLATFORM_KINDS or _online(a)


def _reported(a: Answers) -> bool:
    return a.get("reported_police") not in (None, "no")


_NOT_KNOWN = {"not known", "unknown", "don't know", "dont know", "?"}


def _reported_when(value: str, a: Answers) -> Checked:
    from campaignsafe.incidents.models import REPORTED_NEEDS_TIME
    from campaignsafe.incidents.when import before, iso, parse, too_early

    if value.strip().lower().rstrip(".!").replace("\u2019", "'") in _NOT_KNOWN:  # "Don’t know." as typed
        return "", "not known"
    got = parse(value)
    if not got.time_known:  # a day alone would be stored as its midnight, a time never given
        raise InputError(REPORTED_NEEDS_TIME.replace("leave it out", "say 'not known'"), code="bad_time")
    happened = parse(a["when"]) if a.get("when") else None  # as _when stored it: ISO, or the day alone
    if happened is not None and before(got.at, happened):
        raise InputError(f"{too_early(happened)}: give when you reported it")
    return iso(got.at), _read_back(got, value)


QUESTIONS: list[Question] = [
    Question("when", "When did it happen?", "e.g. now, today 18:30, yesterday 9pm, 1 May 2026 6pm",
             required=True, default=lambda a: "now", check=_when),
    Question("place", "Where did it happen?", "an address, street, venue, or 'online'", required=True),
    Question("postcode", "Postcode of that place", "optional: it finds the police force",
             default=_postcode_in_place, ask_if=lambda a: not _online(a), check=_postcode),
    Question("force", "Which police force covers it?", "its name, e.g. Kent Police",
             default=_profile_force, ask_if=_no_force, check=_force, default_unsaid=True),
    Question("kind", "What kind of incident was it?", "a number from the list, or its name",
             required=True, check=_kind),
    Question("description", "What happened?",
             "exact words in quotes; an empty line ends it", shape="text", required=True),
    Question("platform", "Which platform or service?", "just its name, e.g. X, Facebook, email, phone, letter",
             ask_if=_platform_fits, check=_platform),
    Question("people", "Who did it?",
             "one person a line: appearance, clothing, name or @handle if known", shape="lines",
             check=_person("suspect")),
    Question("vehicles", "Any vehicles?", "one a line: colour, make, registration", shape="lines", check=_vehicle,
             ask_if=lambda a: not _online(a)),
    Question("witnesses", "Any witnesses?", "one a line: their name; contact=how to reach them", shape="lines",
             check=lambda v, a: (inputs.witness(v) and v.strip(), None)),
    Question("files", "Evidence files?", "one path a line: screenshots, photos, recordings, letters",
             shape="lines", check=_file),
    Question("urls", "Web addresses?", "one a line: the post, profile or message", shape="lines", check=_url),
    Question("initials", "Your initials, for the exhibit references", "e.g. JS gives JS/1, JS/2, …",
             required=True, ask_if=_needs_initials, check=_initials),
    Question("impact", "How has it affected you?", "optional, in your own words"),
    Question("campaign_impact", "How has it affected the campaign?", "optional: events, canvassing, staff"),
    Question("reported_police", "Reported to the police yet?", "no, 999, 101, online, or police for an officer",
             default=lambda a: "no", check=_police),
    Question("reported_at", "When did you report it?", "e.g. now, today 18:30, yesterday 9pm, or not known",
             required=True, default=lambda a: "now", ask_if=_reported, check=_reported_when),
    Question("police_ref", "The police reference", "crime or incident number, if you were given one",
             ask_if=_reported),
    Question("platform_ref", "Reported to the platform?", "its reference, 'yes' if none, Enter for no",
             ask_if=_platform_known),
]  # fmt: skip
BY_ID = {q.id: q for q in QUESTIONS}


def to_raw(a: Answers) -> dict[str, Any]:
    """The answers as an incident (the shape of a ``--from-file`` file)."""
    raw: dict[str, Any] = {k: a[k] for k in ("kind", "description") if a.get(k)}
    if a.get("platform") and _platform_fits(a):  # an answer kept from a kind changed at the review
        raw["platform"] = a["platform"]
    if a.get("when"):
        raw["occurred_at"] = a["when"]
    raw["location"] = {"text": a.get("place"), "postcode": a.get("postcode"), "force_id": a.get("force")}
    raw["people"] = [inputs.person("suspect", t) for t in a.get("people") or []]
    raw["people"] += [inputs.witness(t) for t in a.get("witnesses") or []]
    raw["vehicles"] = [inputs.vehicle(t) for t in a.get("vehicles") or []]
    if a.get("impact") or a.get("campaign_impact"):
        raw["impact"] = {"personal": a.get("impact"), "campaign": a.get("campaign_impact")}
    raw["reports"] = []
    if a.get("reported_police") not in (None, "no"):
        raw["reports"].append(
            {"to": a["reported_police"], "reference": a.get("police_ref"), "reported_at": a.get("reported_at") or None}
        )
    ref = (a.get("platform_ref") or "").strip()
    if ref and ref.lower() not in ("no", "n"):
        platform = a.get("platform") or next(
            (inputs.platform_of(u) for u in a.get("urls") or [] if inputs.platform_of(u)), None
        )
        given = None if ref.lower() in ("yes", "y") else ref
        raw["reports"].append({"to": "platform", "platform": platform, "reference": given})
    raw["evidence"] = [{"path": p} for p in a.get("files") or []] + [inputs.url(u) for u in a.get("urls") or []]
    return raw


#: short labels for the review screen, in the order the questions are asked.
REVIEW_LABELS = {
    "when": "When", "place": "Where", "postcode": "Postcode", "force": "Police force", "kind": "Kind",
    "description": "What happened", "platform": "Platform", "people": "Who did it", "vehicles": "Vehicles",
    "witnesses": "Witnesses", "files": "Evidence files", "urls": "Web addresses", "initials": "Your initials",
    "impact": "Effect on you", "campaign_impact": "On the campaign", "reported_police": "Told the police",
    "reported_at": "Reported at", "police_ref": "Police ref.", "platform_ref": "Platform report",
}  # fmt: skip


#: answers saved though their question no longer applies (a vehicle given before Where was changed to online):
#: never dropped, so shown on the review screen too, which shows all that will be saved
_SAVED_UNASKED = ("postcode", "vehicles")


def review(a: Answers) -> list[tuple[str, str, str]]:
    """Every question that applies, as ``(question id, label, answer as text)``, for the review before saving."""
    out = []
    for q in QUESTIONS:
        if q.applies(a) or (q.id in _SAVED_UNASKED and a.get(q.id)):
            shown = _shown(q.id, a.get(q.id))
            if q.default_unsaid and not a.get(q.id) and q.default and (fallback := q.default(a)):
                shown = f"{fallback} (from your profile)"
            if q.id == "postcode" and (written := _postcode_in_place(a)) and a.get(q.id) != written:
                shown += f"; the place's words give {written}"
            out.append((q.id, REVIEW_LABELS.get(q.id, q.id), shown))
    return out


def _shown(qid: str, value: Any) -> str:
    """One answer as the user would read it back (a time in words, a kind by its label, a force by name)."""
    if value in (None, "", []):
        return "not known" if qid == "reported_at" else "(none)"  # answered "not known" (asked only when reported)
    try:
        if qid in ("when", "reported_at"):
            from campaignsafe.incidents.when import describe, parse

            return describe(parse(value))
        if qid == "kind":
            return kinds.label(value)
        if qid == "force":
            from campaignsafe.incidents.listing import force_name

            return force_name(value)
        if qid == "postcode":
            from campaignsafe.incidents.entry import resolve_location
            from campaignsafe.incidents.models import LocationIn

            found = resolve_location(LocationIn(text="-", postcode=value)).force_name
            return f"{value} ({found})" if found else str(value)
        if qid == "reported_police":
            return {"no": "not yet", "police": "yes, an officer"}.get(value, f"yes, {value}")
    except CampaignsafeError:
        pass
    if isinstance(value, list):
        return "; ".join(os.path.basename(v) if qid == "files" else str(v) for v in value)
    return str(value)
