"""The tool's version and the versions of the datasets built into it (for ``about`` and exports)."""

from __future__ import annotations

from typing import Any


def about_data() -> dict[str, Any]:
    """Tool version, each dataset's version and date, the attribution lines, and where the user's data is (the data
    folder; ``shared_store`` when the incidents are on a PostgreSQL server instead)."""
    import os

    from campaignsafe import __version__, paths
    from campaignsafe.datafiles import load_json

    areas = load_json("areas.json")
    forces = load_json("forces.json")
    datasets = [
        *areas["datasets"],
        {
            "id": "forces",
            "name": "campaignsafe force routes (curated)",
            "version": forces["version"],
            "date": forces["version"],
        },
    ]
    return {
        "version": __version__,
        "datasets": datasets,
        "postcodes": areas["postcodes"],
        "attribution": areas["attribution"],
        "disclaimer": "campaignsafe gives information, not legal advice. If you are in immediate danger, call 999.",
        "data_folder": str(paths.home()),
        "shared_store": bool(os.environ.get("CAMPAIGNSAFE_DATABASE_URL")),
    }


def dataset_version(d: dict[str, Any]) -> str:
    """``2025.4.0 (2025-10-20)``; a version that is its date once (``2026-12-02``)."""
    return d["version"] if d["date"] == d["version"] else f"{d['version']} ({d['date']})"
