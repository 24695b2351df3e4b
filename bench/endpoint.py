"""Signed Slack requests through the bot's real HTTP server, against the Slack stand-in.

Run from the project root: `.venv/bin/python bench/endpoint.py [DATABASE_URL]` (a fresh SQLite
file by default; give an empty PostgreSQL database to measure that instead). Prints requests per
second and p50/p99 latency, with one client and eight at once, for:

- a bare Bolt app answering `/tat` with a fixed text, served the same way (waitress, signed
  requests): the floor any Bolt bot can reach on this machine;
- `/tat help` (no database);
- a registration form (validation, a write, the registrant's note and each admin's message of
  waiting registrations owed; the sender delivers them on its own threads after the acknowledgement).

Figures are for comparing runs on one machine; read the ratios within a run. The Slack stand-in
and the client share the bot's process (and its GIL), so the sender's work slows the clients.
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
from localslack.client import SECRET, BotClient, settings_for, stop_server  # noqa: E402
from localslack.samples import TRUCK_STOP  # noqa: E402
from localslack.standin import SlackStandIn  # noqa: E402

REQUESTS = 300


def bare_bolt_server():
    """The same kind of request through a Bolt app that does nothing else: the floor."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_bolt.authorization import AuthorizeResult
    from waitress import create_server

    app = App(signing_secret=SECRET, process_before_response=True, token_verification_enabled=False,
              authorize=lambda enterprise_id, team_id: AuthorizeResult(enterprise_id=enterprise_id,
                                                                        team_id=team_id, bot_token="xoxb-bare"))
    app.command("/tat")(lambda ack: ack("help"))
    handler = SlackRequestHandler(app)
    server = create_server(lambda environ, start: handler(environ, start), host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def main() -> None:
    slack = SlackStandIn().start()
    bare = bare_bolt_server()
    database = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    built = tat_bot.build(settings_for(database, slack)).start()
    server = tat_bot.http_server(built, SECRET, "127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    running = BotClient(f"http://127.0.0.1:{server.effective_port}", slack)
    form = payloads.view_submission  # a fresh user each time: every submission is a new row
    view = registration_form(None)
    bare_bot = BotClient(f"http://127.0.0.1:{bare.effective_port}", slack)
    cases = {
        "bare Bolt /tat": lambda i: bare_bot.command(f"U0BARE{i:05d}", "help"),
        "/tat help": lambda i: running.command(f"U0HELP{i:05d}", "help"),
        "register form": lambda i: running.send(form(f"U0FORM{i:05d}", view, TRUCK_STOP)),
    }
    print(f"{'request':<16}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p50 vs bare':>13}")
    bare_p50 = {}
    for name, send in cases.items():
        for clients in (1, 8):
            rate, p50, p99 = measure(send, clients, offset=clients * 100_000)
            bare_p50.setdefault(clients, p50)
            print(f"{name:<16}{clients:>8}{rate:>9.0f}{p50:>9.2f}{p99:>9.2f}{p50 / bare_p50[clients]:>12.2f}x")
    started = time.perf_counter()
    # the work after each ack: each registrant's note, and each admin's one message of what waits
    slack.wait_for("chat.postMessage", count=2 * REQUESTS + 2, timeout=300)
    print(f"owed messages all delivered {time.perf_counter() - started:.1f} s after the last registration")
    stop_server(bare)
    stop_server(server)
    built.close()
    slack.stop()


def measure(send, clients: int, offset: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in milliseconds."""
    def timed(i: int) -> float:
        started = time.perf_counter()
        response = send(offset + i)
        assert response.status == 200, response
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(timed, range(REQUESTS)))
    elapsed = time.perf_counter() - started
    return REQUESTS / elapsed, statistics.median(latencies), latencies[int(len(latencies) * 0.99)]


if __name__ == "__main__":
    main()
