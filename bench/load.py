"""Mixed load on `python bot.py` over a 50,000-stakeholder directory, with `dispatch` running beside it.

Run from the project root:

    .venv/bin/python bench/load.py [sqlite] [postgresql://postgres@127.0.0.1:5432/test] \\
        [--clients 8] [--seconds 60] [--stakeholders 50000] [--bare-seconds 15]

Each database named (default: a fresh SQLite file; a PostgreSQL URL runs in a schema of its own,
dropped afterwards) is seeded by bulk insert with the stakeholders (a tenth law enforcement), and
with three years of one state's trainings and reports. The bot is started as an operator starts it
(HTTP mode, a process of its own) against the Slack stand-in, and `python bot.py dispatch` is run
again and again beside it, as cron would. Then `--clients` clients send signed requests for
`--seconds`, each drawing the next from a mix: `/tat contact` over rotating places, `/tat trained`,
`/tat progress` (a chart follows), `/tat help`, `/tat pending`, `/tat export` (50,000 rows follow),
a button that runs a command, and one registration form in ten.

Printed per database: each command's acknowledgement p50 and p99, and each as a ratio to a bare
Bolt app (served the same way, in a process of its own) measured in the same run with the same
number of clients; requests per second; answers that were not 200 (or not answered in 10 s); "busy"
answers; lost writes (trainings and registrations acknowledged as stored but not in the database,
counted afterwards, and stored though refused); the server's memory when idle and after the load;
and how long SIGTERM took. Figures are for comparing runs on one machine: read the ratios.
"""
import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from domain import places  # noqa: E402
from handlers.registration_blocks import registration_form  # noqa: E402
from localslack import payloads  # noqa: E402
from localslack.client import SECRET, BotClient  # noqa: E402
from localslack.samples import TRUCK_STOP  # noqa: E402
from localslack.standin import SlackStandIn  # noqa: E402
from storage.db import engine_for, migrate, session_factory  # noqa: E402
from storage.models import Coverage, Report, Stakeholder, Training, now  # noqa: E402

CALLER, ADMIN = "U0LOADMGR1", "U0ADMIN001"
TEAM = payloads.TEAM["id"]
PLACES = ["", "68102", "Cook County, IL", "Harris County, TX", "Los Angeles County, CA", "Omaha, NE",
          "Polk County, IA", "Douglas County, NE", "Lincoln, NE", "Des Moines, IA"]
OTHER_SECTORS = ["truck_stop", "bus_terminal", "trucking_company", "bus_company", "pupil_transportation",
                 "association", "victim_services", "tat", "other"]
MIX = {"contact": 20, "help": 15, "trained": 14, "progress": 10, "pending": 10, "button": 18, "export": 3,
       "register": 10}   # of a hundred requests: one registration in ten
TRAININGS, REPORTS = 30_000, 3_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("databases", nargs="*", default=["sqlite"], help="'sqlite' or a PostgreSQL URL, or both")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--stakeholders", type=int, default=50_000)
    parser.add_argument("--bare-seconds", type=float, default=15)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)   # serve the bare Bolt app on this port
    args = parser.parse_args()
    if args.bare is not None:
        return serve_bare(args.bare)
    for database in args.databases:
        run(database, args)


