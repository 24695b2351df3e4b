"""The shapes of the requests Slack sends, as far as Bolt and the listeners read them.

A verified body not in these shapes gets 400 before Bolt sees it: Slack never sends one, so it
is a bug or an attack, and no listener should meet a missing id, a list where a dict belongs, or
a number where an id belongs. A key marked `maybe` may be absent or null; `many` is a list.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class maybe:  # noqa: N801 (reads as a word in the tables below)
    shape: object


@dataclass(frozen=True)
class many:  # noqa: N801
    shape: object
    at_least: int = 0


ID = {"id": str}
STATE = {"values": {str: {str: {
    "value": maybe(str), "selected_option": maybe({"value": str}), "selected_options": maybe(many({"value": str})),
    "selected_user": maybe(str), "selected_users": maybe(many(str)), "selected_conversation": maybe(str),
    "selected_conversations": maybe(many(str)), "selected_channel": maybe(str), "selected_channels": maybe(many(str)),
    "selected_date": maybe(str), "selected_time": maybe(str), "selected_date_time": maybe(int),
}}}}
VIEW = {"id": str, "type": str, "callback_id": maybe(str), "state": maybe(STATE), "private_metadata": maybe(str),
        "hash": maybe(str), "blocks": maybe(many(dict)), "team_id": maybe(str), "app_installed_team_id": maybe(str)}
ACTION = {"action_id": str, "block_id": maybe(str), "type": maybe(str), "value": maybe(str),
          "selected_option": maybe({"value": str})}
INTERACTIVE = {"type": str, "user": {"id": str, "team_id": maybe(str)}, "team": ID, "enterprise": maybe(dict),
               "channel": maybe(ID), "container": maybe({"type": str}), "message": maybe(dict),
               "response_url": maybe(str), "trigger_id": maybe(str), "authorizations": maybe(many(dict))}
INTERACTIONS = {
    "block_actions": {**INTERACTIVE, "actions": many(ACTION, at_least=1), "trigger_id": str, "view": maybe(VIEW),
                      "state": maybe(STATE), "container": {"type": str}},
    "view_submission": {**INTERACTIVE, "view": {**VIEW, "callback_id": str}, "trigger_id": str,
                        "response_urls": maybe(many(dict))},
    "view_closed": {**INTERACTIVE, "view": {**VIEW, "callback_id": str}},
}
CONTAINED_WITH = {"view": "view", "message": "response_url"}
EVENT = {"type": str}   # an event the bot does not listen to: Bolt reads it with care
HEARD = {"type": str, "user": maybe(str), "channel": str, "subtype": maybe(str), "bot_id": maybe(str),
         "text": maybe(str), "thread_ts": maybe(str), "channel_type": maybe(str), "team": maybe(str),
         "user_team": maybe(str), "tab": maybe(str)}
EVENTS = {   # what each event the bot listens to must carry
    "message": HEARD,
    "app_home_opened": {**HEARD, "user": str, "channel": maybe(str)},
    "member_joined_channel": {**HEARD, "user": str},
    "channel_unarchive": HEARD,
    "group_unarchive": HEARD,
}
ENVELOPE = {"type": str, "team_id": str, "event": EVENT, "authorizations": maybe(many({"team_id": maybe(str)})),
            "enterprise_id": maybe(str), "is_ext_shared_channel": maybe(bool)}
COMMAND = {"command": str, "user_id": str, "team_id": str, "text": maybe(str), "trigger_id": maybe(str),
           "channel_id": maybe(str), "response_url": maybe(str), "enterprise_id": maybe(str)}


def is_slack_shaped(body) -> bool:
    """True for a slash command (or its SSL check), an Events API envelope or an interactive payload,
    each in the shape Slack sends it."""
    if not isinstance(body, dict):
        return False
    if body.get("ssl_check") == "1":  # Slack checking the certificate of a slash command's URL
        return True
    if "command" in body:
        return fits(body, COMMAND) and body["command"].startswith("/") and bool(body["user_id"])
    kind = body.get("type")
    if not isinstance(kind, str):
        return False
    if kind == "url_verification":
        return isinstance(body.get("challenge"), str)
    if kind == "app_rate_limited":
        return True
    if kind == "event_callback":
        event = body.get("event")
        return fits(body, ENVELOPE) and fits(event, EVENTS.get(event["type"], EVENT))
    if not fits(body, INTERACTIONS.get(kind, INTERACTIVE)) or not body["user"]["id"]:
        return False
    needed = CONTAINED_WITH.get((body.get("container") or {}).get("type"))   # what a press in a view or message has
    return needed is None or body.get(needed) is not None


def fits(value, shape) -> bool:
    """Whether a value parsed from JSON has this shape: a type, {key: shape}, {str: shape} (every value),
    many(shape) or maybe(shape)."""
    if isinstance(shape, maybe):
        return value is None or fits(value, shape.shape)
    if isinstance(shape, many):
        return isinstance(value, list) and len(value) >= shape.at_least and all(fits(v, shape.shape) for v in value)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return False
        if str in shape:
            return all(isinstance(k, str) and fits(v, shape[str]) for k, v in value.items())
        return all(fits(value.get(key), inner) for key, inner in shape.items())
    return isinstance(value, shape) and not (shape is int and isinstance(value, bool))
