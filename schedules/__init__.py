"""What is due, and delivering it. The database decides; the clock only asks.

`tick` is what the clock calls: it runs every job in DUE and wakes the sender. `dispatch` (and
`python bot.py dispatch`) does the same and then sends, once, in the calling thread, returning
how many messages Slack took. Jobs run in order: follow-ups owed are queued before the sender looks.
"""
from collections.abc import Callable

from schedules.confirmations import due_confirmations
from schedules.delivery import Sender, bury_expired
from schedules.followups import due_followups
from schedules.materials import weekly_materials
from storage import replays


def forget_old_requests(services) -> int:
    """Requests acted on more than a day ago can no longer be replayed (their signatures are stale)."""
    with services.sessions.begin() as session:
        return replays.forget_old(session, services.clock())


DUE: list[Callable[..., int]] = [bury_expired, due_followups, due_confirmations, weekly_materials, forget_old_requests]


def tick(services, sender: Sender) -> None:
    for job in DUE:
        job(services)
    sender.wake()


def dispatch(services, sender: Sender) -> int:
    for job in DUE:
        job(services)
    return sender.send_due()
