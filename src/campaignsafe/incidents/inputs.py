"""Reading incidents from files and flags into plain dicts (validation happens in ``entry``).

Files are YAML or JSON holding one incident or a list. Repeatable flags take a short
``TEXT; key=value; …`` form, e.g. ``--suspect "man in a grey hoodie; handle=@angryvoter"``,
``--vehicle "silver Ford Focus; registration=AB12 CDE"``, ``--reported-to "101; reference=CAD 1234"``,
``--url "https://x.com/…; screenshot=shot.png"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from campaignsafe.errors import InputError

#: host (or its parent domain) → platform name shown in the record.
PLATFORMS = {
    "x.com": "X/Twitter",
    "twitter.com": "X/Twitter",
    "facebook.com": "Facebook",
    "fb.com": "Facebook",
    "instagram.com": "Instagram",
    "threads.net": "Threads",
    "tiktok.com": "TikTok",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "reddit.com": "Reddit",
    "linkedin.com": "LinkedIn",
    "bsky.app": "Bluesky",
    "t.me": "Telegram",
    "whatsapp.com": "WhatsApp",
    "nextdoor.co.uk": "Nextdoor",
    "nextdoor.com": "Nextdoor",
    "mastodon.social": "Mastodon",
}
_REG = re.compile(r"\b([A-Z]{2}[0-9]{2}\s?[A-Z]{3})\b")
_HANDLE = re.compile(r"(?<![\w@])(@[A-Za-z0-9_.]{1,50})")


def platform_of(url: str) -> str | None:
    """The platform a web address belongs to, when it is a well-known one."""
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        name = PLATFORMS.get(".".join(parts[i:]))
        if name:
            return name
    return None


#: where a ``--url`` value's address ends: the first ``;`` with a space beside it
_ADDRESS_END = re.compile(r"\s*;\s+|\s+;\s*")


def _url_parts(text: str, allowed: tuple[str, ...]) -> list[str]:
    """A ``--url`` value's address, then its fields (parted by ``;`` as in any flag). A ``;`` inside the address
    with no space beside it is the address's own (``?a=1;b=2``), unless a field's name follows it
    (``…/1;screenshot=x.png``): then which was meant is not known, and the value is refused."""
    end = _ADDRESS_END.search(text)
    address, rest = (text[: end.start()], text[end.end() :]) if end else (text, "")
    keys = "|".join(k.replace("_", "[_-]") for k in allowed)
    if re.search(rf";\s*(?:{keys})\s*=", address, re.IGNORECASE):
        raise InputError(
            "a field name follows a ';' in the address with no space, so it could be either: put a space after"
            " a field's ';' (URL; note=…), or write a ';' of the address as %3B",
            code="bad_flag",
        )
    return [address, *rest.split(";")] if end else [address]


def item(text: str, first: str, allowed: tuple[str, ...], what: str) -> dict[str, str]:
    """``"grey hoodie; name=Sam"`` → ``{first: "grey hoodie", "name": "Sam"}``; unknown keys refused.

    Parts without ``key=`` (or whose "key" is not a plain word, as in a URL's query) are free
    text, joined back with ``; `` into ``first`` in the order typed (``first=`` parts among them).
    Any other key given twice is refused: keeping one would silently lose the other. In a web address's value
    (``first`` is ``url``) a ``;`` with no space beside it is the address's own (``?a=1;b=2``), since an address
    holds no spaces: the fields after it are parted by ``; ``.
    """
    out: dict[str, str] = {}
    free: list[str] = []
    parts = _url_parts(text, allowed) if first == "url" else text.split(";")
    last = None  # the field given last: in a web address's value, text after it is its own
    for part in (p.strip() for p in parts):
        key, sep, value = part.partition("=")
        key = key.strip().lower().replace("-", "_")
        if sep and key == first:
            if value.strip():
                free.append(value.strip())
        elif sep and key in allowed:
            if key in out:
                raise InputError(f"{key}= is given twice in one {what}: give it once", code="bad_flag")
            out[key] = value.strip()
            last = key
        elif sep and re.fullmatch(r"[a-z_]+", key):
            raise InputError(f"unknown field in {what} (use {', '.join((first, *allowed))})", code="bad_flag")
        elif part and first == "url" and last is not None:  # "screenshot=my; shot.png": one file's name
            out[last] += "; " + part
        elif part:
            free.append(part)
    if free:
        out = {first: "; ".join(free), **out}
    return out


def made(texts: Sequence[str] | None, flag: str, make: Any, problems: list[str]) -> list[dict[str, Any]]:
    """Each value of a repeatable flag made into its item; one that cannot be is a problem named by its flag."""
    out = []
    for text in texts or []:
        try:
            out.append(make(text))
        except InputError as exc:
            problems.append(f"--{flag.replace('_', '-')}: {exc.message}")
    return out


def person(role: str, text: str) -> dict[str, Any]:
    """A person from a flag or an answer; an ``@handle`` (and ``on PLATFORM``) in the description is picked out.

    ``@angryvoter on X`` alone is the handle and its platform (no description repeating them).
    """
    data: dict[str, Any] = {"role": role, **item(text, "description", ("name", "handle", "platform", "contact"), role)}
    desc = data.get("description", "")
    alone = _HANDLE_ON.fullmatch(desc.strip())
    if alone and "handle" not in data:
        data["handle"] = alone.group(1)
        if alone.group(2) and "platform" not in data:
            data["platform"] = alone.group(2)
        del data["description"]
        return data
    found = _HANDLE.search(desc)
    if "handle" not in data and found:
        data["handle"] = found.group(1)
        on = _ON_PLATFORM.match(desc, found.end())
        if on and "platform" not in data and _known_platform(on.group(1)):
            data["platform"] = on.group(1)
    return data


_HANDLE_ON = re.compile(r"(@[A-Za-z0-9_.]{1,50})(?:\s+on\s+(\S.{0,39}))?")
_ON_PLATFORM = re.compile(r"\s+on\s+([A-Za-z][\w/.]{0,39})")


def _known_platform(name: str) -> bool:
    from campaignsafe.incidents import identifiers as ids

    pid = ids.platform(name)
    return bool(pid) and pid in ids.PLATFORMS


def witness(text: str) -> dict[str, Any]:
    """A witness: their name first, then ``contact=…``; ``Sam Jones, 07700 900123`` is a name and a contact."""
    from campaignsafe.incidents import identifiers as ids

    data = {"role": "witness", **item(text, "name", ("contact", "description", "handle"), "witness")}
    name, sep, last = data.get("name", "").rpartition(",")
    last = last.strip()
    reachable = ids.phone(last) or ids.email(last) or _HANDLE_ON.fullmatch(last)
    if sep and name.strip() and "contact" not in data and reachable:
        data["name"], data["contact"] = name.strip(), last
    return data


def vehicle(text: str) -> dict[str, Any]:
    """A vehicle; a UK registration in the description is picked out."""
    data: dict[str, Any] = dict(item(text, "description", ("registration",), "vehicle"))
    found = _REG.search(data.get("description", "").upper())
    if "registration" not in data and found:
        data["registration"] = found.group(1)
    return data


def report(text: str) -> dict[str, Any]:
    """``"101; reference=CAD 1234"`` → a report (``to`` first)."""
    data = item(text, "to", ("reference", "reported_at", "platform", "notes"), "reported-to")
    data["to"] = data.get("to", "").strip().lower()
    return data


#: the fields a ``--url`` value may give after the address
URL_FIELDS = ("screenshot", "seen_at", "platform", "note")


def url(text: str) -> dict[str, Any]:
    """``"https://…; screenshot=shot.png"`` → URL evidence with its platform worked out."""
    return with_platform(item(text, "url", URL_FIELDS, "url"))


def with_platform(fields: dict[str, str]) -> dict[str, Any]:
    """URL evidence's fields with the platform worked out from the address, unless one is given."""
    data: dict[str, Any] = dict(fields)
    if "platform" not in data and data.get("url"):
        found = platform_of(data["url"])
        if found:
            data["platform"] = found
    return data


def police_ref(reports: list[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    """Attach a police reference to the one police report lacking one, or add a report to the police."""
    from campaignsafe.incidents.listing import POLICE_ROUTES

    open_ = [r for r in reports if r.get("to") in POLICE_ROUTES and not r.get("reference")]
    if len(open_) == 1:
        open_[0]["reference"] = reference
    else:
        reports.append({"to": "police", "reference": reference})
    return reports


#: file field → the ``report`` flag that sets it, for naming problems in the user's own terms.
FLAG_FOR = {
    "occurred_at": "--when",
    "location.text": "--place",
    "location.postcode": "--postcode",
    "location.force_id": "--force",
    "location": "--place",
    "kind": "--kind",
    "platform": "--platform",
    "description": "--description",
    "impact.personal": "--impact",
    "impact.campaign": "--campaign-impact",
    "evidence": "--evidence/--url",
    "people": "--suspect/--victim/--witness",
    "vehicles": "--vehicle",
    "reports": "--reported-to",
}


_EVIDENCE_PROBLEM = re.compile(r"evidence #(\d+)(?:\.(\w+))?: ")


def evidence_problem(problem: str) -> tuple[int, str | None, str] | None:
    """``evidence #2.path: no such file`` → ``(1, "path", "no such file")`` (the index from 0); None for another
    field's problem."""
    found = _EVIDENCE_PROBLEM.match(problem)
    return (int(found[1]) - 1, found[2], problem[found.end() :]) if found else None


def in_flag_terms(problem: str) -> str:
    """``occurred_at: is required`` → ``--when: is required`` (lists keep their position)."""
    field, sep, rest = problem.partition(": ")
    if not sep:
        return problem
    base = re.sub(r" #\d+", "", field)
    for key in (base, base.split(".")[0]):
        if key in FLAG_FOR:
            item = evidence_problem(problem)  # which one, since the file's name is never shown
            which = f" (the {ordinal(item[0] + 1)})" if item else ""
            return f"{FLAG_FOR[key]}{which}: {rest}"
    return problem


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``11th``, ``23rd``."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def dash_problem(flag: str, value: Any) -> str | None:
    """``--impact -`` stored "-" as the effect on the user: only ``--description`` reads standard input, so a
    ``-`` alone for another text flag is refused, not kept as what the user said."""
    if flag == "description" or not isinstance(value, str) or value.strip() != "-":
        return None
    return f"--{flag.replace('_', '-')}: '-' reads standard input only for --description; give the text itself"


def from_flags(f: dict[str, Any], base: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """An incident from ``report``'s flags, laid over ``base`` (a resumed draft) when given,
    and the problems with flags that could not be read (to list with the rest)."""
    raw: dict[str, Any] = dict(base or {})
    problems = [p for k, v in f.items() if (p := dash_problem(k, v))]
    for key, flag in (("occurred_at", "when"), ("kind", "kind"), ("platform", "platform")):
        if f.get(flag) is not None:
            raw[key] = f[flag]
    if f.get("description") is not None:
        raw["description"] = f["description"]
    loc = dict(raw.get("location") or {})
    for key, flag in (("text", "place"), ("postcode", "postcode"), ("force_id", "force")):
        if f.get(flag) is not None:
            loc[key] = f[flag]
    if loc:
        raw["location"] = loc
    if f.get("impact") is not None or f.get("campaign_impact") is not None:
        impact = dict(raw.get("impact") or {})
        impact.update({k: f[n] for k, n in (("personal", "impact"), ("campaign", "campaign_impact")) if f.get(n)})
        raw["impact"] = impact

    def each(flag: str, make: Any) -> list[dict[str, Any]]:
        return made(f.get(flag), flag, make, problems)

    people = each("suspect", lambda t: person("suspect", t)) + each("victim", lambda t: person("victim", t))
    people += each("witness", witness)
    raw["people"] = list(raw.get("people") or []) + people
    raw["vehicles"] = list(raw.get("vehicles") or []) + each("vehicle", vehicle)
    reports = list(raw.get("reports") or []) + each("reported_to", report)
    if f.get("police_ref"):
        reports = police_ref(reports, f["police_ref"])
    raw["reports"] = reports
    files = [{"path": p} for p in f.get("evidence") or []]
    raw["evidence"] = list(raw.get("evidence") or []) + files + each("url", url)
    return raw, problems


@cache
def _yaml_loader() -> Any:
    """A YAML SafeLoader that leaves dates as text (so the ``when`` rules apply to them), refuses a
    key given twice in one mapping (rather than keeping the last) and refuses aliases (``*name``),
    whose expansion can make a small file enormous.

    A whole number written in one of YAML's other forms (a leading 0, which is octal, ``0x``, ``_``, or
    ``18:30``, which is base 60) is kept as the text written: ``contact: 01171234567`` is a phone number,
    not 20,787,191, and ``to: 0145`` is not the route 101. Plain decimals stay numbers, as in JSON.
    ``!!binary`` is refused (its bytes would skip the text rules), and a value its tag cannot make
    (``!!bool word``) is a YAML error, not an internal one.
    """
    import re

    import yaml

    decimal = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")

    class Loader(yaml.SafeLoader):
        def construct_yaml_int(self, node: Any) -> Any:
            text = self.construct_scalar(node)
            return super().construct_yaml_int(node) if decimal.fullmatch(text) else text

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep=deep)
            except ValueError as exc:
                if "digits" in str(exc):  # an integer of more than 4,300 digits: said as such (load_text)
                    raise
            except (TypeError, KeyError, AttributeError, OverflowError):  # "!!bool word", "!!timestamp x"
                pass
            raise yaml.constructor.ConstructorError(
                None, None, "a value does not fit the type its tag (!!…) names", node.start_mark
            ) from None

        def construct_yaml_binary(self, node: Any) -> Any:
            raise yaml.constructor.ConstructorError(
                None, None, "a !!binary value is not allowed here: write the text itself", node.start_mark
            )

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", mark)
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: set[Any] = set()
                for key_node, _value in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        raise yaml.constructor.ConstructorError(
                            None, None, "merge keys (<<:) are not allowed here: write the fields themselves",
                            key_node.start_mark,
                        )  # fmt: skip
                    key = self.construct_object(key_node, deep=True)
                    if isinstance(key, (str, int, float, bool)) or key is None:
                        if key in seen:
                            raise yaml.constructor.ConstructorError(
                                None, None, "the same key is given twice in one mapping", key_node.start_mark
                            )
                        seen.add(key)
            return super().construct_mapping(node, deep=deep)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:binary", Loader.construct_yaml_binary)
    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey
        out[key] = value
    return out


class _DuplicateKey(ValueError):
    pass


def load_file(path_text: str) -> list[Any]:
    """The incidents in a YAML or JSON file (one object or a list); InputError for anything else.

    Only a regular file (or ``-``, stdin) of at most ``inputfiles.IMPORT_MAX`` bytes is read.
    """
    from campaignsafe.inputfiles import read_capped, utf8_text

    name = "standard input" if path_text == "-" else "the --from-file file"  # its name is never quoted
    text = utf8_text(read_capped(path_text, what=name), name)
    try:
        data = _parse(text, name, Path(path_text).suffix.lower())
    except RecursionError:
        raise InputError(f"{name} is nested too deeply to be an incident file", code="bad_file") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InputError(f"{name} holds no incidents", code="bad_file")
    if not all(isinstance(x, dict) for x in items):
        raise InputError(f"{name} should hold an incident (an object) or a list of them", code="bad_file")
    return items


#: what PyYAML quotes from the file in a problem (a tag's name): its own tokens are in <…> or one character
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _unquoted(problem: str) -> str:
    return _QUOTED.sub(lambda m: m[0] if len(m[0]) <= 3 or m[0].startswith("'<") else "…", problem)


def _parse(text: str, name: str, suffix: str) -> Any:
    if suffix == ".json" or (suffix not in (".yaml", ".yml") and text.lstrip()[:1] in "[{"):
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{name} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}", code="bad_json"
            ) from None
        except _DuplicateKey:
            raise InputError(f"{name}: the same key is given twice in one object", code="bad_json") from None
        except ValueError:  # e.g. an integer of more than 4,300 digits
            raise InputError(f"{name} holds a number too long to read", code="bad_json") from None
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark is not None else ""
        problem = _unquoted(getattr(exc, "problem", None) or "cannot be read")  # a tag named in the file: theirs
        raise InputError(f"{name} is not valid YAML: {where}{problem}", code="bad_yaml") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise InputError(f"{name} holds a number too long to read", code="bad_yaml") from None
