"""Identifiers normalised for comparison: handles, phones, emails, registrations, URLs, names.

Each normaliser takes text as a person typed it and returns the normal form, or None when the
text is not that kind of identifier. Every one is idempotent (its output, fed back, comes out
unchanged) and never raises on any string. Normal forms:

- handle: ``x:@angryvoter`` (platform id, then the handle case-folded; no platform: ``@angryvoter``)
- phone: E.164, ``+447700900123`` (UK national forms read as +44)
- email: the whole address case-folded (local part too, as nearly every provider treats it)
- registration: upper case, no spaces or hyphens, ``AB12CDE``
- url: no scheme, ``www.``, fragment, tracking parameters or trailing slash; host lower case
- name: case, spacing, punctuation and diacritics folded, titles dropped; two words at least
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

#: platform id -> label; the aliases (names and web domains) people write for each.
PLATFORMS = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "threads": "Threads",
    "bluesky": "Bluesky",
    "linkedin": "LinkedIn",
    "reddit": "Reddit",
    "telegram": "Telegram",
    "snapchat": "Snapchat",
    "whatsapp": "WhatsApp",
}
ALIASES = {
    "twitter": "x",
    "xtwitter": "x",
    "twitterx": "x",
    "xformerlytwitter": "x",
    "xcom": "x",
    "twittercom": "x",
    "fb": "facebook",
    "facebookcom": "facebook",
    "insta": "instagram",
    "ig": "instagram",
    "instagramcom": "instagram",
    "tiktokcom": "tiktok",
    "yt": "youtube",
    "youtubecom": "youtube",
    "bsky": "bluesky",
    "bskyapp": "bluesky",
    "threadsnet": "threads",
    "linkedincom": "linkedin",
    "redditcom": "reddit",
    "tme": "telegram",
    "snap": "snapchat",
    "wa": "whatsapp",
}
#: web hosts (after ``www.``/``m.``/``mobile.`` are dropped) -> platform id.
HOSTS = {
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
    "linkedin.com": "linkedin",
    "reddit.com": "reddit",
    "old.reddit.com": "reddit",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "snapchat.com": "snapchat",
    "wa.me": "whatsapp",
}
#: one canonical host per platform, so twitter.com and x.com addresses compare equal.
CANONICAL_HOST = {"x": "x.com", "facebook": "facebook.com", "reddit": "reddit.com", "threads": "threads.net"}
#: first path parts that are a platform's own pages, not an account.
RESERVED = {
    "x": {
        "home",
        "search",
        "explore",
        "i",
        "intent",
        "hashtag",
        "settings",
        "messages",
        "notifications",
        "share",
        "login",
        "signup",
        "tos",
        "privacy",
        "compose",
    },
    "facebook": {
        "groups",
        "events",
        "pages",
        "photo",
        "photo.php",
        "watch",
        "story.php",
        "permalink.php",
        "sharer",
        "sharer.php",
        "login",
        "login.php",
        "marketplace",
        "hashtag",
        "share",
        "reel",
        "help",
        "policies",
    },
    "instagram": {"p", "reel", "reels", "explore", "accounts", "direct", "tv", "about", "legal"},
    "telegram": {"joinchat", "addstickers", "share", "s", "c"},
}
#: tracking parameters dropped from every address, and those dropped only from a platform's.
_TRACKING = re.compile(r"^(utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|yclid|twclid|ttclid)$", re.I)
_PLATFORM_TRACKING = re.compile(
    r"^(igshid|igsh|ref|ref_src|ref_url|si|s|t|cxt|share_id|mibextid|rdid|feature|trk|trackingid|lipi|"
    r"__cft__\[\d*\]|__tn__|_rdr|is_from_webapp|sender_device|app|pp|ab_channel)$",
    re.I,
)
_HANDLE = re.compile(r"^[\w.\-]{1,100}$")


def platform(text: str | None) -> str | None:
    """The platform id for a name or web domain as written (``Twitter``, ``x.com``), else a folded name."""
    if not text:
        return None
    key = re.sub(r"[^0-9a-z]", "", _fold(text))
    if not key:
        return None
    if key in PLATFORMS:
        return key
    return ALIASES.get(key, key[:40])


def near_platform(text: str | None) -> str | None:
    """The id of the platform campaignsafe knows that ``text`` is one slip from (``Twiter`` → ``x``); None for a
    known platform, a short name, or one like no platform it knows."""
    import difflib

    key = platform(text) or ""
    if key in PLATFORMS or len(key) < 4:
        return None
    names = {**{k: k for k in PLATFORMS}, **ALIASES}
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None


def platform_label(pid: str | None) -> str:
    """``X``, ``Facebook``; an unknown platform as its id; no platform: ``unknown platform``."""
    if not pid:
        return "unknown platform"
    return PLATFORMS.get(pid, pid)


def handle(text: str | None, on: str | None = None) -> str | None:
    """``x:@angryvoter`` from ``@AngryVoter`` on ``X`` (or from a profile or post address)."""
    if not text or not isinstance(text, str):
        return None
    raw = text.strip()
    if _looks_like_url(raw):
        got = url_account(raw)
        return got[1] if got and got[0] == "handle" else None
    if ":@" in raw:  # already normal: ``x:@name``
        pid_text, _, raw = raw.partition(":@")
        on = platform(pid_text) or on  # ``:@name`` (or ``::@name``) names no platform: the one given stands
    name = _fold(raw).lstrip("@")
    if not _HANDLE.match(name) or not re.search(r"[0-9a-z]", name):
        return None
    pid = platform(on)
    return f"{pid}:@{name}" if pid else f"@{name}"


# -- phones --------------------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"^[+0-9 ().\-/]+$")


def phone(text: str | None) -> str | None:
    """E.164 (``+447700900123``) from ``07700 900123``, ``+44 (0)7700 900-123``, ``0044 …``; else None."""
    if not text or not isinstance(text, str) or len(text) > 40:
        return None
    raw = text.strip()
    if raw.lower().startswith("tel:"):
        raw = raw[4:]
    if not _PHONE_CHARS.match(raw):
        return None
    intl = raw.startswith("+")
    raw = raw.replace("(0)", "")
    digits = re.sub(r"[^0-9]", "", raw)
    if intl:
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
        if len(national) not in (9, 10) or national[0] == "0":
            return None
        digits = "44" + national
    elif digits.startswith("44") and len(digits) in (11, 12):
        pass
    else:
        return None
    if digits.startswith("440"):  # +44 0 7700 … written without the (0) brackets
        digits = "44" + digits[3:]
    if digits.startswith("44") and len(digits) not in (11, 12):
        return None
    if not 8 <= len(digits) <= 15 or digits[0] == "0":
        return None
    return "+" + digits


#: a UK number in running text: +44 / 0044 / 0, then 9 or 10 more digits in groups.
PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])(?:\+44 ?(?:\(0\) ?)?|0044 ?(?:\(0\) ?)?|\(?0)[0-9]{2,5}\)?(?:[ \-.]?[0-9]){5,8}(?![\w])"
)


# -- emails --------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^\s@<>()\[\],;:\"]{1,64}@[^\s@<>()\[\],;:\"/]{1,253}\.[^\W\d_]{2,63}$")
EMAIL_IN_TEXT = re.compile(r"[\w.+\-']{1,64}@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,63}\b")


def email(text: str | None) -> str | None:
    """The address case-folded (``Jo.Smith@Example.ORG`` -> ``jo.smith@example.org``), else None."""
    if not text or not isinstance(text, str):
        return None
    raw = text.strip().strip("<>")
    if raw.lower().startswith("mailto:"):
        raw = raw[7:].split("?", 1)[0]
    raw = raw.rstrip(".")
    if not _EMAIL.match(raw):
        return None
    folded = raw.casefold()
    return folded if _EMAIL.match(folded) else None


# -- vehicle registrations -----------------------------------------------------------------------

#: current GB format (2001-): two letters, two digits, three letters ("AB12 CDE").
CURRENT_REG = re.compile(r"(?<![0-9A-Za-z])([A-Za-z]{2}[0-9]{2})[ -]?([A-Za-z]{3})(?![0-9A-Za-z])")
#: older formats, matched only in capitals in running text: prefix (1983-2001) "A123 BCD", suffix (1963-83)
#: "ABC 123D" (age letters A to Y without I, O, Q, U, Z). Dateless and Northern Ireland plates ("ABC 123",
#: "ABZ 1234") are too like other words and numbers to find in text; in a registration field they are kept.
_AGE = "[A-HJ-NPR-TV-Y]"
OLDER_REG = re.compile(
    rf"(?<![0-9A-Za-z])(?:({_AGE}[0-9]{{1,3}}) ?([A-Z]{{3}})|([A-Z]{{3}}) ?([0-9]{{1,3}}{_AGE}))(?![0-9A-Za-z])"
)


def registration(text: str | None) -> str | None:
    """``AB12CDE`` from ``ab12 cde`` or ``AB12-CDE``: letters and digits only, upper case; else None.

    A registration field holds one plate, any country's, so any 2 to 8 letters and digits with at
    least one of each is kept; a field with more words in it is searched as a description is.
    """
    if not text or not isinstance(text, str):
        return None
    compact = re.sub(r"[\s\-.]", "", text).upper()
    if re.fullmatch(r"[0-9A-Z]{2,8}", compact) and re.search(r"[A-Z]", compact) and re.search(r"\d", compact):
        return compact
    found = registrations_in(text)
    return found[0][0] if len(found) == 1 else None


def registrations_in(text: str) -> list[tuple[str, str]]:
    """Registrations in running text: (normal form, as written); current format in any case, older in capitals."""
    out = [(("".join(m.groups())).upper(), m.group()) for m in CURRENT_REG.finditer(text)]
    for m in OLDER_REG.finditer(text):
        out.append(("".join(g for g in m.groups() if g), m.group()))
    return out


# -- URLs ----------------------------------------------------------------------------------------

URL_IN_TEXT = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b(?:x|twitter|facebook|instagram|tiktok)\.com/[^\s<>\"']+", re.IGNORECASE
)


def _looks_like_url(text: str) -> bool:
    low = text.lower()
    return "://" in low or low.startswith("www.") or bool(re.match(r"^[a-z0-9.\-]+\.[a-z]{2,}/", low))


@functools.lru_cache(maxsize=4096)  # one account's addresses recur across a record
def _split(text: str) -> tuple[str, str, str, str] | None:
    """(platform id or "", host, path, query) of an address, or None when it is not one."""
    raw = text.strip().rstrip(".,;:!?)")
    if not raw or any(c.isspace() for c in raw) or len(raw) > 2_000:
        return None
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "." not in host or not re.fullmatch(r"[\w.\-]+", host):
        return None
    host = host.lower()
    while host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    for prefix in ("mobile.", "m.", "web."):  # a platform's mobile site is the platform
        if host.startswith(prefix) and host[len(prefix) :] in HOSTS:
            host = host[len(prefix) :]
    pid = HOSTS.get(host, "")
    host = CANONICAL_HOST.get(pid, host)
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    # the trailing slash and the punctuation stripped from the whole text above: ``a.co/x:/`` is ``a.co/x``
    path = re.sub(r"/{2,}", "/", parts.path or "").rstrip("/.,;:!?)")
    return pid, host, path, parts.query


#: characters a terminal or browser shows as nothing (Hangul and braille fillers; format characters are refused
#: by their category)
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def is_web_address(text: str) -> bool:
    """Whether ``text`` is an http or https address (``x.com/a``: no scheme, as typed) whose host is a plain
    domain name: letters, digits and hyphens (punycode for others), with a dotted top-level part of letters.

    Refused: any other scheme, however hidden (``javascript:…@x.com`` reads as a user name before a host),
    a user name or password in the address, backslashes, spaces, control, format and invisible characters,
    IP addresses, a port out of range. Stricter than :func:`url`, which only compares addresses.
    """
    raw = text.strip()
    if not raw or len(raw) > 2_000 or "\\" in raw:
        return False
    for c in raw:
        if c.isspace() or c in _INVISIBLE or (not c.isascii() and unicodedata.category(c)[0] in "CZ"):
            return False
        if c.isascii() and not c.isprintable():
            return False
    scheme, sep, rest = raw.partition("://")
    if not sep:
        rest = raw
    elif scheme.lower() not in ("http", "https"):
        return False
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        return False
    host, colon, port = authority.partition(":")
    if colon and not (port.isascii() and port.isdigit() and 0 < int(port) < 65_536):
        return False
    labels = host.removesuffix(".").split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return False
    top = labels[-1]
    return (top.isalpha() and len(top) >= 2) or (top.lower().startswith("xn--") and len(top) > 4)


def url(text: str | None) -> str | None:
    """``x.com/angryvoter/status/1`` from ``https://twitter.com/AngryVoter/status/1?s=20``; else None."""
    if not text or not isinstance(text, str):
        return None
    got = _split(text)
    if got is None:
        return None
    pid, host, path, query = got
    if pid:  # platform paths name accounts, which compare without case
        path = path.lower()
    try:
        pairs = parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return None
    kept = sorted((k, v) for k, v in pairs if not _TRACKING.match(k) and not (pid and _PLATFORM_TRACKING.match(k)))
    q = ("?" + urlencode(kept)) if kept else ""
    return f"{host}{path}{q}"


