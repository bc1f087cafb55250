"""Benchmark: one campaign's record on a shared PostgreSQL store (100 campaigns × 1,000 incidents) against the
same record in its own SQLite file, and 8 concurrent writers' throughput.

* Read: ``incidents list --json``, ``incidents show N --json``, ``incidents links --json`` and
  ``export --all --bundle`` run as the campaign's own role (row-level security leaving it 1,000 of the
  store's 100,000 incidents), each a separate process; the baseline is the same command on a SQLite
  store holding exactly that campaign's 1,000 incidents (what the campaign would have on a laptop).
* Write: 8 processes each recording ``--writes`` incidents with one evidence file (``entry.save``, as
  ``report`` does), all at once: into one campaign, into 8 campaigns, and into one SQLite file.

Seeding goes through the store's own API (``Store.add``, 1,000 incidents a transaction, as each
campaign's role). Every incident of the measured campaign has one evidence file (held in the
database on PostgreSQL, in the evidence folder on SQLite) and one URL exhibit; the other 99
campaigns' incidents have a URL exhibit, so seeding stays in minutes. The server is a throw-away one
this script starts (Debian's ``postgresql`` binaries, as the tests do; Unix socket), or ``--url`` an
administrator's URL of an empty database.

Run after ``pip install .``:  python benchmarks/bench_postgres.py [--campaigns 100] [--incidents 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/pg_server.py: the throw-away server

from seeding import KINDS, PLACES, timed

WRITER = """
import sys
from pathlib import Path
from campaignsafe.incidents import entry
folder = Path(sys.argv[2])
for n in range(int(sys.argv[3])):
    name = f"{sys.argv[1]}-{n}.txt"
    (folder / name).write_text(f"evidence {sys.argv[1]} {n}")
    raw = {"occurred_at": "2026-05-01T18:30", "kind": "threats", "description": f"{sys.argv[1]} {n}",
           "location": {"text": "High Street"}, "evidence": [{"path": name}]}
    entry.save(entry.check([raw], base=folder))
