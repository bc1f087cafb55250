"""``campaignsafe about``: version, datasets and the attribution the data licences require."""

from campaignsafe.cli._options import JsonOpt


def about(json_out: JsonOpt = False) -> None:
    """Show the version, the datasets inside this build and their attribution.

    Example: campaignsafe about --json
    """
    from campaignsafe.cli._render import console, print_json
    from campaignsafe.versions import about_data, dataset_version

    data = about_data()
    if json_out:
        print_json(data)
        return
    from campaignsafe.cli._panel import say

    out = console()
    out.print(f"[bold]campaignsafe {data['version']}[/]")
    say(data["disclaimer"], 0)
    out.print("\n[bold]Data[/]")
    for d in data["datasets"]:
        say(f"  {d['name']}: version {dataset_version(d)}", 4)
    say(f"  {data['postcodes']:,} GB postcodes; Northern Ireland (BT) postcodes answered by district", 4)
    out.print("\n[bold]Attribution[/]")
    for line in data["attribution"]:
        say(f"  {line}", 4)
    shared = "; incidents on the shared PostgreSQL store" if data["shared_store"] else ""
    from campaignsafe.exports.verify import shown

    # last, so it is on screen when the datasets and attribution have scrolled the top away
    out.print("\n[bold]Your data[/]")
    say(f"  {shown(data['data_folder'])}{shared} (back it up: campaignsafe backup FILE)", 4)
