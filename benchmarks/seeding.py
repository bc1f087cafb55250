"""Seed data for the benchmarks and the report rendering check, written through the tool's own API.

* :func:`seed` – many incidents quickly (``Store.add``, 1,000 a transaction), each with
  ``files`` small evidence files in the content-addressed evidence folder and one URL exhibit.
* :func:`seed_demo` – a realistic record for looking at the report: 12 incidents over four
  months in and around Bath (several kinds, escalating), people, vehicles, impact, police
  reports, amendments, files and web addresses as evidence, a profile and a saved SPOC.

Both set ``CAMPAIGNSAFE_HOME`` to the folder given; import campaignsafe after installing it.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

KINDS = ["threats", "online-abuse", "harassment", "in-person-abuse", "criminal-damage", "stalking"]
PLACES = [("High Street", "SW1A 1AA"), ("Princes Street", "EH1 1YZ"), ("Queen Street", "CF10 1EP"), ("online", None)]


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def paired(ours: Callable[[], object], base: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall times of ``ours`` and ``base``, run by turns ``repeat`` times each (after a warm-up of each).

    Taking turns means a machine that gets busier or quieter during the run slows both alike,
    so their ratio stays meaningful on a shared machine.
    """
    ours()
    base()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for fn, times in ((ours, a), (base, b)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b)


def seed(home: Path, incidents: int, files: int = 1, urls: int = 1) -> int:
    """``incidents`` incidents with ``files`` file and ``urls`` URL exhibits each; returns the file count."""
    os.environ["CAMPAIGNSAFE_HOME"] = str(home)
    from campaignsafe import profile
    from campaignsafe.incidents import evidence
    from campaignsafe.incidents.entry import resolve_location
    from campaignsafe.incidents.models import IncidentIn, LocationIn, StoredFile
    from campaignsafe.incidents.store import NewEvidence, Store
    from campaignsafe.incidents.when import LONDON, now

    profile.update({"name": "Jo Smith"})
    locations = {text: resolve_location(LocationIn(text=text, postcode=pc)) for text, pc in PLACES}
    start = now().replace(microsecond=0) - timedelta(days=400)
    step = min(timedelta(minutes=57), timedelta(days=399) / max(incidents, 1))  # never in the future
    written = 0
    with Store.open() as store:
        for first in range(0, incidents, 1000):
            batch = []
            for n in range(first, min(first + 1000, incidents)):
                text, _pc = PLACES[n % len(PLACES)]
                at = (start + step * n).astimezone(LONDON)
                incident = IncidentIn.model_validate(
                    {
                        "occurred_at": at,
                        "kind": KINDS[n % len(KINDS)],
                        "description": f'Incident {n}: he said "you will regret standing" and followed me.',
                        "location": {"text": text},
                        "people": [{"role": "suspect", "description": "man in a grey hoodie"}],
                        "reports": [{"to": "101", "reference": f"CAD {n}"}] if n % 3 == 0 else [],
                    }
                )
                exhibits = []
                for k in range(files):
                    body = f"evidence {n}.{k}\n".encode()
                    sha = hashlib.sha256(body).hexdigest()
                    blob = evidence.blob(sha)
                    blob.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    blob.write_bytes(body)
                    written += 1
                    stored = StoredFile(
                        sha256=sha,
                        original_name=f"shot-{n}-{k}.png",
                        size=len(body),
                        modified_at=at,
                        stored_path=evidence.relative(sha),
                    )
                    exhibits.append(NewEvidence("file", at, file=stored))
                exhibits += [
                    NewEvidence("url", at, url=f"https://x.com/someone/status/{n}{k}", platform="X/Twitter", seen_at=at)
                    for k in range(urls)
                ]
                batch.append((incident, locations[text], exhibits))
            store.add(batch, "JS")
    return written


