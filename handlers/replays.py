"""A request Slack (or anyone holding a signed copy) sends again is done once.

A command is one request by its trigger_id (a replay, with or without X-Slack-Retry-Num, carries the
same one); a form's submission by its view id and hash. The key is noted in the same transaction as
what the request writes, so of two copies racing, one writes and the other is told it was done."""
import logging

from handlers.blocks import Message
from storage import replays
from storage.db import reading

log = logging.getLogger(__name__)

REPLAYED = Message("That request reached me twice; it was done once, the first time, and nothing more was done.")


def command_key(trigger_id: str) -> str:
    return f"command:{trigger_id}"


def form_key(view: dict) -> str:
    return f"form:{view.get('id') or ''}:{view.get('hash') or ''}"


def first_time(session, team_id: str, key: str, at) -> bool:
    return replays.first_time(session, team_id, key, at)


def opened_key(callback_id: str, view_id: str, user: str) -> str:
    return f"opened:{callback_id}:{view_id}:{user}"


def open_view(services, client, trigger_id: str, view: dict, user: str, team_id: str):
    """views.open, then the view remembered as opened for this person: a form's refit (its hints
    following a choice) acts only on a view the bot opened for whoever chose."""
    def run():
        answer = client.views_open(trigger_id=trigger_id, view=view)
        opened = answer.get("view") if isinstance(answer.get("view"), dict) else {}
        if opened.get("id"):
            with services.sessions.begin() as session:
                replays.first_time(session, team_id, opened_key(str(opened.get("callback_id") or view.get(
                    "callback_id") or ""), str(opened["id"]), user), services.clock())
        return answer

    return run


def opened_for(session, team_id: str, view: dict, user: str) -> bool:
    """Whether the bot opened this view (by its id and form) for this person."""
    return replays.seen(session, team_id, opened_key(str(view.get("callback_id") or ""), str(view.get("id") or ""),
                                                     user))


def opened_for_chooser(services, body: dict, form: str) -> bool:
    """Whether the view a choice was made in is the `form` the bot opened for the person who chose."""
    view, user = body.get("view") or {}, body["user"]["id"]
    if view.get("callback_id") != form:
        return False
    with reading(services.sessions) as session:
        if opened_for(session, (body.get("team") or {}).get("id") or "", view, user):
            return True
    log.info("a choice in a %s form the bot did not open for its chooser was ignored", form)
    return False