#: platforms whose account addresses are ``/<word>/<account>``.
_ACCOUNT_PATH = {
    "bluesky": ("profile",),
    "linkedin": ("in",),
    "reddit": ("u", "user"),
    "snapchat": ("add",),
    "instagram": ("stories",),
}


def url_account(text: str | None) -> tuple[str, str] | None:
    """The account a profile or post address points to: ``("handle", "x:@angryvoter")``, or a phone for wa.me."""
    if not text or not isinstance(text, str):
        return None
    got = _split(text)
    if got is None:
        return None
    pid, _host, path, query = got
    bits = [unquote(b) for b in path.split("/") if b]
    if not pid or not bits:
        return None
    first = bits[0].lower()
    name: str | None = None
    if pid in ("tiktok", "youtube", "threads") and first.startswith("@"):
        name = first
    elif first in _ACCOUNT_PATH.get(pid, ()) and len(bits) > 1:
        name = bits[1]
    elif pid == "whatsapp":
        number = phone("+" + first.lstrip("+"))
        return ("phone", number) if number else None
    elif pid == "facebook" and first == "profile.php":
        ids = [v for k, v in parse_qsl(query) if k == "id" and re.fullmatch("[0-9]{1,30}", v)]
        return ("handle", f"facebook:@id{ids[0]}") if ids else None
    elif pid in ("x", "facebook", "instagram", "telegram") and first not in RESERVED.get(pid, set()):
        name = first
    value = handle(name.lstrip("@"), pid) if name else None
    return ("handle", value) if value else None


