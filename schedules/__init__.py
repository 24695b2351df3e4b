"""What is due, and delivering it. The database decides; the clock only asks.

`dispatch` is what the clock (and `python bot.py dispatch`) calls; it returns how many messages
it sent. Follow-ups will add their own job to DUE.
"""
from collections.abc import Callable

from schedules.delivery import deliver_due

DUE: list[Callable[..., int]] = [deliver_due]


def dispatch(services, client) -> int:
    """Send everything that is due now, once."""
    return sum(send_due(services, client) for send_due in DUE)
