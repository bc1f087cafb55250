"""Input problems, listed all at once: the error type and the pydantic-to-plain-words translation."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from campaignsafe.errors import InputError


class Problems(InputError):
    """Several things wrong with the input; ``problems`` lists each as ``field: reason``."""

    code = "invalid_incident"

    def __init__(self, problems: list[str]) -> None:
        if len(problems) == 1:
            message = problems[0] + "; nothing was saved"
        else:
            message = f"{len(problems)} problems, nothing was saved:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(message)
        self.problems = problems

    def as_dict(self) -> dict[str, Any]:
        """The JSON error object, with the list of problems."""
        return {**super().as_dict(), "problems": self.problems}


#: what a missing ``location`` needs (a file for abuse online has no street to give)
_WHERE_HINT = " (where it happened: a street or venue, with its postcode if known, or online)"


def _field_names() -> list[str]:
    """Every field name an incident file may use (for "did you mean")."""
    from campaignsafe.incidents import models

    names: set[str] = set()
    for cls in (models.IncidentIn, models.Person, models.Vehicle, models.Report, models.EvidenceIn):
        names |= set(cls.model_fields)
    names |= set(models.LocationIn.model_fields) | set(models.Impact.model_fields)
    return sorted(names)


#: ``report``'s flag names, written in a file as if they were its fields: the field each one fills
_FLAG_FIELDS = {
    "when": "occurred_at",
    "place": "location",
    "postcode": "location",
    "suspect": "people",
    "witness": "people",
    "vehicle": "vehicles",
    "url": "evidence",
    "reported_to": "reports",
    "reported-to": "reports",
}


#: words people use for a person's or a vehicle's field: the field it is
_OTHER_WORDS = {
    "people": dict.fromkeys(("phone", "telephone", "tel", "mobile", "email", "e-mail", "address", "number"), "contact")
    | dict.fromkeys(("username", "user", "account", "twitter", "at"), "handle"),
    "vehicles": dict.fromkeys(("reg", "plate", "number_plate", "numberplate", "number"), "registration"),
    "evidence": dict.fromkeys(("when", "seen", "date", "time"), "seen_at") | {"file": "path", "link": "url"},
    "reports": dict.fromkeys(("when", "date", "time"), "reported_at")
    | dict.fromkeys(("ref", "number", "crime_number"), "reference"),
    "location": dict.fromkeys(("place", "address", "where"), "text") | {"force": "force_id"},
}


def _flag_field(key: str) -> str | None:
    """The field a flag's name written as a file's key fills (``when``, ``--place``), else None."""
    return _FLAG_FIELDS.get(key.lower().lstrip("-"))


def _suggestion(key: str, within: str | None) -> str:
    """`` (did you mean F?)`` for an unknown key close to field F, or that is one of ``report``'s flag names
    (at the top level of an incident; ``url`` inside an exhibit is its own field already); ``within``: the
    list the key is in (``people``), None at the top level."""
    word = key.lower().lstrip("-")
    flag = None if within else _flag_field(word)
    if flag:
        return f" (did you mean {flag}? a file takes the record's field names, not the flags')"
    other = _OTHER_WORDS.get(within or "", {}).get(word)
    if other:
        return f" (did you mean {other}?)"
    close = difflib.get_close_matches(key, _field_names(), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _where(loc: tuple[int | str, ...]) -> str:
    """``("people", 0, "name")`` → ``people #1.name``: items counted from 1, as a person counts them."""
    out = ""
    for part in loc:
        out += f" #{part + 1}" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: a value of the wrong shape, in a file's terms (pydantic says "Input should be a valid dictionary or instance …")
_FIELDS = "should be a set of fields (name: value, one a line, indented under it)"
_SHAPES = {
    "model_type": _FIELDS,
    "model_attributes_type": _FIELDS,
    "dict_type": _FIELDS,
    "list_type": "should be a list (each item on a line of its own starting with '- ')",
    "string_type": "should be text",
}


def pydantic_problems(exc: ValidationError) -> list[str]:
    """Each validation error as ``field.path: reason`` in plain words."""
    out = []
    errors = exc.errors()
    # `when:` in a file: said once, as a flag's name, not also as occurred_at missing
    told = {_flag_field(str(e["loc"][0])) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1}
    for err in errors:
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            if len(loc) == 1 and loc[0] in told:
                continue
            msg = "is required" + (_WHERE_HINT if loc[-1:] == ("location",) else "")
        elif err["type"] == "extra_forbidden":
            hint = _suggestion(str(loc[-1]), next((str(p) for p in loc[:-1] if isinstance(p, str)), None))
            loc = loc[:-1]  # the unknown key is what the user wrote: never quoted
            msg = "unknown field" + hint if loc else "an unknown field at the top level" + hint
        elif err["type"] == "literal_error":
            msg = msg.replace("Input should be", "should be")
        elif err["type"] == "string_type" and err.get("input") is None:  # `description:` with nothing after it
            msg = "is empty"
        elif err["type"] == "string_type" and type(err.get("input")) in (int, float):
            msg = 'should be text: put it in quotes ("…"); as a number it can lose a leading 0 or change'
        elif err["type"] == "string_too_long":
            msg = f"is longer than {err.get('ctx', {}).get('max_length', 0):,} characters"
        elif err["type"] == "string_too_short":
            msg = "is empty"
        elif err["type"] in _SHAPES:
            msg = _SHAPES[err["type"]]
        out.append(f"{_where(loc)}: {msg}" if loc else msg)
    return _once(out)


def _once(problems: list[str]) -> list[str]:
    """Each problem once, in order; one found more than once (two unknown fields, say) says how many times."""
    counts: dict[str, int] = {}
    for p in problems:
        counts[p] = counts.get(p, 0) + 1
    return [p if n == 1 else f"{p} ({n} of them)" for p, n in counts.items()]
