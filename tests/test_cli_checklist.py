"""``campaignsafe checklist`` through the CLI, as a candidate, agent or volunteer would use it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from campaignsafe.guidance import content as guidance
from campaignsafe.guidance import progress
from tests.conftest import run

ESSENTIALS = [i.id for _, i in guidance.load_guidance().items() if i.priority == "essential"]
TOTAL = sum(1 for _ in guidance.load_guidance().items())


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let `checklist run` prompt although CliRunner's stdin is not a terminal."""
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)


def _items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for topic in data["topics"] for item in topic["items"]]


def test_list_json_contract() -> None:
    """`checklist list --json` gives the profile and every topic's items with status and full sources."""
    r = run("checklist", "list", "--json")
    assert r.exit_code == 0
    data = r.json
    assert data["profile"] == "default"
    assert len(data["topics"]) >= 10
    items = _items(data)
    assert len(items) >= 80
    assert len({i["id"] for i in items}) == len(items)
    for topic in data["topics"]:
        assert {"id", "title", "items"} <= set(topic)
    for item in items:
        assert {"id", "title", "priority", "roles", "status", "sources"} <= set(item)
        assert item["status"] in ("todo", "done", "na")
        assert item["priority"] in ("essential", "recommended")
        assert item["sources"]
        for src in item["sources"]:
            assert {"title", "publisher", "date", "url"} <= set(src)
            assert src["title"] and src["publisher"] and src["url"].startswith("https://")
    assert data["orphaned_answers"] == []


def test_bare_checklist_shows_topics_with_progress() -> None:
    """`campaignsafe checklist` alone lists the topics with a bar each, 999 first."""
    run("checklist", "mark", "canvassing.never-alone", "done")
    r = run("checklist")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "If you are in immediate danger, call 999."
    assert "Canvassing and street campaigning" in r.stdout and "Overall" in r.stdout
    canvassing = next(line for line in lines if line.startswith("Canvassing"))
    assert "█" in canvassing and "1/13" in canvassing
    assert all(len(line) <= 80 for line in lines)


def test_run_interrupted_then_resumed_keeps_answers(terminal: None) -> None:
    """Answering two items, then losing the input, keeps both; the next run starts at the third."""
    first = run("checklist", "run", input="d met DS Patel\nn\n")
    assert first.exit_code == 130
    assert first.stdout.splitlines()[0] == "If you are in immediate danger, call 999."
    assert "Carry on with: campaignsafe checklist run" in first.stderr
    answers = progress.load(None).answers
    assert answers[ESSENTIALS[0]].status == "done" and answers[ESSENTIALS[0]].note == "met DS Patel"
    assert answers[ESSENTIALS[1]].status == "todo"
    assert len(answers) == 2

    again = run("checklist", "run", input="a\n")
    assert again.exit_code == 130
    third = guidance.load_guidance().item(ESSENTIALS[2])[1]
    first_shown = again.stdout.split("· in danger, call 999", 1)[1]
    assert first_shown.splitlines()[1] == third.title
    answers = progress.load(None).answers
    assert [answers[i].status for i in ESSENTIALS[:3]] == ["done", "todo", "na"]


