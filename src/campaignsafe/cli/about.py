"""``campaignsafe about``: version, datasets and the attribution the data licences require."""

from campaignsafe.cli._options import JsonOpt


def about(json_out: JsonOpt = False) -> None:
    """Show the version, the datasets inside this build and their attribution.

    Example: campaignsafe about --json
    """
    from campaignsafe.cli._render import console, print_json
    from campaignsafe.versions import about_data

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
