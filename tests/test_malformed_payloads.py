"""Signed payloads Slack would never send get 400 (or, where the shape is Slack's but a value names
nothing, a polite 200): never a 500, never a traceback, never a change to stored data."""
import copy
import json
from urllib.parse import parse_qsl, urlencode

import pytest

from handlers import followup_blocks, trainings
from localslack import payloads
from tests.conftest import ADMIN, SECRET, count_rows
from tests.test_registration import MANAGER, TRUCK_STOP, open_form

TABLES = ("stakeholders", "trainings", "checkin_answers", "outbox")
RESPOND = "http://127.0.0.1:9/respond"


def press(action_id: str, value: str = "1", user: str = ADMIN, respond: str = RESPOND) -> dict:
    """A button press on a message, as Slack sends it."""
    body = payloads.block_action(user, {"type": "button", "action_id": action_id, "value": value},
                                 {"ts": "1700000000.000100", "text": "x"}, "D0DIRECT01", respond)
    return _payload(body)


def home_press(action_id: str, user: str = MANAGER) -> dict:
    view = {"id": "VHOME0001", "type": "home", "blocks": []}
    return _payload(payloads.home_button(user, {"type": "button", "action_id": action_id, "value": "x"}, view))


def submission(view: dict, answers: dict) -> dict:
    return _payload(payloads.view_submission(MANAGER, view, answers))


def event(kind: str, **fields) -> dict:
    return json.loads(payloads.event_callback({"type": kind, "event_ts": "1700000000.000100", **fields}))


def _payload(body: str) -> dict:
    return json.loads(dict(parse_qsl(body))["payload"])


def send(running, payload: dict | str):
    """Sign and send a payload: an interactive one form-encoded, an Events API envelope as JSON."""
    if isinstance(payload, str):
        return running.post(payload, payloads.signed_headers(SECRET, payload))
    if payload.get("type") == "event_callback":
        body = json.dumps(payload)
        return running.post(body, payloads.signed_headers(SECRET, body, json_body=True))
    body = urlencode({"payload": json.dumps(payload)})
    return running.post(body, payloads.signed_headers(SECRET, body))


def without(payload: dict, *path) -> dict:
    changed = copy.deepcopy(payload)
    *to, last = path
    target = changed
    for key in to:
        target = target[key]
    del target[last]
    return changed


def with_value(payload: dict, value, *path) -> dict:
    changed = copy.deepcopy(payload)
    *to, last = path
    target = changed
    for key in to:
        target = target[key]
    target[last] = value
    return changed


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


LISTED = {   # the cases found by probing the running bot, each once a 500
    "a view without its type": lambda r: without(submission(open_form(r, MANAGER), TRUCK_STOP), "view", "type"),
    "JSON nested 100,000 deep in a payload": lambda r: urlencode({"payload": nested(100_000)}),
    "JSON nested 100,000 deep in an event": lambda r: '{"type": "event_callback", "event": ' + nested(100_000) + "}",
    "JSON nested 100,000 deep in a view": lambda r: urlencode({"payload": json.dumps(
        submission(open_form(r, MANAGER), TRUCK_STOP))[:-1] + ', "deep": ' + nested(100_000) + "}"}),
    "an action without its action_id": lambda r: without(press("approve_registration", "1:1"), "actions", 0,
                                                          "action_id"),
    "a check-in button without its team": lambda r: without(press("checkin_trained", "1:1", MANAGER), "team"),
    "Not now without its team": lambda r: without(press(followup_blocks.NOT_NOW, "1:1", MANAGER), "team"),
    "Register in the Home tab without a trigger_id": lambda r: without(home_press("open_registration"), "trigger_id"),
    "Find contacts without a trigger_id": lambda r: without(home_press("find_contacts"), "trigger_id"),
    "a message event without its channel": lambda r: event("message", user=MANAGER, text="hooker",
                                                           channel_type="channel"),
    "app_home_opened without its user": lambda r: event("app_home_opened", channel="D0DIRECT01", tab="home"),
    "a form's state.values as a list": lambda r: with_value(submission(open_form(r, MANAGER), TRUCK_STOP), [],
                                                            "view", "state", "values"),
    "a button's view state.values as a list": lambda r: with_value(
        with_value(home_press("find_contacts"), {"values": []}, "view", "state"), "view", "container", "type"),
    "a form's answer that is a number": lambda r: with_value(submission(open_form(r, MANAGER), TRUCK_STOP), 7,
                                                             "view", "state", "values", "name", "value", "value"),
}