def run(database_arg: str, args) -> None:
    database, schema = database_for(None if database_arg == "sqlite" else database_arg)
    kind = database.split(":")[0].split("+")[0]
    started = time.monotonic()
    seed(database, args.stakeholders)
    print(f"\n== {kind}: seeded {args.stakeholders:,} stakeholders, {TRAININGS:,} trainings and {REPORTS:,} reports "
          f"in {time.monotonic() - started:.0f} s; {args.clients} clients for {args.seconds:g} s")
    slack = SlackStandIn().start()
    bare_port, bot_port = free_port(), free_port()
    bare = subprocess.Popen([sys.executable, __file__, "--bare", str(bare_port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bot = subprocess.Popen([sys.executable, str(ROOT / "bot.py")], cwd=ROOT, env=bot_env(slack, database, bot_port),
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dispatching = Dispatching(slack, database)
    try:
        wait_until_up(bare_port, bare)
        wait_until_up(bot_port, bot)
        client = BotClient(f"http://127.0.0.1:{bot_port}", slack)
        bare_client = BotClient(f"http://127.0.0.1:{bare_port}", slack)
        warm_up(client, slack)
        idle_rss, bare_rss = rss_mb(bot.pid), rss_mb(bare.pid)
        bare_cpu = cpu_seconds(bare.pid)
        floor = load(args.clients, args.bare_seconds, lambda rng, i, worker: ("bare", bare_client.command(
            f"U0BARE{worker}", "help")))
        floor["cpu"] = (cpu_seconds(bare.pid) - bare_cpu) / (sum(floor["statuses"].values()) or 1)
        trainings_before, stakeholders_before = rows(database)
        cpu_before = cpu_seconds(bot.pid), sum(cpu_seconds(c) for c in children_of(bot.pid))
        dispatching.start()
        mixed = Mixed(client, slack)
        measured = load(args.clients, args.seconds, mixed.send)
        dispatching.stop()
        cpu = (cpu_seconds(bot.pid) - cpu_before[0], sum(cpu_seconds(c) for c in children_of(bot.pid)) - cpu_before[1])
        loaded_rss, worker_rss = rss_mb(bot.pid), sum(rss_mb(c) for c in children_of(bot.pid))
        stopping = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        _, errors = bot.communicate(timeout=120)
        stopped_in = time.monotonic() - stopping
        trainings_after, stakeholders_after = rows(database)
    finally:
        dispatching.stop()
        for process in (bot, bare):
            process.kill()
            process.wait()
        slack.stop()
        drop(database, schema)
    report(floor, measured, args, mixed, (trainings_after - trainings_before, stakeholders_after - stakeholders_before),
           (bare_rss, idle_rss, loaded_rss, worker_rss), stopped_in, dispatching, cpu)
    if "Traceback" in (errors or ""):
        print("the bot logged a traceback:\n" + errors[-3000:])


class Mixed:
    """The mix of requests, and what the bot said it stored."""

    def __init__(self, client: BotClient, slack: SlackStandIn):
        self.client, self.slack = client, slack
        self.view = registration_form(None)
        self.logged = self.registered = self.busy = 0
        self.lock = threading.Lock()
        self.kinds = [k for k, weight in MIX.items() for _ in range(weight)]

    def send(self, rng: random.Random, i: int, worker: int):
        kind = rng.choice(self.kinds)
        place = PLACES[i % len(PLACES)]
        if kind == "contact":
            answer = self.client.command(CALLER, f"contact {place}".strip())
        elif kind == "help":
            answer = self.client.command(CALLER, "help")
        elif kind == "trained":
            answer = self.client.command(CALLER, f"trained {rng.randint(1, 40)}")
        elif kind == "progress":
            answer = self.client.command(CALLER, "progress")
        elif kind == "pending":
            answer = self.client.command(ADMIN, "pending")
        elif kind == "export":
            answer = self.client.command(ADMIN, "export")
        elif kind == "button":
            button = {"type": "button", "action_id": "run_command:0", "text": {"type": "plain_text", "text": "More"},
                      "value": f"contact {place or '68102'}"}
            message = {"ts": f"{time.time():.6f}", "text": "contacts", "blocks": [
                {"type": "actions", "block_id": "actions", "elements": [button]}]}
            answer = self.client.send(payloads.block_action(CALLER, button, message, "C0GENERAL1",
                                                            self.slack.response_url(CALLER), ephemeral=True))
        else:
            user = f"U0LOADREG{worker}{i:06d}"
            form = {**TRUCK_STOP, "name": f"Load Person {worker} {i}", "email": f"load{worker}x{i}@bigrig.example"}
            answer = self.client.send(payloads.view_submission(user, self.view, form))
        with self.lock:
            if "The bot is busy" in answer.body:
                self.busy += 1
            elif answer.status == 200 and kind == "trained" and "Logged:" in answer.body:
                self.logged += 1
            elif answer.status == 200 and kind == "register" and '"errors"' not in answer.body:
                self.registered += 1
        return kind, answer


def load(clients: int, seconds: float, send) -> dict:
    """`clients` threads sending for `seconds`: {kind: [ms, ...]}, statuses, and requests per second."""
    latencies, statuses, lock = defaultdict(list), Counter(), threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    def client(worker: int) -> None:
        rng = random.Random(worker)
        while time.monotonic() < deadline:
            i = next(counter)
            begun = time.perf_counter()
            try:
                kind, answer = send(rng, i, worker)
                status = answer.status
            except OSError:   # not answered within the client's 10 s
                kind, status = "?", "timeout"
            spent = (time.perf_counter() - begun) * 1000
            with lock:
                latencies[kind].append(spent)
                statuses[status] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(statuses.values())
    return {"latencies": latencies, "statuses": statuses, "rate": total / (time.monotonic() - began)}


def report(floor, measured, args, mixed, added, memory, stopped_in, dispatching, cpu) -> None:
    bare = floor["latencies"]["bare"]
    b50, b99 = statistics.median(bare), percentile(bare, 0.99)
    print(f"bare Bolt app, {args.clients} clients: p50 {b50:.1f} ms, p99 {b99:.1f} ms, {floor['rate']:.0f} requests/s")
    print(f"{'command':<10}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'p50/bare':>10}{'p99/bare':>10}")
    for kind in [*MIX, "?"]:
        found = measured["latencies"].get(kind)
        if found:
            p50, p99 = statistics.median(found), percentile(found, 0.99)
            print(f"{kind:<10}{len(found):>9}{p50:>9.1f}{p99:>9.1f}{p50 / b50:>9.1f}x{p99 / b99:>9.1f}x")
    statuses = measured["statuses"]
    print(f"requests/s        {measured['rate']:.1f} (bare app: {floor['rate']:.0f})")
    total = sum(statuses.values()) or 1
    print(f"CPU per request   server {cpu[0] * 1000 / total:.0f} ms, chart worker {cpu[1] * 1000 / total:.0f} ms "
          f"(bare app {floor['cpu'] * 1000:.1f} ms; CPU time over requests answered, which a busy machine "
          "inflates little)")
    print(f"non-200 answers   {sum(n for s, n in statuses.items() if s != 200)} {dict(statuses)}")
    print(f"'busy' answers    {mixed.busy}")
    trained, registered = added
    print(f"lost writes       trainings {mixed.logged - trained} (acknowledged {mixed.logged}, rows added {trained}); "
          f"registrations {mixed.registered - registered} (acknowledged {mixed.registered}, rows added {registered})")
    bare_rss, idle, loaded, worker = memory
    print(f"server memory     {idle:.0f} MB idle, {loaded:.0f} MB after ({loaded / idle:.2f}x); chart worker "
          f"{worker:.0f} MB; bare Bolt app {bare_rss:.0f} MB")
    print(f"dispatch beside   {dispatching.runs} runs, {dispatching.failures} failed")
    print(f"SIGTERM           stopped in {stopped_in:.1f} s")


class Dispatching:
    """`python bot.py dispatch` again and again, as cron would, until stopped."""

    def __init__(self, slack: SlackStandIn, database: str):
        self.env = bot_env(slack, database, free_port())
        self.runs = self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            done = subprocess.run([sys.executable, str(ROOT / "bot.py"), "dispatch"], cwd=ROOT, env=self.env,
                                  stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
            self.runs += 1
            self.failures += done.returncode != 0
            self._stop.wait(1)


def warm_up(client: BotClient, slack: SlackStandIn) -> None:
    """Each command once, so that idle memory is the memory of a bot that has answered each."""
    for words in ("help", "contact", "progress", "trained 1", "pending", "export"):
        answer = client.command(ADMIN if words in ("pending", "export") else CALLER, words)
        assert answer.status == 200, answer
    slack.wait_for("files.completeUploadExternal", count=2, timeout=120)   # the chart and the export
    time.sleep(2)


def seed(database: str, stakeholders: int) -> None:
    """The directory, and three years of Nebraska's trainings and reports, in a few bulk inserts."""
    rng = random.Random(7)
    states = [s.abbr for s in places.all_states()]
    counties = {s: [c.fips for c in places.counties_of(s)] for s in states}
    officers = stakeholders // 10
    people, coverage = [], []
    for i in range(stakeholders):
        state = rng.choice(states)
        officer = i < officers
        people.append({
            "id": i + 1, "slack_user_id": f"U{i:09d}", "name": f"Person {i}",
            "sector": "law_enforcement" if officer else rng.choice(OTHER_SECTORS),
            "organization": f"Organization {i % 977}", "title": "Sergeant" if officer else "Manager",
            "phone": f"(402) 555-{i % 10_000:04d}", "email": f"person{i}@example.org", "state": state,
            "county_fips": None if officer else rng.choice(counties[state]), "statewide": officer and i % 10 == 0,
            "status": "approved", "revision": 1, "created_at": now(), "updated_at": now(),
        })
        if officer and i % 10:
            for fips in rng.sample(counties[state], min(len(counties[state]), rng.randint(1, 3))):
                coverage.append({"stakeholder_id": i + 1, "county_fips": fips})
    people.append({**people[-1], "id": stakeholders + 1, "slack_user_id": CALLER, "sector": "truck_stop",
                   "organization": "Big Rig Plaza LLC", "state": "NE", "county_fips": "31055", "statewide": False})
    first = date.today() - timedelta(days=3 * 365)
    trainings = [{"team_id": TEAM, "stakeholder_id": stakeholders + 1, "logged_by": CALLER,
                  "organization": f"Organization {i % 97}", "state": "NE", "count": 1 + i % 30,
                  "audience": ("drivers", "employees", "officers")[i % 3], "program": ("TAT", "BOTL", "LE")[i % 3],
                  "trained_on": first + timedelta(days=i % 1095), "created_at": now()} for i in range(TRAININGS)]
    reports = [{"team_id": TEAM, "stakeholder_id": stakeholders + 1, "state": "NE",
                "made_to": ("hotline", "911", "police")[i % 3], "reported_on": first + timedelta(days=i % 1095),
                "created_at": now()} for i in range(REPORTS)]
    engine = engine_for(database)
    migrate(engine)
    with session_factory(engine).begin() as session:
        session.execute(insert(Stakeholder), people)
        session.execute(insert(Coverage), coverage)
        session.execute(insert(Training), trainings)
        session.execute(insert(Report), reports)
        if engine.dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('stakeholders', 'id'), :n)"),
                            {"n": stakeholders + 1})
        session.execute(text("ANALYZE"))
    engine.dispose()


def rows(database: str) -> tuple[int, int]:
    """Trainings, and the benchmark's registrations, in the database now."""
    engine = engine_for(database)
    with engine.connect() as connection:
        trainings = connection.scalar(select(func.count()).select_from(Training))
        registered = connection.scalar(select(func.count()).select_from(Stakeholder).where(
            Stakeholder.slack_user_id.like("U0LOADREG%")))
    engine.dispose()
    return trainings, registered


def bot_env(slack: SlackStandIn, database: str, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAT_", "DATABASE_URL", "PORT"))}
    return env | {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
                  "DATABASE_URL": database, "PORT": str(port), "TAT_ADMINS": f"{ADMIN},U0ADMIN002"}


def serve_bare(port: int) -> None:
    """A Bolt app that answers `/tat` with a fixed text, served by waitress with 8 threads: the floor."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_bolt.authorization import AuthorizeResult
    from waitress import serve

    app = App(signing_secret=SECRET, process_before_response=True, token_verification_enabled=False,
              authorize=lambda enterprise_id, team_id: AuthorizeResult(enterprise_id=enterprise_id,
                                                                        team_id=team_id, bot_token="xoxb-bare"))
    app.command("/tat")(lambda ack: ack("help"))
    handler = SlackRequestHandler(app)
    serve(lambda environ, start: handler(environ, start), host="127.0.0.1", port=port, threads=8, _quiet=True)


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited early: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listened on {port} within {timeout} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(found: list[float], fraction: float) -> float:
    ordered = sorted(found)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def database_for(url: str | None) -> tuple[str, str | None]:
    """A fresh SQLite file, or a schema of its own in the PostgreSQL database given."""
    if url is None:
        return f"sqlite:///{tempfile.mkdtemp()}/bench-load.db", None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


def drop(database: str, schema: str | None) -> None:
    if schema:
        engine = engine_for(database.split("?")[0])
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