"""


def items(campaign: int, count: int, files: bool, put: Any) -> Iterator[list[Any]]:
    """Batches of 1,000 ``(IncidentIn, Location, [NewEvidence])``; ``put(bytes) -> StoredFile`` stores a file."""
    from campaignsafe.incidents.entry import resolve_location
    from campaignsafe.incidents.models import IncidentIn, LocationIn
    from campaignsafe.incidents.store import NewEvidence
    from campaignsafe.incidents.when import LONDON, now

    locations = {text: resolve_location(LocationIn(text=text, postcode=pc)) for text, pc in PLACES}
    start = now().replace(microsecond=0) - timedelta(days=400)
    step = timedelta(days=399) / max(count, 1)
    batch: list[Any] = []
    for n in range(count):
        text, _pc = PLACES[n % len(PLACES)]
        at = (start + step * n).astimezone(LONDON)
        handle = f"@suspect{(n * 7 + campaign) % 500}"  # handles recur within and across campaigns: links to find
        incident = IncidentIn.model_validate(
            {
                "occurred_at": at,
                "kind": KINDS[n % len(KINDS)],
                "description": f'Incident {campaign}.{n}: he said "you will regret standing" and followed me.',
                "location": {"text": text},
                "people": [{"role": "suspect", "description": "man in a grey hoodie", "handle": handle,
                            "platform": "X"}],
                "reports": [{"to": "101", "reference": f"CAD {n}"}] if n % 3 == 0 else [],
            }
        )  # fmt: skip
        exhibits = [NewEvidence("url", at, url=f"https://x.com/someone/status/{campaign}{n}", platform="X", seen_at=at)]
        if files:
            exhibits.insert(0, NewEvidence("file", at, file=put(f"evidence {campaign}.{n}\n".encode(), n, at)))
        batch.append((incident, locations[text], exhibits))
        if len(batch) == 1000:
            yield batch
            batch = []
    if batch:
        yield batch


def stored(sha: str, body: bytes, n: int, at: Any) -> Any:
    from campaignsafe.incidents import evidence
    from campaignsafe.incidents.models import StoredFile

    return StoredFile(
        sha256=sha, original_name=f"shot-{n}.png", size=len(body), modified_at=at, stored_path=evidence.relative(sha)
    )


def seed_sqlite(home: Path, count: int) -> None:
    os.environ["CAMPAIGNSAFE_HOME"] = str(home)
    os.environ.pop("CAMPAIGNSAFE_DATABASE_URL", None)
    from campaignsafe import profile
    from campaignsafe.incidents import evidence
    from campaignsafe.incidents.store import Store

    profile.update({"name": "Jo Smith"})

    def put(body: bytes, n: int, at: Any) -> Any:
        sha = hashlib.sha256(body).hexdigest()
        blob = evidence.blob(sha)
        blob.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        blob.write_bytes(body)
        return stored(sha, body, n, at)

    with Store.open() as store:
        for batch in items(0, count, True, put):
            store.add(batch, "JS")


def seed_campaign(url: str, campaign: int, count: int, files: bool) -> None:
    os.environ["CAMPAIGNSAFE_DATABASE_URL"] = url
    from campaignsafe.incidents.blobs import PgBlobs
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        copies = PgBlobs(store.conn)  # type: ignore[arg-type]

        def put(body: bytes, n: int, at: Any) -> Any:
            sha = hashlib.sha256(body).hexdigest()
            copies.put([body], sha)
            return stored(sha, body, n, at)

        for batch in items(campaign, count, files, put):
            store.add(batch, "JS")


def cli(env: dict[str, str], *args: str) -> None:
    exe = shutil.which("campaignsafe", path=str(Path(sys.executable).parent)) or "campaignsafe"
    subprocess.run([exe, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def writers(env: dict[str, str], urls: list[str | None], each: int, tmp: Path) -> float:
    """Incidents a second with one process per entry of ``urls`` (None: the SQLite store) writing at once."""
    procs = []
    t0 = time.perf_counter()
    for p, url in enumerate(urls):
        folder = tmp / f"w{p}-{time.monotonic_ns()}"
        folder.mkdir()
        e = dict(env)
        if url:
            e["CAMPAIGNSAFE_DATABASE_URL"] = url
        else:
            e.pop("CAMPAIGNSAFE_DATABASE_URL", None)
        procs.append(subprocess.Popen([sys.executable, "-c", WRITER, f"w{p}", str(folder), str(each)], env=e))
    if any(p.wait() != 0 for p in procs):
        sys.exit("a writer failed")
    return len(urls) * each / (time.perf_counter() - t0)


@contextlib.contextmanager
def server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tests import pg_server as pgs

    with pgs.started() as s:
        admin = s.admin()
        admin.execute("CREATE DATABASE bench")
        admin.close()
        yield s.url("bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=100)
    parser.add_argument("--incidents", type=int, default=1000, help="per campaign")
    parser.add_argument("--writes", type=int, default=50, help="incidents each of the 8 writers records")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", help="an administrator's URL of an empty database (default: start a server)")
    args = parser.parse_args()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        sys.exit("psycopg is not installed: pip install .")
    with tempfile.TemporaryDirectory(prefix="campaignsafe-bench-pg-") as tmp_text, server(args.url) as admin:
        tmp = Path(tmp_text)
        home = tmp / "home"
        env = {**os.environ, "CAMPAIGNSAFE_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120"}
        env.pop("CAMPAIGNSAFE_DATABASE_URL", None)
        cli(env, "server", "init", "--url", admin)
        urls = []
        t0 = time.perf_counter()
        for c in range(args.campaigns):
            out = subprocess.run(
                [sys.executable, "-m", "campaignsafe", "server", "add-campaign", f"Bench {c}", "--url", admin,
                 "--password-out", str(tmp / f"c{c}.pw"), "--json"],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            import json

            urls.append(json.loads(out.stdout)["connect"])
        os.environ["CAMPAIGNSAFE_HOME"] = str(home)
        from campaignsafe import profile

        profile.update({"name": "Jo Smith"})
        for c, url in enumerate(urls):  # the measured campaign (0) with evidence files, the others without
            seed_campaign(url, c, args.incidents, files=c == 0)
        seeded_pg = time.perf_counter() - t0
        t0 = time.perf_counter()
        sqlite_home = tmp / "sqlite-home"
        seed_sqlite(sqlite_home, args.incidents)
        seeded_sqlite = time.perf_counter() - t0
        pg_env = {**env, "CAMPAIGNSAFE_DATABASE_URL": urls[0]}
        sq_env = {**env, "CAMPAIGNSAFE_HOME": str(sqlite_home)}
        mid = str(max(1, args.incidents // 2))  # the campaign's ids are 1…N on both stores
        rows = []
        for label, cmd in (
            ("`incidents list --json`", ["incidents", "list", "--json"]),
            (f"`incidents show {mid} --json`", ["incidents", "show", mid, "--json"]),
            ("`incidents links --json`", ["incidents", "links", "--json"]),
            ("`export --all --bundle`", ["export", "--all", "--bundle"]),
        ):

            def go(e: dict[str, str], cmd: list[str] = cmd) -> None:
                extra = [str(tmp / f"b-{time.monotonic_ns()}.zip")] if cmd[-1] == "--bundle" else []
                cli(e, *cmd, *extra)

            pg_s = timed(lambda: go(pg_env), args.repeat)
            sq_s = timed(lambda: go(sq_env), args.repeat)
            rows.append((label, pg_s, sq_s))
        w_one = writers(env, [urls[1]] * 8, args.writes, tmp)
        w_many = writers(env, urls[2:10], args.writes, tmp)
        w_env = {**env, "CAMPAIGNSAFE_HOME": str(tmp / "w-home")}
        cli(w_env, "profile", "--name", "Jo Smith")
        w_sqlite = writers(w_env, [None] * 8, args.writes, tmp)

    total = args.campaigns * args.incidents
    print("**PostgreSQL store** (`bench_postgres.py`)\n")
    print(
        f"{args.campaigns} campaigns × {args.incidents:,} incidents ({total:,} on the server, seeded in"
        f" {seeded_pg:.0f} s); one campaign's {args.incidents:,} (each with an evidence file and a URL) read as"
        f" its own role, against the same {args.incidents:,} in a SQLite file (seeded in {seeded_sqlite:.0f} s);"
        f" median of {args.repeat} runs, each a separate process\n"
    )
    print("| command | PostgreSQL (one campaign of the shared store) | SQLite (that campaign alone) | ratio |")
    print("|---|---:|---:|---:|")
    for label, pg_s, sq_s in rows:
        print(f"| {label} | {pg_s:.2f} s | {sq_s:.2f} s | {pg_s / sq_s:.2f}× |")
    print()
    print(f"8 processes writing {args.writes} incidents each (one evidence file each) at once:\n")
    print("| store | incidents/s | against SQLite |")
    print("|---|---:|---:|")
    print(f"| SQLite, one file (baseline) | {w_sqlite:.1f} | 1.00× |")
    print(f"| PostgreSQL, all 8 in one campaign | {w_one:.1f} | {w_one / w_sqlite:.2f}× |")
    print(f"| PostgreSQL, 8 campaigns | {w_many:.1f} | {w_many / w_sqlite:.2f}× |")


if __name__ == "__main__":
    main()
