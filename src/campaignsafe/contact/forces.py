"""Force routes for display, read from the precompiled ``forces.json`` (no YAML, no pydantic)."""

from __future__ import annotations

from typing import Any

from campaignsafe.datafiles import load_json


def load_routes() -> dict[str, Any]:
    """The whole precompiled ``forces.yaml``."""
    data: dict[str, Any] = load_json("forces.json")
    return data


def force_routes(force_id: str) -> dict[str, Any] | None:
    """One force's routes (website, online reporting, election contacts, ...)."""
    for f in load_routes()["forces"]:
        if f["id"] == force_id:
            return dict(f)
    return None


def online_route(routes: dict[str, Any]) -> dict[str, Any] | None:
    """The force's own words on reporting online (an other route labelled "Online …"), if it has no verified link."""
    if "report_online" in routes:
        return None
    extras = routes.get("other_routes", [])
    return next((x for x in extras if str(x.get("label", "")).lower().startswith("online")), None)


def online_report(routes: dict[str, Any]) -> str:
    """How to report online: the verified link, else the force's own words on it, else through its website
    (never a guessed link)."""
    if "report_online" in routes:
        return str(routes["report_online"]["value"])
    own = online_route(routes)
    if own is not None:
        return str(own["value"])
    site = routes.get("website", {}).get("value")
    if not site:
        return "through the force's website (not for emergencies)"
    return f"through the force's website, {site} (look for 'Report'; not for emergencies)"


def source(key: str) -> dict[str, str]:
    """A source record (title, publisher, date, url) by key."""
    src: dict[str, str] = load_routes()["sources"][key]
    return src


def common_routes(nation: str | None) -> list[dict[str, Any]]:
    """UK-wide routes (999, 101, text relay, emergencySMS) that apply in ``nation``."""
    return [r for r in load_routes()["common_routes"] if nation is None or nation in r["nations"]]


def national_routes(nation: str | None) -> list[dict[str, Any]]:
    """National reporting routes (Crimestoppers, Anti-Terrorist Hotline, ...) for ``nation``."""
    return [r for r in load_routes()["national_routes"] if nation is None or nation in r["nations"]]
