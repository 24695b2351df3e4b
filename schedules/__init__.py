"""What is due, and delivering it. The database decides; the clock only asks.

Nothing is scheduled yet: follow-ups arrive with their own issue. `dispatch` is what the clock
(and `python bot.py dispatch`) calls; it returns how many messages it sent.
"""
from collections.abc import Callable

DUE: list[Callable[..., int]] = []


def dispatch(services, client) -> int:
    """Send everything that is due now, once."""
    return sum(send_due(services, client) for send_due in DUE)