def test_ctrl_c_exits_130_with_progress_kept(terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C at the third question keeps the two answers already given."""
    replies = iter(["d", "a"])

    def prompt(text: str, **kwargs: Any) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(typer, "prompt", prompt)
    r = run("checklist", "run", "canvassing")
    assert r.exit_code == 130
    assert "2 answers saved" in r.stderr
    topic = guidance.load_guidance().topic("canvassing")
    answers = progress.load(None).answers
    assert answers[topic.items[0].id].status == "done"
    assert answers[topic.items[1].id].status == "na"


def test_skip_is_asked_again_and_quit_exits_cleanly(terminal: None) -> None:
    """A skipped item is not saved and comes back first next time; q stops with exit 0."""
    r = run("checklist", "run", "post-and-deliveries", input="s\nd\nq\n")
    assert r.exit_code == 0
    items = guidance.load_guidance().topic("post-and-deliveries").items
    answers = progress.load(None).answers
    assert items[0].id not in answers and answers[items[1].id].status == "done"
    again = run("checklist", "run", "post-and-deliveries", input="q\n")
    assert again.stdout.split("· in danger, call 999", 1)[1].splitlines()[1] == items[0].title


def test_unclear_answer_shows_help_and_asks_again(terminal: None) -> None:
    """Typing something else explains the answers instead of guessing."""
    r = run("checklist", "run", "canvassing", input="maybe\nd\nq\n")
    assert r.exit_code == 0
    assert "not applicable" in r.stdout and "skip" in r.stdout
    assert len(progress.load(None).answers) == 1


def test_run_goes_through_essentials_first(terminal: None) -> None:
    """Without a topic the first questions are the essential items."""
    run("checklist", "run", input="d\n" * 5)
    answered = list(progress.load(None).answers)
    assert answered == ESSENTIALS[:5]


def test_finished_run_revisits_not_yet_items(terminal: None) -> None:
    """Once every item in a topic has an answer, run goes back over the ones marked 'not yet'."""
    items = guidance.load_guidance().topic("wellbeing-and-support").items
    for n, item in enumerate(items):
        run("checklist", "mark", item.id, "todo" if n == 2 else "done")
    r = run("checklist", "run", "wellbeing-and-support", input="d\n")
    assert r.exit_code == 0
    assert "going through the 1 you marked 'not yet'" in r.stdout
    assert progress.load(None).answers[items[2].id].status == "done"
    assert "That was the last item" in r.stdout


def test_a_finished_topic_names_the_command_that_reviews_it(terminal: None) -> None:
    """With every item of a topic answered, run says so and names `checklist show` for that topic (and the
    profile it was run for), not every topic."""
    for item in guidance.load_guidance().topic("wellbeing-and-support").items:
        run("checklist", "mark", item.id, "done", "--profile", "agent")
    r = run("checklist", "run", "wellbeing-and-support", "--profile", "agent")
    assert r.exit_code == 0
    said = " ".join(r.stdout.split())
    assert "Review them: campaignsafe checklist show wellbeing-and-support --profile agent" in said
    assert "--all" not in said


def test_run_without_a_terminal_changes_nothing() -> None:
    """Piped into another program, run shows the next item, explains, and exits 3 without prompting."""
    r = run("checklist", "run", input="d\n")
    assert r.exit_code == 3
    assert "needs a terminal" in r.stderr and f"checklist mark {ESSENTIALS[0]} done" in " ".join(r.stderr.split())
    assert guidance.load_guidance().item(ESSENTIALS[0])[1].title in r.stdout
    assert progress.load(None).answers == {}


def test_mark_and_next() -> None:
    """`mark` records an answer for scripts; `next` then leaves it out and lists essentials first."""
    first = ESSENTIALS[0]
    r = run("checklist", "mark", first, "done", "--note", "saved in phone", "--json")
    assert r.exit_code == 0 and r.json["status"] == "done" and r.json["note"] == "saved in phone"
    nxt = run("checklist", "next", "--limit", "5", "--json").json
    ids = [i["id"] for i in nxt["items"]]
    assert first not in ids and ids == ESSENTIALS[1:6]
    assert nxt["progress"]["done"] == 1


def test_mark_accepts_the_short_id() -> None:
    """The part after the dot is enough when it is unique."""
    r = run("checklist", "mark", "never-alone", "na")
    assert r.exit_code == 0
    assert progress.load(None).answers["canvassing.never-alone"].status == "na"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("mark", "canvassing.never-alon", "done"), 4, "did you mean canvassing.never-alone"),
        (("mark", "canvassing.never-alone", "finished"), 3, "unknown status"),
        (("show", "canvasing"), 4, "did you mean canvassing"),
        (("run", "onlne-abuse"), 4, "did you mean online-abuse"),
        (("list", "--nation", "france"), 3, "unknown nation"),
        (("list", "--role", "mayor"), 3, "unknown role"),
        (("list", "--profile", "../x"), 3, "cannot be a profile name"),
        (("show",), 3, "give a TOPIC or --all"),
        (("offences", "--kind", "threat"), 3, "did you mean threats"),
        (("export", "--format", "pdf"), 3, "unknown format"),
    ],
)
def test_bad_input_is_explained(args: tuple[str, ...], code: int, message: str) -> None:
    """Unknown ids, statuses, nations and formats give one clear line and the right exit code."""
    r = run("checklist", *args)
    assert r.exit_code == code
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_show_topic_all_and_item() -> None:
    """`show` reads a topic, every topic or one item, with sources and without changing anything."""
    topic = run("checklist", "show", "online-abuse")
    assert topic.exit_code == 0 and "Online abuse and social media" in topic.stdout
    assert "https://" in topic.stdout and "Canvassing and street" not in topic.stdout
    everything = run("checklist", "show", "--all", "--json").json
    assert len(_items(everything)) == sum(1 for _ in guidance.load_guidance().items())
    one = run("checklist", "show", "canvassing.never-alone", "--json").json
    assert one["id"] == "canvassing.never-alone" and one["sources"]
    assert progress.load(None).answers == {}


def test_orphaned_answers_are_reported_and_kept(home: Path) -> None:
    """An answer to an item a guidance update removed is listed, never dropped, even after new answers."""
    path = progress.progress_path("default")
    path.parent.mkdir(parents=True)
    old = {"status": "done", "note": "kept", "answered_at": "2024-05-01T10:00:00+00:00"}
    path.write_text(json.dumps({"version": 1, "profile": "default", "answers": {"canvassing.old-item": old}}))
    run("checklist", "mark", "canvassing.never-alone", "done")
    data = run("checklist", "list", "--json").json
    assert data["orphaned_answers"] == [{"id": "canvassing.old-item", **old}]
    assert "canvassing.old-item" in run("checklist").stdout
    assert "canvassing.old-item" in json.loads(path.read_text())["answers"]


def test_corrupt_progress_gives_a_way_out(home: Path) -> None:
    """A damaged progress file is named with how to recover, exit 5; `checklist reset` starts again."""
    path = progress.progress_path("default")
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "answers": [}')
    r = run("checklist")
    assert r.exit_code == 5
    assert str(path) in r.stderr and "checklist reset" in r.stderr and "Traceback" not in r.stderr
    assert run("checklist", "reset").exit_code == 0
    assert run("checklist").exit_code == 0
    assert list(path.parent.glob("default.json.*.bak"))


def test_profiles_keep_separate_progress_and_defaults() -> None:
    """An agent keeps a volunteer's progress apart, with the volunteer's role and nation saved as defaults."""
    saved = run("checklist", "profiles", "--save", "--profile", "sam", "--role", "volunteer", "--nation", "wales")
    assert saved.exit_code == 0
    run("checklist", "mark", "canvassing.never-alone", "done", "--profile", "sam")
    sam = run("checklist", "--profile", "sam", "--json").json
    assert sam["role"] == "volunteer" and sam["nation"] == "wales"
    assert all("volunteer" in i["roles"] for i in _items(sam))
    assert all(i["nations"] is None or "wales" in i["nations"] for i in _items(sam))
    assert run("checklist", "--json").json["progress"]["done"] == 0
    everyone = run("checklist", "--profile", "sam", "--role", "all", "--nation", "all", "--json").json
    assert len(_items(everyone)) > len(_items(sam))
    listed = run("checklist", "profiles", "--json").json["profiles"]
    assert [(p["name"], p["answers"]["done"]) for p in listed] == [("sam", 1)]
    assert "sam" in run("checklist", "profiles").stdout


def test_nation_filter_leaves_out_other_nations_items() -> None:
    """In Scotland the England-only ballot-paper address item is left out and the Scottish one is in."""
    ids = {i["id"] for i in _items(run("checklist", "--nation", "scotland", "--json").json)}
    assert "before-the-campaign.address-scotland-councils" in ids
    assert "before-the-campaign.address-england-councils" not in ids


def test_nation_comes_from_the_profile_force_when_none_is_given_or_saved() -> None:
    """A candidate whose profile force is Police Scotland sees Scotland's items, and every view says why."""
    assert run("profile", "--force", "police-scotland").exit_code == 0
    data = run("checklist", "list", "--json").json
    assert (data["nation"], data["nation_from_profile_force"]) == ("scotland", "Police Scotland")
    ids = {i["id"] for i in _items(data)}
    assert "before-the-campaign.address-scotland-councils" in ids
    assert "before-the-campaign.address-england-councils" not in ids
    assert all(i["nations"] is None or "scotland" in i["nations"] for i in _items(data))
    assert "Scotland (your profile's force)" in run("checklist", "list").stdout
    briefing = run("checklist", "export", "--format", "md").stdout
    assert "Scotland (the nation of Police Scotland, the force in the profile)" in " ".join(briefing.split())
    # --nation all shows every nation's items; a saved nation wins over the profile's force
    everyone = run("checklist", "list", "--nation", "all", "--json").json
    assert everyone["nation"] is None and everyone["nation_from_profile_force"] is None
    assert len(_items(everyone)) == TOTAL
    assert run("checklist", "profiles", "--save", "--nation", "wales").exit_code == 0
    wales = run("checklist", "list", "--json").json
    assert (wales["nation"], wales["nation_from_profile_force"]) == ("wales", None)


@pytest.mark.parametrize(
    ("profile_text", "why"),
    [
        ('{"force_id": "btp"}', "a force of more than one nation"),
        ('{"force_id": "no-such-force"}', "a force id this build does not know"),
        ("{not json", "a damaged profile"),
    ],
)
def test_no_nation_from_a_profile_that_cannot_give_one(profile_text: str, why: str) -> None:
    """Without one nation to take from the profile, the checklist covers every nation and says nothing else."""
    from campaignsafe import paths

    paths.home().mkdir(parents=True, exist_ok=True)
    (paths.home() / "profile.json").write_text(profile_text)
    r = run("checklist", "list", "--json")
    assert r.exit_code == 0, why
    assert (r.json["nation"], r.json["nation_from_profile_force"]) == (None, None), why
    assert len(_items(r.json)) == TOTAL, why
    assert "all nations" in run("checklist", "list").stdout, why


def test_run_from_the_profile_nation_says_to_carry_on_without_a_nation_option(terminal: None) -> None:
    """The carry-on command after a stopped run does not add --nation the user never typed."""
    assert run("profile", "--force", "northern-ireland").exit_code == 0
    r = run("checklist", "run", "before-the-campaign", input="d\n")
    assert "Northern Ireland (your profile's force)" in " ".join(r.stdout.split())
    assert "campaignsafe checklist run before-the-campaign" in r.stdout + r.stderr
    assert "--nation" not in r.stdout + r.stderr


def test_role_comes_from_the_profile_for_the_default_checklist_only() -> None:
    """An election agent's own checklist leaves out the candidate-only items; a volunteer's named one does not."""
    assert run("profile", "--role", "Election agent").exit_code == 0
    data = run("checklist", "list", "--json").json
    assert (data["role"], data["role_from_profile"]) == ("agent", "Election agent")
    assert _items(data) and all("agent" in i["roles"] for i in _items(data))
    assert len(_items(data)) < TOTAL
    assert "agents (your profile's role)" in run("checklist", "list").stdout
    assert "agents (the role in the profile)" in " ".join(run("checklist", "export", "--format", "md").stdout.split())
    assert len(_items(run("checklist", "list", "--role", "all", "--json").json)) == TOTAL
    sam = run("checklist", "list", "--profile", "sam", "--json").json  # another person's progress
    assert (sam["role"], sam["role_from_profile"], len(_items(sam))) == (None, None, TOTAL)


@pytest.mark.parametrize("role", ["councillor", "staff", "candidate and agent"])
def test_a_profile_role_naming_no_one_checklist_role_filters_nothing(role: str) -> None:
    """A role that is none of candidate, agent or volunteer (or both of two) leaves every role's items in."""
    assert run("profile", "--role", role).exit_code == 0
    data = run("checklist", "list", "--json").json
    assert (data["role"], data["role_from_profile"], len(_items(data))) == (None, None, TOTAL)


def test_offences_per_nation_say_not_legal_advice() -> None:
    """`checklist offences --nation` lists that nation's offences and says it is not legal advice."""
    data = run("checklist", "offences", "--nation", "scotland", "--json").json
    assert "not legal advice" in data["disclaimer"]
    assert data["offences"] and all("scotland" in o["nations"] for o in data["offences"])
    assert all(s["url"].startswith("https://") for o in data["offences"] for s in o["sources"])
    human = run("checklist", "offences", "--nation", "northern-ireland")
    assert human.exit_code == 0
    assert "not legal advice" in human.stdout and "Protection from Harassment (Northern Ireland)" in human.stdout
    assert "Scotland) Act" not in human.stdout


def test_offences_by_kind() -> None:
    """`--kind` narrows the offences to those an incident of that kind may involve."""
    data = run("checklist", "offences", "--kind", "electoral-offence", "--json").json
    assert data["offences"] and all("electoral-offence" in o["incident_kinds"] for o in data["offences"])


def test_export_markdown_reads_as_plain_text() -> None:
    """The Markdown briefing starts with 999, says it is not legal advice, and ticks what is done."""
    run("checklist", "mark", "canvassing.never-alone", "done", "--note", "private note")
    r = run("checklist", "export", "--format", "md")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "# Campaign security briefing"
    assert "call 999" in lines[2]
    assert "not legal advice" in r.stdout
    title = guidance.load_guidance().item("canvassing.never-alone")[1].title
    assert f"- [x] **{title.split()[0]} " in r.stdout
    assert f"Progress: 1 of {TOTAL} items done" in r.stdout
    assert "private note" not in r.stdout
    long_lines = [line for line in lines if len(line) > 80 and not line.strip().startswith("<https://")]
    assert long_lines == []
    assert "private note" in run("checklist", "export", "--format", "md", "--notes").stdout


def test_export_html_is_self_contained_and_print_ready(tmp_path: Path) -> None:
    """The HTML briefing is one file with inline CSS, no scripts or remote resources, laid out for A4."""
    out = tmp_path / "briefing.html"
    run("checklist", "mark", "canvassing.never-alone", "done")
    r = run("checklist", "export", "--format", "html", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    page = out.read_text()
    assert page.startswith("<!doctype html>")
    assert "<script" not in page and "<link" not in page and " src=" not in page and "@import" not in page
    assert "size: A4" in page and "overflow-wrap: anywhere" in page
    assert page.index("call 999") < page.index("<h1>")
    assert "not legal advice" in page
    assert 'class="item done" id="canvassing.never-alone"' in page
    assert page.count('<article class="item') == TOTAL
    assert "https://www.protectuk.police.uk/" in page


def test_export_json_has_progress_and_sources() -> None:
    """The JSON briefing carries the 999 line, the disclaimer, and every item's status and sources."""
    data = run("checklist", "export", "--format", "json", "--role", "volunteer").json
    assert data["danger"].startswith("If you are in immediate danger") and "not legal advice" in data["disclaimer"]
    assert data["role"] == "volunteer"
    items = _items(data)
    assert items and all("volunteer" in i["roles"] and i["sources"] for i in items)
    assert all("note" not in i for i in items)


def test_export_to_a_missing_folder_is_refused(tmp_path: Path) -> None:
    """Writing the briefing into a folder that does not exist says so (exit 3)."""
    r = run("checklist", "export", "-o", str(tmp_path / "nowhere" / "b.md"))
    assert r.exit_code == 3 and "does not exist" in r.stderr


@pytest.mark.parametrize("sub", ["list", "run", "show", "next", "mark", "export", "profiles", "reset", "offences"])
def test_every_subcommand_has_help_with_an_example(sub: str) -> None:
    """`checklist SUB --help` explains the command and ends with an example."""
    r = run("checklist", sub, "--help")
    assert r.exit_code == 0
    assert f"campaignsafe checklist {sub}" in r.stdout or "campaignsafe checklist " in r.stdout
    assert "Example:" in r.stdout


def test_reset_keeps_the_saved_role_and_nation() -> None:
    """`checklist reset --profile sam` starts sam's answers again but keeps sam's role and nation."""
    assert (
        run("checklist", "profiles", "--save", "--profile", "sam", "--role", "volunteer", "--nation", "wales").exit_code
        == 0
    )
    assert run("checklist", "mark", "canvassing.never-alone", "done", "--profile", "sam").exit_code == 0
    r = run("checklist", "reset", "--profile", "sam")
    assert r.exit_code == 0 and "role volunteer and nation wales are kept" in " ".join(r.stdout.split())
    kept = progress.load("sam")
    assert kept.answers == {} and (kept.defaults.role, kept.defaults.nation) == ("volunteer", "wales")
    listed = run("checklist", "list", "--profile", "sam", "--json").json
    assert (listed["role"], listed["nation"]) == ("volunteer", "wales")


def test_not_yet_items_are_in_next() -> None:
    """An item answered "not yet" is still to do: `next` lists it (before items never answered)."""
    later = ESSENTIALS[-1]
    assert run("checklist", "mark", later, "todo").exit_code == 0
    ids = [i["id"] for i in run("checklist", "next", "--json").json["items"]]
    assert ids[0] == later
    assert "(not yet)" in " ".join(run("checklist", "next").stdout.split())


def test_run_counts_items_as_item_n_of_total() -> None:
    r = run("checklist", "run", "--no-input")
    assert "Item 1 of " in r.stdout and "to go" not in r.stdout


def test_run_without_a_terminal_names_the_command_that_shows_the_whole_item() -> None:
    """With nothing to type into, the summary ends with the `checklist show` command, not "type m"."""
    r = run("checklist", "run", "--no-input")
    shown = " ".join(r.stdout.split())
    assert r.exit_code == 3 and "type m" not in shown
    first = next(line for line in r.stdout.splitlines() if line.startswith("essential · "))
    item = first.rsplit(" · ", 1)[1]
    assert f"campaignsafe checklist show {item}" in shown
    assert f"campaignsafe checklist show {item}" in r.stdout.splitlines()  # whole, on its own line (80 columns)
    assert run("checklist", "show", item).exit_code == 0


def test_the_prompt_is_one_line_in_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The question under each item fits one 80-column line with room left for the answer and a note."""
    monkeypatch.setattr("campaignsafe.cli._render.interactive", lambda no_input: not no_input)
    lines = run("checklist", "run", input="q\n").stdout.splitlines()
    asked = [line for line in lines if line.startswith("Answer d/n/a/s/q")]
    assert asked and all("(? for help):" in line and len(line) <= 50 for line in asked), asked

    # the help lists m (more: the whole item with its sources' addresses) and it works on every item, so the
    # prompt offers it on every item: it was left out where the short form already held the whole item
    monkeypatch.setenv("LINES", "200")
    lines = run("checklist", "run", input="s\ns\ns\nq\n").stdout.splitlines()
    asked = [line for line in lines if line.startswith("Answer d/n/a/s/q")]
    assert len(asked) == 4 and all(line.startswith("Answer d/n/a/s/q/m ") for line in asked), asked


def test_an_item_marked_not_applicable_keeps_the_overview_one_line_a_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 80x24, one item marked not applicable no longer doubles the overview's height (the 999 line stayed on
    screen only without it): each topic counts the items that apply, and a line says the others are left out."""
    monkeypatch.setenv("COLUMNS", "80")
    run("checklist", "mark", "canvassing.never-alone", "na")
    out = run("checklist").stdout
    lines = out.rstrip("\n").splitlines()
    assert len(lines) <= 23 and lines[0].startswith("If you are in immediate danger")
    canvassing = next(line for line in lines if line.startswith("Canvassing"))
    total = len(guidance.load_guidance().topic("canvassing").items)
    assert "canvassing" in canvassing and canvassing.rstrip().endswith(f"0/{total - 1}")
    assert "Items marked not applicable (1) are not counted" in " ".join(out.split())


def test_the_offences_list_says_what_it_covers_in_words() -> None:
    """The count line names the kind in words and where the offences apply, not "for every UK nation"."""
    said = " ".join(run("checklist", "offences", "--kind", "threats").stdout.split())
    assert "offences that may apply to threats across the UK (each says where it applies)." in said
    assert "offences in Scotland." in " ".join(run("checklist", "offences", "--nation", "scotland").stdout.split())


def test_an_answer_not_understood_is_said_so_before_the_help(terminal: None) -> None:
    """`x` gets "not understood" and the letters; `?` gets the letters alone; neither saves anything."""
    r = run("checklist", "run", input="x\n?\nq\n")
    said = " ".join(r.stdout.split())
    assert said.count("That answer was not understood: start it with one of these letters.") == 1
    assert said.count("n not yet") == 2 and progress.load(None).answers == {}


def test_run_says_the_not_yet_items_come_after_the_rest() -> None:
    """With one item marked 'not yet', the run's head says so, so "Item 1 of 135" under "136 items" adds up."""
    run("checklist", "mark", "canvassing.never-alone", "todo")
    said = " ".join(run("checklist", "run", "--no-input").stdout.split())
    total = sum(len(t.items) for t in guidance.load_guidance().topics)
    assert f"Marked 'not yet': 1, asked after these {total - 1}." in said and f"Item 1 of {total - 1}" in said


def test_reset_says_how_many_answers_it_set_aside() -> None:
    """reset counts what it sets aside: one answer, then (a profile with only its saved role) none."""
    run("checklist", "mark", "canvassing.never-alone", "done")
    assert "Its one answer so far is set aside in" in " ".join(run("checklist", "reset").stdout.split())
    assert run("checklist", "profiles", "--save", "--role", "agent").exit_code == 0
    said = " ".join(run("checklist", "reset").stdout.split())
    assert "It had no answers yet; its file is set aside in" in said and "its role agent is kept" in said


def test_offences_take_the_nation_of_the_profiles_force_and_say_so() -> None:
    """A Police Scotland candidate saw England and Wales's harassment offence first; `report` already took the
    profile's nation. `--nation all` still lists every nation's."""
    assert run("profile", "--force", "police-scotland").exit_code == 0
    r = run("checklist", "offences", "--json")
    assert r.json["nation"] == "scotland" and r.json["nation_from_profile_force"] == "Police Scotland"
    assert r.json["offences"] and all("scotland" in o["nations"] for o in r.json["offences"])
    shown = " ".join(run("checklist", "offences").stdout.split())
    assert "in Scotland (your profile's force, Police Scotland; every nation: --nation all)" in shown
    every = run("checklist", "offences", "--nation", "all", "--json").json
    assert every["nation"] is None and every["nation_from_profile_force"] is None
    assert len(every["offences"]) > len(r.json["offences"])


def test_saved_all_is_kept_over_the_profile_and_profiles_shows_what_applies() -> None:
    """`--save --role all --nation all` said it saved, but the view still took agent and Scotland from the profile
    (all was stored as nothing saved); and `checklist profiles` showed "all all" while the view filtered."""
    assert run("profile", "--force", "police-scotland", "--role", "Election agent").exit_code == 0
    first = run("checklist", "next", "--json").json["items"][0]["id"]
    assert run("checklist", "mark", first, "done").exit_code == 0  # the profile has a file
    listed = run("checklist", "profiles", "--json").json["profiles"]
    applies = next(p for p in listed if p["name"] == "default")["applies"]
    assert applies == {
        "role": "agent",
        "role_from_profile": "Election agent",
        "nation": "scotland",
        "nation_from_profile_force": "Police Scotland",
    }
    table = " ".join(run("checklist", "profiles").stdout.split())
    assert "agent (profile) scotland (profile)" in table and "taken from campaignsafe profile" in table
    saved = run("checklist", "profiles", "--save", "--role", "all", "--nation", "all")
    assert "role all, nation all" in saved.stdout
    view = run("checklist", "--json").json
    assert (view["role"], view["nation"], view["role_from_profile"], view["nation_from_profile_force"]) == (
        None, None, None, None
    )  # fmt: skip
    assert run("checklist", "profiles", "--save").exit_code == 3  # nothing given: nothing to save
    assert run("checklist", "profiles", "--save", "--role", "none", "--nation", "none").exit_code == 0
    assert run("checklist", "--json").json["nation"] == "scotland"  # none saved: the profile's again


def test_saving_one_default_keeps_the_other(home: Path) -> None:
    """`--save --nation all` cleared a saved role (None cleared one): a default not given is kept, and `none`
    clears one."""
    assert run("checklist", "profiles", "--save", "--profile", "sam", "--role", "volunteer").exit_code == 0
    saved = run("checklist", "profiles", "--save", "--profile", "sam", "--nation", "wales")
    assert "role volunteer, nation wales" in saved.stdout
    view = run("checklist", "list", "--profile", "sam", "--json").json
    assert (view["role"], view["nation"]) == ("volunteer", "wales")
    cleared = run("checklist", "profiles", "--save", "--profile", "sam", "--role", "none")
    assert "role none saved" in " ".join(cleared.stdout.split()) and "nation wales" in cleared.stdout
    assert run("checklist", "list", "--profile", "sam", "--json").json["role"] is None
    assert run("checklist", "profiles", "--save", "--profile", "sam", "--role", "volunteer").exit_code == 0
    emptied = run("checklist", "profiles", "--save", "--profile", "sam", "--role", "")  # "" clears, as in profile
    assert "role none saved" in " ".join(emptied.stdout.split())
    assert run("checklist", "list", "--profile", "sam", "--json").json["role"] is None
    bad = run("checklist", "profiles", "--save", "--profile", "sam", "--role", "treasurer")
    assert bad.exit_code == 3 and "unknown role" in bad.stderr
    assert run("checklist", "list", "--profile", "sam", "--json").json["nation"] == "wales"


@pytest.mark.parametrize(
    "role",
    ["agent\x1b[2J", "agent\u202e", "agent\x00", "agent " * 2_000],
    ids=["esc", "bidi", "nul", "megabytes"],
)
def test_a_profile_role_that_profile_refuses_gives_the_checklist_no_role(role: str) -> None:
    """The checklist used a hand-edited role that `profile` itself refuses, and echoed it raw in --json."""
    import json

    from campaignsafe import paths

    paths.home().mkdir(parents=True, exist_ok=True)
    (paths.home() / "profile.json").write_text(json.dumps({"role": role}))
    r = run("checklist", "list", "--json")
    assert r.exit_code == 0
    assert (r.json["role"], r.json["role_from_profile"]) == (None, None)
    assert "\x1b" not in r.stdout and len(r.stdout) < 1_000_000


def test_a_profile_force_campaignsafe_does_not_know_is_no_force_in_the_list(tmp_path: Path) -> None:
    """`force_name: "no-such-force"`, `force_source: profile` was stated for an online incident."""
    from campaignsafe import paths
    from tests.incident_helpers import minimal, write_json

    online = minimal(location={"text": "online"})
    assert run("report", "--from-file", str(write_json(tmp_path, online))).exit_code == 0
    (paths.home() / "profile.json").write_text('{"force_id": "no-such-force"}')
    (row,) = run("incidents", "list", "--json").json["incidents"]
    assert (row["force_id"], row["force_name"], row["force_source"]) == (None, None, None)
    assert "no-such-force" not in run("incidents", "list").stdout
    assert "no-such-force" not in run("incidents", "show", "1").stdout


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_briefing_tells_not_yet_from_not_answered(fmt: str) -> None:
    """Every unanswered item was labelled "Not yet", the same as one the user marked not yet."""
    items = run("checklist", "next", "--json").json["items"]
    first, second = items[0]["id"], items[1]["id"]
    assert run("checklist", "mark", first, "todo").exit_code == 0
    text = run("checklist", "export", "--format", fmt).stdout
    flat_text = " ".join(text.split())

    def status_of(item_id: str) -> str:
        import re

        if fmt == "html":
            found = re.search(rf'id="{re.escape(item_id)}">.*?<span class="status">([^<]+)</span>', text)
        else:
            found = re.search(rf"^  ([A-Z][a-z ]+?) · [^`]*`{re.escape(item_id)}`", text, re.M)
        assert found, item_id
        return found.group(1)

    assert (status_of(first), status_of(second)) == ("Not yet", "Not answered yet")
    assert "not yet, or not answered yet (each says which)" in flat_text


def test_offences_take_the_nation_the_checklist_profile_saved(home: Path) -> None:
    """`checklist offences --help` says it uses the profile's saved nation, but it took only the profile's force:
    a Welsh volunteer who saved Wales (with a Met profile force) saw England's offences."""
    assert run("profile", "--force", "metropolitan").exit_code == 0
    assert run("checklist", "offences", "--json").json["nation"] == "england"
    assert run("checklist", "profiles", "--save", "--profile", "sam", "--nation", "wales").exit_code == 0
    got = run("checklist", "offences", "--profile", "sam", "--json").json
    assert (got["nation"], got["nation_saved_by_profile"], got["nation_from_profile_force"]) == ("wales", "sam", None)
    said = " ".join(run("checklist", "offences", "--profile", "sam").stdout.split())
    assert "offences in Wales (saved for checklist profile sam" in said
    assert run("checklist", "offences", "--profile", "sam", "--nation", "scotland", "--json").json["nation"] == (
        "scotland"
    )
    assert run("checklist", "profiles", "--save", "--profile", "sam", "--nation", "all").exit_code == 0
    assert run("checklist", "offences", "--profile", "sam", "--json").json["nation"] is None
    (home / "checklist" / "sam.json").write_text("{not json")
    damaged = run("checklist", "offences", "--profile", "sam")  # its saved nation cannot be read: said, not dropped
    assert damaged.exit_code == 5 and "sam" in damaged.stderr
    assert run("checklist", "offences", "--profile", "sam", "--nation", "wales").exit_code == 0  # not needed


def test_a_saved_default_is_said_as_saved_and_a_cleared_one_says_what_applies_instead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Clearing sam's saved role said "role none saved (your profile's)", but sam is another person and took every
    role; and a saved role or nation was shown bare, as if given. The confirmation says what now applies, and the
    checklist and ``profiles`` mark a saved value "(saved)", as they mark one from the profile "(profile)"."""
    monkeypatch.setenv("COLUMNS", "100")
    run("profile", "--name", "Jo Smith", "--role", "Candidate", "--force", "kent")
    said = " ".join(run("checklist", "profiles", "--save", "--role", "none", "--profile", "sam").stdout.split())
    assert "role none saved, so all roles" in said and "nation none saved, so england (your profile's force)" in said
    said = " ".join(run("checklist", "profiles", "--save", "--role", "none").stdout.split())
    assert "role none saved, so candidate (your profile's role)" in said
    run("checklist", "profiles", "--save", "--role", "volunteer", "--nation", "wales", "--profile", "sam")
    head = run("checklist", "--profile", "sam").stdout
    assert "profile sam · volunteers (saved) · Wales (saved)" in head
    assert "profile sam · agents · Wales (saved)" in run("checklist", "--profile", "sam", "--role", "agent").stdout
    table = run("checklist", "profiles").stdout
    assert "volunteer (saved)" in table and "wales (saved)" in table and "(saved): saved for that profile" in table


def test_a_one_letter_slip_gets_the_one_suggestion_it_means() -> None:
    """``checklist mark canvassing.never-alon done`` suggested "canvassing.never-alone or canvassing.after-dark or
    canvassing.street-stalls": only the names about as close as the closest are offered."""
    r = run("checklist", "mark", "canvassing.never-alon", "done")
    assert r.exit_code == 4 and "did you mean canvassing.never-alone?" in r.stderr and "after-dark" not in r.stderr