#: (days before today, time, kind, place, postcode, platform, description, extra fields, evidence files, urls)
DEMO: list[tuple[int, str, str, str, str | None, str | None, str, dict[str, Any], list[str], list[str]]] = [
    (
        118,
        "21:14",
        "online-abuse",
        "online",
        None,
        "X/Twitter",
        'A reply to my campaign launch post: "Nobody wants you here. Go back where you came from." '
        "The account has posted about me eleven times since.",
        {"people": [{"role": "suspect", "handle": "@angryvoter99", "platform": "X/Twitter"}]},
        [],
        ["https://x.com/angryvoter99/status/1890001112223334445"],
    ),
    (
        104,
        "08:02",
        "threatening-communications",
        "campaign inbox",
        None,
        "email",
        "An email to the campaign address from bath.truth@example.net:\n"
        '"You\'d better watch yourself on the doorstep. We know which streets you do on Saturdays."',
        {"impact": {"personal": "I stopped canvassing on my own.", "campaign": None}},
        ["email-2026-02-10.eml"],
        [],
    ),
    (
        90,
        "07:30",
        "criminal-damage",
        "Campaign office, Walcot Street",
        "BA1 5AW",
        None,
        "Every poster in the office window was torn down overnight and the glass was daubed with the word "
        '"TRAITOR" in red paint.',
        {"impact": {"campaign": "The office was closed for a morning; volunteers were frightened."}},
        ["office-window-1.jpg", "office-window-2.jpg"],
        [],
    ),
    (
        76,
        "11:20",
        "in-person-abuse",
        "Street stall, Southgate",
        "BA1 1SU",
        None,
        'A man of about 40 in a grey hoodie walked up to our stall and shouted "traitor" and "you\'ll get what '
        'is coming to you" at me from about a metre away. He left towards the bus station in a silver car.',
        {
            "people": [
                {"role": "suspect", "description": "white man, about 40, grey hoodie, shaved head, 5'10\""},
                {"role": "witness", "name": "Sam Jones", "contact": "07700 900123"},
            ],
            "vehicles": [{"description": "silver Ford Focus", "registration": "AB12 CDE"}],
        },
        ["stall-photo.jpg"],
        [],
    ),
    (
        62,
        "19:45",
        "online-abuse",
        "online",
        None,
        "Facebook",
        "A post in the 'Bath Community Noticeboard' group sharing my home street with the words "
        '"pay her a visit". 34 comments, several agreeing.',
        {"people": [{"role": "suspect", "name": "Gary Hollis", "handle": "gary.hollis.7", "platform": "Facebook"}]},
        ["facebook-post.png"],
        ["https://www.facebook.com/groups/bathnoticeboard/posts/7788990011223344/"],
    ),
    (
        55,
        "10:05",
        "harassment",
        "Street stall, Southgate",
        "BA1 1SU",
        None,
        "The same man as on the 18th came back, stood beside the stall for twenty minutes filming me on his phone "
        'and said "see you at home".',
        {"people": [{"role": "suspect", "description": "the man in the grey hoodie from incident 4"}]},
        ["stall-video-still.jpg"],
        [],
    ),
    (
        41,
        "22:40",
        "stalking",
        "Outside my home",
        "BA2 3DZ",
        None,
        "A silver Ford Focus, I believe AB12 CDE, parked opposite my house with its engine running for about "
        "forty minutes. It drove off when I opened the curtains.",
        {
            "vehicles": [{"description": "silver Ford Focus", "registration": "AB12 CDE"}],
            "impact": {"personal": "My children now stay with their grandparents at weekends."},
        },
        ["doorbell-camera.mp4"],
        [],
    ),
    (
        33,
        "07:10",
        "threats",
        "Outside my home",
        "BA2 3DZ",
        None,
        'A handwritten note through my door: "WE KNOW WHERE YOU LIVE. STAND DOWN OR ELSE." No stamp or postmark.',
        {"impact": {"personal": "I am afraid to be at home alone.", "campaign": "I cancelled two hustings."}},
        ["note-front.jpg", "note-back.jpg"],
        [],
    ),
    (
        21,
        "23:55",
        "online-abuse",
        "online",
        None,
        "X/Twitter",
        'Three posts in an hour: "=HYPERLINK(\\"http://evil.example\\")" she will regret this; '
        '<script>alert("x")</script>; and a photo of my front door.',
        {"people": [{"role": "suspect", "handle": "@angryvoter99", "platform": "X/Twitter"}]},
        ["x-posts.png"],
        ["https://x.com/angryvoter99/status/1899990001112223334"],
    ),
    (
        14,
        "18:31",
        "threats",
        "Phone call to my mobile",
        None,
        "phone",
        'A withheld number. A man\'s voice said: "Last warning. Pull out or your family will get hurt." '
        "The call lasted 19 seconds.",
        {"impact": {"personal": "I have not slept properly since."}},
        ["call-log.png"],
        [],
    ),
    (
        6,
        "02:15",
        "criminal-damage",
        "Outside my home",
        "BA2 3DZ",
        None,
        "All four tyres of my car were slashed in the night. The doorbell camera shows a figure in a grey hoodie.",
        {"people": [{"role": "suspect", "description": "figure in a grey hoodie (doorbell camera)"}]},
        ["tyres-1.jpg", "tyres-2.jpg", "doorbell-0215.mp4"],
        [],
    ),
    (
        2,
        "16:00",
        "suspicious-item",
        "Campaign office, Walcot Street",
        "BA1 5AW",
        None,
        "A padded envelope addressed to me by hand, leaking white powder. We left the room, closed the door and "
        "called 999.",
        {"reports": [{"to": "999", "reference": "Log 412 of today"}]},
        ["envelope.jpg"],
        [],
    ),
]


