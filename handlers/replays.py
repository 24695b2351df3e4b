"""A request Slack (or anyone holding a signed copy) sends again is done once.

A command is one request by its trigger_id (a replay, with or without X-Slack-Retry-Num, carries the
same one); a form's submission by its view id and hash. The key is noted in the same transaction as
what the request writes, so of two copies racing, one writes and the other is told it was done."""
from handlers.blocks import Message
from storage import replays

REPLAYED = Message("That request reached me twice; it was done once, the first time, and nothing more was done.")


def command_key(trigger_id: str) -> str:
    return f"command:{trigger_id}"


def form_key(view: dict) -> str:
    return f"form:{view.get('id') or ''}:{view.get('hash') or ''}"


def first_time(session, team_id: str, key: str, at) -> bool:
    return replays.first_time(session, team_id, key, at)
