"""``campaignsafe about``: version, datasets and the attribution the data licences require."""

from typing import Any

from campaignsafe.cli._options import JsonOpt


def about_data() -> dict[str, Any]:
    """Tool version, each dataset's version and date, and the attribution lines."""
    from campaignsafe import __version__
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
    }


def about(json_out: JsonOpt = False) -> None:
    """Show the version, the datasets inside this build and their attribution.

    Example: campaignsafe about --json
    """
    from campaignsafe.cli._render import console, print_json

    data = about_data()
    if json_out:
        print_json(data)
        return
    out = console()
    out.print(f"[bold]campaignsafe {data['version']}[/]  {data['disclaimer']}\n")
    out.print("[bold]Data[/]")
    for d in data["datasets"]:
        out.print(f"  {d['name']}: version {d['version']} ({d['date']})")
    out.print(f"  {data['postcodes']:,} GB postcodes; Northern Ireland (BT) postcodes answered by district\n")
    out.print("[bold]Attribution[/]")
    for line in data["attribution"]:
        out.print(f"  {line}")
