"""Signed Slack requests through the bot's real HTTP server, against the Slack stand-in.

Run from the project root: `.venv/bin/python bench/endpoint.py [DATABASE_URL]` (a fresh SQLite
file by default; give an empty PostgreSQL database to measure that instead). Prints requests per second and
latency for `/tat help` (no database write) and for a registration form (validation, a write,
and three Web API calls after the acknowledgement), one client and eight at once. Figures are
for comparing runs on one machine; the ratios within a run are what to read. Bolt polls for
the acknowledgement every 10 ms, which sets the floor of a single client's latency. The Slack
stand-in and the client share the bot's process (and its GIL), so the work each registration
does after its acknowledgement (three messages, each claimed and marked sent) slows the next.
"""
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot as tat_bot  # noqa: E402
from handlers.registration_blocks import registration_form  # noqa: E402
from localslack import payloads  # noqa: E402
from localslack.standin import SlackStandIn  # noqa: E402
from tests.conftest import SECRET, RunningBot, settings_for  # noqa: E402
from tests.test_registration import TRUCK_STOP  # noqa: E402

REQUESTS = 300


def main() -> None:
    slack = SlackStandIn().start()
    database = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    built = tat_bot.build(settings_for(database, slack)).start()
    server = tat_bot.http_server(built, SECRET, "127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    running = RunningBot(f"http://127.0.0.1:{server.effective_port}", slack, built, database)
    form = payloads.view_submission  # a fresh user each time: every submission is a new row
    view = registration_form(None)
    cases = {
        "/tat help": lambda i: running.command(f"U0HELP{i:05d}", "help"),
        "register form": lambda i: running.send(form(f"U0FORM{i:05d}", view, TRUCK_STOP)),
    }
    print(f"{'request':<16}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    baseline = None
    for name, send in cases.items():
        for clients in (1, 8):
            rate, p50, p95 = measure(send, clients, offset=clients * 100_000)
            baseline = baseline or rate
            print(f"{name:<16}{clients:>8}{rate:>9.0f}{p50:>9.1f}{p95:>9.1f}   ({rate / baseline:.2f}x help, 1 client)")
    slack.wait_for("chat.postMessage", count=2 * REQUESTS * 3, timeout=120)  # the work after each ack
    server.trigger.pull_trigger(server.close)
    built.close()
    slack.stop()


def measure(send, clients: int, offset: int) -> tuple[float, float, float]:
    def timed(i: int) -> float:
        started = time.perf_counter()
        response = send(offset + i)
        assert response.status == 200, response
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(timed, range(REQUESTS)))
    elapsed = time.perf_counter() - started
    return REQUESTS / elapsed, statistics.median(latencies), latencies[int(len(latencies) * 0.95)]


if __name__ == "__main__":
    main()
