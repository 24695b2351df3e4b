"""The one place an unexpected error is logged, with its traceback, and the person told."""
import json
import logging

from storage.db import is_busy

log = logging.getLogger("tat")

SORRY = "Sorry, something went wrong on our side and nothing was saved. Please try again in a minute."
BUSY = "The bot is busy, try again in a moment. Nothing was saved."


def on_error(error, body, response, respond, context, client):
    """Log the failure, then tell the person privately: Slack is answered 200 (an HTTP error would show
    them Slack's own error, and an event answered 500 would be sent again and again)."""
    busy = is_busy(error)
    if busy:   # another writer held the database past the second a request waits: said, not a fault
        log.warning("the database was busy for %s; told the person", _describe(body))
    else:
        log.error("unhandled error for %s", _describe(body), exc_info=error)
    said = BUSY if busy else SORRY
    if response is not None and body.get("command"):
        return _answer(response, {"response_type": "ephemeral", "text": said})
    first_input = _first_input(body.get("view")) if body.get("type") == "view_submission" else None
    if response is not None and first_input:
        return _answer(response, {"response_action": "errors", "errors": {first_input: said}})
    if response is not None:   # a button, an event, a form with no input: acknowledged, nothing else
        response.status, response.body = 200, ""
    later, user = (context.get("services") and context["services"].later), (body.get("user") or {}).get("id")
    if later and body.get("response_url"):   # after the acknowledgement, never in it
        later(lambda: respond(text=said, response_type="ephemeral", replace_original=False))
    elif later and body.get("type") == "block_actions" and user:   # a button in the Home tab: a DM
        later(lambda: client.chat_postMessage(channel=user, text=said))


def _answer(response, payload: dict) -> None:
    response.status = 200
    response.body = json.dumps(payload)
    response.headers["content-type"] = ["application/json;charset=utf-8"]


def _first_input(view: dict | None) -> str | None:
    blocks = (view or {}).get("blocks", [])
    return next((b["block_id"] for b in blocks if b.get("type") == "input" and b.get("block_id")), None)


def _describe(body: dict) -> str:
    kind = body.get("type") or ("command " + body.get("command", "?"))
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    return f"{kind} from {user}"
