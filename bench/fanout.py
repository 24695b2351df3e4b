"""Fan-out at Slack's rate limit: thousands of owed messages, delivered by `python bot.py`.

Run from the project root:

    .venv/bin/python bench/fanout.py [DATABASE_URL] [--recipients 5000] [--per-minute 6000] [--kill]

Queues one message for each of N recipients, then starts the bot (HTTP mode, a subprocess) against
the Slack stand-in enforcing Slack's limits for chat.postMessage: about one message a second per
conversation and a workspace-wide limit a minute, answering 429 with Retry-After past them. Prints
delivered messages per second as a fraction of the limit, and how many were lost and duplicated
(from the outbox key each delivered message carries in its metadata). With --kill the bot is
SIGKILLed half way and started again. Default database: a fresh SQLite file; give an empty
PostgreSQL database's URL to measure that instead.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localslack.payloads import TEAM as WORKSPACE  # noqa: E402
from localslack.standin import SlackStandIn  # noqa: E402
from storage import outbox  # noqa: E402
from storage.db import engine_for, migrate, session_factory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", default=f"sqlite:///{tempfile.mkdtemp()}/fanout.db")
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--per-minute", type=int, default=6000)
    parser.add_argument("--kill", action="store_true", help="SIGKILL the bot half way, then start it again")
    args = parser.parse_args()

    slack = SlackStandIn().start()
    slack.limit("chat.postMessage", per_minute=args.per_minute)
    queue(args.database, args.recipients)
    started = time.monotonic()
    bot = start_bot(slack, args.database)
    try:
        if args.kill:
            wait_for(slack, args.recipients // 2)
            bot.send_signal(signal.SIGKILL)
            bot.wait()
            print(f"killed the bot after {len(delivered(slack))} deliveries; starting it again")
            bot = start_bot(slack, args.database)
        wait_for(slack, args.recipients)
        elapsed = time.monotonic() - started
        time.sleep(3)   # anything sent twice would arrive now
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
        slack.stop()

    keys = delivered(slack)
    limit_per_second = min(args.per_minute / 60, args.recipients / 1.0)
    rate = len(set(keys)) / elapsed
    print(f"database        {args.database.split(':')[0]}")
    print(f"recipients      {args.recipients}")
    print(f"limit           {args.per_minute}/min ({limit_per_second:.0f}/s), 1/s per conversation")
    print(f"took            {elapsed:.1f} s{' (with a SIGKILL and restart)' if args.kill else ''}")
    print(f"delivered/s     {rate:.1f}  = {rate / limit_per_second:.2f} of the limit")
    print(f"429s answered   {len(slack.refused)}")
    print(f"lost            {args.recipients - len(set(keys))}")
    print(f"duplicated      {len(keys) - len(set(keys))}")


def queue(database: str, recipients: int) -> None:
    engine = engine_for(database)
    migrate(engine)
    with session_factory(engine).begin() as session:
        outbox.enqueue_many(session, [outbox.row(f"fanout:U0FAN{i:06d}", f"U0FAN{i:06d}", "Three months on: "
                                                  "how is your coalition doing?", team_id=WORKSPACE["id"])
                                       for i in range(recipients)])
    engine.dispose()


def start_bot(slack: SlackStandIn, database: str) -> subprocess.Popen:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TAT_", "DATABASE_URL", "PORT"))}
    env |= {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench-secret", "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": database, "PORT": str(port), "TAT_ADMINS": "U0ADMIN001"}
    return subprocess.Popen([sys.executable, str(ROOT / "bot.py")], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def delivered(slack: SlackStandIn) -> list[str]:
    return [m["metadata"]["event_payload"]["key"] for messages in list(slack.history.values()) for m in messages
            if m.get("metadata")]


def wait_for(slack: SlackStandIn, count: int, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while len(set(delivered(slack))) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(set(delivered(slack)))} of {count} delivered in {timeout} s")
        time.sleep(0.2)


if __name__ == "__main__":
    main()
