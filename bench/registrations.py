"""A build meeting's registrations: 150 people register within a minute.

Run from the project root:

    .venv/bin/python bench/registrations.py [DATABASE_URL] [--people 150] [--seconds 60] [--approvers 2]

Each person submits the registration form (a signed view_submission to the bot's real HTTP server),
spread evenly over the minute. The Slack stand-in enforces Slack's rates: about one message a second
into each conversation, posts and updates alike (Slack documents it for chat.postMessage; holding
chat.update to it too is stricter than Slack), and chat.update's Tier 3 (50 a minute), answering 429
with Retry-After past them. Prints when the last registrant was told their registration is in, when
each approver's one message first listed everyone, and how many calls it took; as a comparison, one
request a registration (the bot before) would keep each approver's DM busy for at least as many
seconds as there are people, at one message a second. Default database: a fresh SQLite file; give an
empty PostgreSQL database's URL to measure that instead.
"""
import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot as tat_bot  # noqa: E402
from handlers.registration_blocks import registration_form  # noqa: E402
from localslack import payloads  # noqa: E402
from localslack.client import SECRET, BotClient, settings_for, stop_server  # noqa: E402
from localslack.samples import TRUCK_STOP  # noqa: E402
from localslack.standin import SlackStandIn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", default=f"sqlite:///{tempfile.mkdtemp()}/registrations.db")
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--approvers", type=int, default=2)
    args = parser.parse_args()

    slack = SlackStandIn().start()
    slack.limit_conversations(("chat.postMessage", "chat.update"), per_second=1.0)
    slack.limit("chat.update", per_minute=50)
    approvers = tuple(f"U0APPR{i:04d}" for i in range(args.approvers))
    built = tat_bot.build(settings_for(args.database, slack, approvers)).start()
    server = tat_bot.http_server(built, SECRET, "127.0.0.1", 0)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    client = BotClient(f"http://127.0.0.1:{server.effective_port}", slack)
    view = registration_form(None)
    people = [f"U0PERS{i:05d}" for i in range(args.people)]
    submitted: dict[str, float] = {}
    answers: list[int] = []

    def register(i: int, person: str) -> None:
        form = {**TRUCK_STOP, "name": f"Pat Member {i}", "organization": f"Plains Freight {i}",
                "email": f"pat{i}@plains.example"}
        submitted[person] = time.monotonic()
        answers.append(client.send(payloads.view_submission(person, view, form)).status)

    started = time.monotonic()
    threads = []
    for i, person in enumerate(people):   # evenly over the minute, each on its own thread
        time.sleep(max(0.0, started + i * args.seconds / args.people - time.monotonic()))
        thread = threading.Thread(target=register, args=(i, person))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    last_submitted = max(submitted.values())

    everyone = f"{args.people} registrations waiting"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (
            all(slack.calls_to("chat.postMessage", channel=p) for p in people)
            and all(_told(slack, a, everyone) is not None for a in approvers)):
        time.sleep(0.2)
    told = {p: slack.calls_to("chat.postMessage", channel=p)[0].at - submitted[p] for p in people
            if slack.calls_to("chat.postMessage", channel=p)}
    last_registrant = max(slack.calls_to("chat.postMessage", channel=p)[0].at for p in people
                          if slack.calls_to("chat.postMessage", channel=p))
    approver_told = [_told(slack, a, everyone) for a in approvers]

    stop_server(server, serving)
    built.close()
    slack.stop()

    print(f"database              {args.database.split(':')[0]}")
    print(f"registrations         {args.people} in {last_submitted - started:.1f} s, {args.approvers} approvers;"
          f" HTTP answers {sorted(set(answers))}")
    print("limits                1 message/s per conversation (posts and updates), chat.update 50/min")
    print(f"registrants told      {len(told)} of {args.people}; after p50 {statistics.median(told.values()):.1f} s,"
          f" max {max(told.values()):.1f} s")
    print(f"last registrant told  {last_registrant - last_submitted:+.1f} s after the last registration")
    for approver, at in zip(approvers, approver_told, strict=True):
        posts = len(slack.calls_to("chat.postMessage", channel=approver))
        updates = len(slack.calls_to("chat.update", channel="D" + approver[1:]))
        when = f"{at - last_submitted:+.1f} s after the last registration" if at else "never (within 10 min)"
        print(f"approver {approver}  all {args.people} listed {when}; {posts} post + {updates} updates")
    refused = [c for c in slack.refused]
    print(f"429s answered         {len(refused)} ({', '.join(sorted({c.method for c in refused})) or 'none'})")
    print(f"one DM a registration would take at least {args.people} s per approver at 1 message/s "
          f"(= {args.people / max(args.seconds, 1):.1f}x the meeting's minute)")


def _told(slack: SlackStandIn, approver: str, everyone: str) -> float | None:
    """When the approver's message first listed everyone (the stand-in's clock), or None."""
    for call in slack.calls:
        if call.method in ("chat.postMessage", "chat.update") and call.response.get("ok") \
                and call.params.get("channel") in (approver, "D" + approver[1:]) \
                and str(call.params.get("text", "")).startswith(everyone):
            return call.at
    return None


if __name__ == "__main__":
    main()
