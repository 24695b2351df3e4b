"""Learning a person's time zone from Slack (users.info `tz`), after the acknowledgement.

A person's "today" is read in the zone kept for them (domain/zones.py). Whenever someone uses the
bot and their zone was not asked for a day, it is asked after Slack has its acknowledgement and
kept; until then their coalition's zone stands in. Each process asks about a person at most once
an hour, without even reading the database before the acknowledgement.
"""
import logging
import threading
import time
from datetime import date
from weakref import WeakKeyDictionary

from slack_sdk.errors import SlackApiError, SlackClientError

from domain import zones
from storage.db import reading

log = logging.getLogger(__name__)
ASK_EVERY = 3600.0   # seconds: how often one process may look at one person's zone
_asked: "WeakKeyDictionary[object, dict[tuple[str, str], float]]" = WeakKeyDictionary()   # per bot
_lock = threading.Lock()


def learn_later(services, client, team_id: str, user: str) -> None:
    """Ask Slack this person's time zone after the acknowledgement, if it is due to be asked."""
    if not team_id or not isinstance(user, str) or not user or client is None:
        return
    key, moment = (team_id, user), time.monotonic()
    with _lock:
        asked = _asked.setdefault(services.sessions, {})
        if moment - asked.get(key, -ASK_EVERY) < ASK_EVERY:
            return
        if len(asked) > 50_000:
            asked.clear()
        asked[key] = moment
    services.later(lambda: learn(services, client, team_id, user))


def learn(services, client, team_id: str, user: str) -> None:
    """users.info, and keep its `tz` (nothing changes when Slack cannot say)."""
    with services.sessions.begin() as session:
        if not zones.wants_asking(session, team_id, user, services.clock()):
            return
    try:
        found = client.users_info(user=user).get("user") or {}
    except (SlackApiError, SlackClientError, OSError) as failed:
        log.info("could not ask Slack a person's time zone: %s", type(failed).__name__)
        return
    with services.sessions.begin() as session:
        zones.keep(session, team_id, user, found.get("tz"), services.clock())


def today_for(services, team_id: str, user: str, at) -> date:
    """A person's "today" at this moment, for a form they submitted (one read)."""
    with reading(services.sessions) as session:
        return zones.today_of(session, team_id, user, at)