@pytest.mark.parametrize("case", LISTED)
def test_a_signed_payload_slack_never_sends_gets_400(running, empty_database, caplog, case):
    payload = LISTED[case](running)
    running.bot.later.wait_idle()   # what the requests that made the payload asked after their acks is done
    calls_before = len(running.slack.calls)
    assert send(running, payload).status == 400
    assert running.slack.calls[calls_before:] == []
    assert [count_rows(empty_database, table) for table in TABLES] == [0] * len(TABLES)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40]


TOO_LARGE = "2147483648"   # one past PostgreSQL's integer


@pytest.mark.parametrize("action_id, value", [
    ("approve_registration", f"{TOO_LARGE}:1"), ("decline_registration", f"1:{TOO_LARGE}"),
    ("checkin_trained", f"{TOO_LARGE}:1"), ("checkin_need", f"1:{TOO_LARGE}"),
    (followup_blocks.NOT_NOW, f"{TOO_LARGE}:1"), (trainings.UNDO, TOO_LARGE), ("retry_dead_letter", TOO_LARGE),
    ("approve_registration", "-1:1"), ("approve_registration", "1:2:3"), (trainings.UNDO, "9" * 400),
])
def test_a_button_whose_value_names_no_row_is_answered_politely(running, empty_database, caplog, action_id, value):
    response = send(running, press(action_id, value, respond=running.slack.response_url(ADMIN)))
    assert response.status == 200
    said = running.slack.wait_for("response_url")
    assert said and "Sorry, something went wrong" not in json.dumps(said[-1].params)
    assert [count_rows(empty_database, table) for table in TABLES] == [0] * len(TABLES)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40]


# Every field Bolt or a listener reads, in each kind of request the bot answers: deleted, or given a
# value of another type, the request is refused with 400 (or answered as Slack's own would be).
OTHER_TYPES = (None, 7, 1.5, True, "x", [], ["x"], {}, {"id": 7})
SKIPPED = {"message", "blocks", "title", "submit", "close", "hash", "private_metadata", "response_urls"}


def paths(value, path=()):
    """Each key and index of a payload, outermost first (not inside message or block content)."""
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if k not in SKIPPED]
    elif isinstance(value, list):
        items = list(enumerate(value[:1]))
    else:
        return
    for key, inner in items:
        yield (*path, key)
        yield from paths(inner, (*path, key))


def mutations(payload: dict):
    for path in paths(payload):
        target = payload
        for key in path:
            target = target[key]
        if isinstance(path[-1], str):
            yield f"{'.'.join(map(str, path))} deleted", without(payload, *path)
        for other in OTHER_TYPES:
            if type(other) is not type(target) and not (isinstance(other, dict) and isinstance(target, dict)):
                yield f"{'.'.join(map(str, path))} = {other!r}", with_value(payload, other, *path)


KINDS = {
    "a button on a message": lambda r: press("decline_registration", "1:1", respond=r.slack.response_url(ADMIN)),
    "a button in the Home tab": lambda r: home_press("find_contacts"),
    "a check-in button": lambda r: press("checkin_distribute", "1:1", MANAGER, r.slack.response_url(MANAGER)),
    "a form submitted": lambda r: submission(open_form(r, MANAGER), TRUCK_STOP),
    "a message posted": lambda r: event("message", user=MANAGER, channel="C0GENERAL1", channel_type="channel",
                                        text="hello", ts="1700000000.000100"),
    "the Home tab opened": lambda r: event("app_home_opened", user=MANAGER, channel="D0DIRECT01", tab="home"),
    "the bot joining a channel": lambda r: event("member_joined_channel", user="UTATBOT01", channel="C0COAL0001"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_missing_or_of_another_type_is_refused_or_answered_never_a_500(running, caplog, kind):
    answered = {}
    for change, payload in mutations(KINDS[kind](running)):
        answered[change] = send(running, payload).status
    assert len(answered) > 20
    assert {change: status for change, status in answered.items() if status not in (200, 400, 404)} == {}
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= 40] == []


def test_a_command_without_its_team_or_with_an_odd_field_is_refused(running):
    fields = payloads.slash_command_fields(MANAGER, "help", RESPOND)
    for missing in ("team_id", "user_id", "command"):
        assert send(running, urlencode({k: v for k, v in fields.items() if k != missing})).status == 400
    assert send(running, urlencode({**fields, "command": "tat"})).status == 400
    assert send(running, urlencode(fields)).status == 200