def urls_in(text: str) -> list[str]:
    """Web addresses in running text, as written."""
    return [m.group().rstrip(".,;:!?)") for m in URL_IN_TEXT.finditer(text)]


# -- names ---------------------------------------------------------------------------------------

_TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "lord",
    "lady",
    "cllr",
    "councillor",
    "rev",
    "revd",
    "fr",
    "pc",
    "ds",
    "di",
    "dc",
    "sgt",
    "insp",
    "mp",
    "msp",
    "mla",
}


def _fold(text: str) -> str:
    """Case-folded, diacritics removed, compatibility forms unified, invisible format characters (zero-width
    space and joiner, direction marks) dropped: ``@an\u200fgry`` looks like ``@angry``, so it is compared as it."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = (c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFC", "".join(kept))


def name(text: str | None) -> str | None:
    """``jose o'neill`` -> ``jose oneill``: a full name (two words or more, titles dropped), else None.

    ``SURNAME, Forename`` is read as ``forename surname``. A single word (a first name, a
    nickname) is never a name to link on: too many people share it.
    """
    if not text or not isinstance(text, str) or len(text) > 200:
        return None
    raw = text
    if raw.count(",") == 1:
        last, first = raw.split(",")
        raw = f"{first} {last}"
    folded = _fold(raw).replace("'", "").replace("\u2019", "")
    words = [w for w in re.split(r"[^\w]+|_", folded) if w]
    words = [w for w in words if w not in _TITLES]
    if len(words) < 2 or any(w.isdigit() for w in words) or sum(len(w) > 1 for w in words) < 2:
        return None
    return " ".join(words)