def seed_demo(home: Path, files_dir: Path) -> list[int]:
    """The realistic demo record; evidence originals are written to ``files_dir``. Returns the ids."""
    os.environ["CAMPAIGNSAFE_HOME"] = str(home)
    from campaignsafe import profile
    from campaignsafe.contact import contacts
    from campaignsafe.incidents import entry, manage
    from campaignsafe.incidents.when import LONDON, now

    profile.update(
        {
            "name": "Jo Smith",
            "role": "candidate",
            "constituency": "Bath",
            "phone": "07700 900000",
            "email": "jo.smith@example.org",
        }
    )
    contacts.save(
        "avon-and-somerset",
        "spoc",
        {"name": "DS Priya Example", "phone": "01179 000000", "email": "priya.example@example.police.uk"},
    )
    files_dir.mkdir(parents=True, exist_ok=True)
    today = now().astimezone(LONDON)
    items = []
    for n, (days, clock, kind, place, postcode, platform, text, extra, files, urls) in enumerate(DEMO):
        day = (today - timedelta(days=days)).date()
        for name in files:
            (files_dir / name).write_bytes(hashlib.sha256(f"{n}{name}".encode()).digest() * 64)
        evidence: list[dict[str, Any]] = [{"path": name} for name in files]
        evidence += [{"url": u, "seen_at": f"{day.isoformat()}T{clock}"} for u in urls]
        item = {
            "occurred_at": f"{day.isoformat()}T{clock}",
            "kind": kind,
            "platform": platform,
            "description": text,
            "location": {"text": place, "postcode": postcode},
            "evidence": evidence,
            **extra,
        }
        items.append(item)
    saved = entry.save(entry.check(items, files_dir))
    ids = [i.id for i in saved]
    manage.reported(ids[0], "platform", None, "X-REPORT-55120", "X/Twitter", None)
    manage.reported(ids[3], "101", "CAD 2231 18/03", None, None, None)
    manage.edit(ids[3], {"when": f"{(today - timedelta(days=76)).date().isoformat()} 11:35"}, "checked the stall rota")
    manage.reported(ids[6], "online", "5526/26", None, None, None)
    manage.edit(ids[7], {"add_witness": ["Alex Brown (neighbour); contact=07700 900456"]}, "neighbour saw a man")
    manage.reported(ids[9], "101", "CAD 4410 17/05", None, None, None)
    return ids
