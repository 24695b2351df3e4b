"""Requests as Slack sends them: real payload shapes, signed with the app's signing secret."""
import itertools
import json
import time
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0COALITION", "domain": "coalition"}
APP_ID = "A0TATBOT01"
_ids = itertools.count(1)


def signed_headers(secret: str, body: str, timestamp: int | None = None, json_body: bool = False) -> dict:
    """The headers Slack adds: a timestamp and an HMAC-SHA256 signature of it and the body."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    return {
        "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }


def slash_command(user: str, text: str, response_url: str, channel: str = "C0GENERAL1") -> str:
    return urlencode(slash_command_fields(user, text, response_url, channel))


def slash_command_fields(user: str, text: str, response_url: str, channel: str = "C0GENERAL1") -> dict:
    """What Slack sends for `/tat <text>`: form fields over HTTP, a JSON payload over Socket Mode."""
    return {
        "token": "legacy-verification-token", "team_id": TEAM["id"], "team_domain": TEAM["domain"],
        "channel_id": channel, "channel_name": "general", "user_id": user, "user_name": user.lower(),
        "command": "/tat", "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": _trigger_id(),
    }


def block_action(user: str, action: dict, message: dict, channel: str, response_url: str,
                 ephemeral: bool = False) -> str:
    """A button press on a message (`ephemeral`: one only its reader sees, like a command's reply):
    `action` is the button element as it was posted."""
    payload = {
        "type": "block_actions", "user": _user(user), "api_app_id": APP_ID, "token": "legacy",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": ephemeral},
        "trigger_id": _trigger_id(), "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "channel": {"id": channel, "name": "directmessage"}, "message": message,
        "state": {"values": {}}, "response_url": response_url,
        "actions": [{**action, "block_id": action.get("block_id", "actions"),
                     "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def home_button(user: str, action: dict, view: dict) -> str:
    """A button press in the App Home tab: the container is the view, and there is no response_url."""
    payload = {
        "type": "block_actions", "user": _user(user), "api_app_id": APP_ID, "token": "legacy",
        "container": {"type": "view", "view_id": view.get("id", "VHOME0001")},
        "trigger_id": _trigger_id(), "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "view": {**view, "id": view.get("id", "VHOME0001"), "state": {"values": {}}},
        "actions": [{**action, "block_id": action.get("block_id", "actions"), "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_action(user: str, view: dict, answers: dict[str, str | None], block_id: str) -> str:
    """Choosing in a modal's dropdown that dispatches at once (`dispatch_action`): the view and its state come along."""
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    state = view_state(view, answers)
    action_id = block["element"]["action_id"]
    payload = {
        "type": "block_actions", "user": _user(user), "api_app_id": APP_ID, "token": "legacy",
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": _trigger_id(), "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "view": {**view, "state": {"values": state}, "hash": view.get("hash", f"{time.time():.0f}.abc")},
        "actions": [{"type": "static_select", "action_id": action_id, "block_id": block_id,
                     "selected_option": state[block_id][action_id]["selected_option"],
                     "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def view_submission(user: str, view: dict, answers: dict[str, str | None]) -> str:
    """Submitting a modal: `answers` maps each input block_id to what the person typed or chose."""
    submitted = {**view, "id": f"V{next(_ids):08d}", "team_id": TEAM["id"], "app_id": APP_ID,
                 "state": {"values": view_state(view, answers)}, "hash": f"{time.time():.0f}.abc",
                 "private_metadata": view.get("private_metadata", ""), "root_view_id": None}
    payload = {
        "type": "view_submission", "team": TEAM, "user": _user(user), "api_app_id": APP_ID,
        "token": "legacy", "trigger_id": _trigger_id(), "view": submitted, "response_urls": [],
        "is_enterprise_install": False, "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)})


def event_callback(event: dict) -> str:
    return json.dumps({
        "token": "legacy", "team_id": TEAM["id"], "api_app_id": APP_ID, "event": event,
        "type": "event_callback", "event_id": f"Ev{next(_ids):010d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM["id"], "user_id": "UTATBOT01", "is_bot": True}],
    })


def url_verification(challenge: str) -> str:
    return json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"})


SELECTED = {   # where Slack puts what was chosen, by input element type
    "datepicker": "selected_date", "timepicker": "selected_time", "users_select": "selected_user",
    "multi_users_select": "selected_users", "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations", "channels_select": "selected_channel",
    "multi_channels_select": "selected_channels",
}


def view_state(view: dict, answers: dict[str, str | None]) -> dict:
    """Slack's view.state.values for a modal, each element shaped by its type."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, answer = block["element"], answers.get(block["block_id"])
        if element["type"] == "static_select":
            chosen = next((o for o in element["options"] if o["value"] == answer), None)
            state = {"type": "static_select", "selected_option": chosen}
        elif element["type"] in SELECTED:
            state = {"type": element["type"], SELECTED[element["type"]]: answer or None}
        else:
            state = {"type": element["type"], "value": answer or None}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def _user(user: str) -> dict:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM["id"]}


def _trigger_id() -> str:
    return f"{next(_ids)}.{int(time.time())}.0f1e2d3c4b5a69788796a5b4c3d2e1f0"
