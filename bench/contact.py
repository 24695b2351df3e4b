"""`/tat contact` against a national-scale directory, beside `/tat help`, through the real HTTP server.

Run from the project root: `.venv/bin/python bench/contact.py [DATABASE_URL]` (a fresh SQLite file by
default; a PostgreSQL URL runs in a schema of its own, dropped afterwards). Seeds every state with
50,000 stakeholders, 5,000 of them law enforcement (a tenth statewide, the rest covering one to
three counties of their state), by bulk insert; then sends signed `/tat help` and `/tat contact`
(the caller's own county, a ZIP, counties by name) from 1 and 8 clients at once, the two in
turn over several rounds, and prints p50 and p99 of each and their ratio. Each place's page is
read from the directory once and then remembered while the directory is unchanged (every lookup
still reads the caller and the directory's revision): the figures are the usual lookup's. Figures
are for comparing runs on one machine.
"""
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

import bot as tat_bot  # noqa: E402
from domain import places  # noqa: E402
from localslack.client import SECRET, BotClient, settings_for, stop_server  # noqa: E402
from localslack.payloads import TEAM  # noqa: E402 (the workspace of the requests the benchmark makes)
from localslack.standin import SlackStandIn  # noqa: E402
from storage.db import engine_for, migrate, session_factory  # noqa: E402
from storage.models import Coverage, Stakeholder, now  # noqa: E402

STAKEHOLDERS, OFFICERS = 50_000, 5_000
REQUESTS = 800   # of each case at each number of clients, in ROUNDS rounds
ROUNDS = 8
CALLER = "U0BENCHMGR"
PLACES = ["", "68102", "Cook County, IL", "Harris County, TX", "Los Angeles County, CA", "Omaha, NE",
          "Polk County, IA", "Douglas County, NE"]
OTHER_SECTORS = ["truck_stop", "bus_terminal", "trucking_company", "bus_company", "pupil_transportation",
                 "association", "victim_services", "tat", "other"]


def seed(database: str) -> None:
    """Every state's directory, in a few bulk inserts."""
    rng = random.Random(7)
    states = [s.abbr for s in places.all_states()]
    counties = {s: [c.fips for c in places.counties_of(s)] for s in states}
    rows, coverage = [], []
    for i in range(STAKEHOLDERS):
        state = rng.choice(states)
        officer = i < OFFICERS
        sector = "law_enforcement" if officer else rng.choice(OTHER_SECTORS)
        rows.append({
            "id": i + 1, "team_id": TEAM["id"], "slack_user_id": f"U{i:09d}", "name": f"Person {i}", "sector": sector,
            "organization": f"Organization {i % 977}", "title": "Sergeant" if officer else "Manager",
            "phone": f"(402) 555-{i % 10_000:04d}", "email": f"person{i}@example.org", "state": state,
            "county_fips": None if officer else rng.choice(counties[state]),
            "statewide": officer and i % 10 == 0, "status": "approved",
            "revision": 1, "created_at": now(), "updated_at": now(),
        })
        if officer and i % 10:
            for fips in rng.sample(counties[state], min(len(counties[state]), rng.randint(1, 3))):
                coverage.append({"team_id": TEAM["id"], "stakeholder_id": i + 1, "county_fips": fips})
    rows.append({**rows[-1], "id": STAKEHOLDERS + 1, "slack_user_id": CALLER, "sector": "truck_stop",
                 "state": "NE", "county_fips": "31055", "status": "approved", "statewide": False})
    engine = engine_for(database)
    migrate(engine)
    with session_factory(engine).begin() as session:
        session.execute(insert(Stakeholder), rows)
        session.execute(insert(Coverage), coverage)
        if engine.dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('stakeholders', 'id'), :n)"),
                            {"n": STAKEHOLDERS + 1})
            session.execute(text("ANALYZE"))
        else:
            session.execute(text("ANALYZE"))
        assert session.scalar(select(Stakeholder.id).where(Stakeholder.slack_user_id == CALLER))
    engine.dispose()


def main() -> None:
    database, schema = database_for(sys.argv[1] if len(sys.argv) > 1 else None)
    started = time.perf_counter()
    seed(database)
    print(f"seeded {STAKEHOLDERS:,} stakeholders ({OFFICERS:,} law enforcement) in "
          f"{time.perf_counter() - started:.1f} s on {database.split(':')[0]}")
    slack = SlackStandIn().start()
    built = tat_bot.build(settings_for(database, slack)).start()
    server = tat_bot.http_server(built, SECRET, "127.0.0.1", 0)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    running = BotClient(f"http://127.0.0.1:{server.effective_port}", slack)
    cases = {
        "/tat help": lambda i: running.command(CALLER, "help"),
        "/tat contact": lambda i: running.command(CALLER, f"contact {PLACES[i % len(PLACES)]}".strip()),
    }
    check = running.command(CALLER, "contact").body
    assert "Contacts for Douglas County, NE" in check and "tel:" in check, check[:300]
    try:
        report(cases)
    finally:
        stop_server(server, serving)
        built.close()
        slack.stop()
        drop(database, schema)


def report(cases) -> None:
    """Each case in turn, in rounds (help, contact, help, contact, …), so that a machine slowing
    down or speeding up in the middle of the run weighs on both alike; p50 and p99 over all rounds."""
    print(f"{'request':<14}{'clients':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for clients in (1, 8):
        for send in cases.values():
            timed(send, clients, 50)   # warm up
        latencies = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, send in cases.items():
                latencies[name] += timed(send, clients, REQUESTS // ROUNDS)
        figures = {name: (statistics.median(found), percentile(found, 0.99)) for name, found in latencies.items()}
        for name, (p50, p99) in figures.items():
            print(f"{name:<14}{clients:>8}{p50:>9.1f}{p99:>9.1f}")
        (h50, h99), (c50, c99) = figures["/tat help"], figures["/tat contact"]
        print(f"{'ratio':<14}{clients:>8}{c50 / h50:>9.2f}{c99 / h99:>9.2f}   (contact / help)")


def timed(send, clients: int, count: int) -> list[float]:
    def one(i: int) -> float:
        begun = time.perf_counter()
        response = send(i)
        assert response.status == 200, response
        return (time.perf_counter() - begun) * 1000

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(count)))


def percentile(found: list[float], fraction: float) -> float:
    ordered = sorted(found)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def database_for(url: str | None) -> tuple[str, str | None]:
    """A fresh SQLite file, or a schema of its own in the PostgreSQL database given."""
    if url is None:
        return f"sqlite:///{tempfile.mkdtemp()}/bench-contact.db", None
    if not url.startswith(("postgres://", "postgresql")):
        return url, None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


def drop(database: str, schema: str | None) -> None:
    if schema:
        engine = engine_for(database.split("?")[0] if "options=" in database else database)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
