"""A workspace the bot is not installed in is a stranger: with its one bot token, a request whose team
is not the token's (a second install of the same app, a Slack Connect partner in a shared channel)
gets one polite private refusal and nothing else. Every case goes through the signed HTTP path."""
import json
from urllib.parse import parse_qs, urlencode

from localslack import payloads
from tests.conftest import ADMIN, SECOND_ADMIN, SECRET, count_rows
from tests.test_contact import SHERIFF_FORM, approve
from tests.test_home import app_home_opened
from tests.test_language import message_event, notes, post_event
from tests.test_registration import MANAGER, SHERIFF, TRUCK_STOP, open_form, submit
from tests.test_trainings import approve as approve_member

ELSEWHERE = "T0ELSEWHERE"       # a second workspace that installed the same app
PARTNER = "T0PARTNER01"         # a Slack Connect partner's workspace
REFUSAL = "another workspace"   # the refusal's words


def from_team(body: str, team: str, user_team: str | None = None) -> str:
    """An interactive payload as another workspace (or, with `user_team`, its person) sends it."""
    payload = json.loads(parse_qs(body)["payload"][0])
    payload["team"] = {"id": team, "domain": "elsewhere"}
    payload["user"]["team_id"] = user_team or team
    if isinstance(payload.get("view"), dict) and "team_id" in payload["view"]:
        payload["view"]["team_id"] = team
    return urlencode({"payload": json.dumps(payload)})


def command_from(running, user: str, text: str, team: str):
    fields = payloads.slash_command_fields(user, text, running.slack.response_url(user))
    return running.send(urlencode({**fields, "team_id": team, "team_domain": "elsewhere"}))


def test_a_command_from_another_workspace_is_refused_privately_and_does_nothing(running):
    submit(running, SHERIFF, SHERIFF_FORM)
    approve(running, SHERIFF)
    opened = len(running.slack.calls_to("views.open"))
    for text in ("register", "contact Omaha, NE", "pending", "export", "setup NE", "trained 12", "progress NE"):
        for user in (MANAGER, ADMIN):   # ids are a workspace's own: the admin's id elsewhere is someone else
            answer = command_from(running, user, text, ELSEWHERE)
            assert answer.status == 200, text
            reply = json.loads(answer.body)
            assert reply["response_type"] == "ephemeral" and REFUSAL in reply["text"], text
            assert "402" not in answer.body and "sheriff.example" not in answer.body
    running.bot.later.wait_idle()
    assert len(running.slack.calls_to("views.open")) == opened
    assert count_rows(running.database_url, "trainings") == 0
    assert running.slack.calls_to("files.getUploadURLExternal") == []
    assert json.loads(running.command(MANAGER, "help").body)["text"].startswith("*TAT")   # at home: served


def test_a_registration_from_another_workspace_never_reaches_the_admins(running):
    view = open_form(running, MANAGER)
    body = from_team(payloads.view_submission(MANAGER, view, TRUCK_STOP), ELSEWHERE)
    answer = json.loads(running.send(body).body)
    assert answer["response_action"] == "errors" and REFUSAL in next(iter(answer["errors"].values()))
    running.bot.later.wait_idle()
    assert count_rows(running.database_url, "stakeholders") == 0
    assert running.slack.calls_to("chat.postMessage") == []


def test_a_slack_connect_partner_pressing_buttons_in_a_shared_channel_gets_nothing(running):
    submit(running, SHERIFF, SHERIFF_FORM)
    for admin in (ADMIN, SECOND_ADMIN):   # both asked before one decides (a request decided first is dropped)
        running.slack.wait_for("chat.postMessage", channel=admin)
    approve(running, SHERIFF)
    submit(running, MANAGER, TRUCK_STOP)
    for told, count in ((MANAGER, 1), (ADMIN, 2), (SECOND_ADMIN, 2)):   # the note and the admins' requests
        running.slack.wait_for("chat.postMessage", count=count, channel=told)
    before = len(running.slack.calls)
    message = {"ts": "1700000000.000001", "text": "x", "blocks": []}
    waiting = count_rows(running.database_url, "stakeholders", "status = 'pending'")
    presses = [
        {"type": "button", "action_id": "run_command", "value": "contact Omaha, NE", "text": {
            "type": "plain_text", "text": "Omaha"}},
        {"type": "button", "action_id": "approve_registration", "value": "1:1", "text": {
            "type": "plain_text", "text": "Approve"}},
        {"type": "button", "action_id": "open_registration", "text": {"type": "plain_text", "text": "Register"}},
    ]
    for button in presses:
        body = payloads.block_action("U0OUTSIDE1", button, message, "C0SHARED01", running.slack.response_url("out"))
        assert running.send(from_team(body, "T0COALITION", user_team=PARTNER)).status == 200
    running.bot.later.wait_idle()
    after = running.slack.calls[before:]
    assert [c.method for c in after] == ["response_url"] * len(presses)
    assert all(REFUSAL in c.params["text"] and c.params["response_type"] == "ephemeral" for c in after)
    assert "402" not in json.dumps([c.params for c in after])
    assert count_rows(running.database_url, "stakeholders", "status = 'pending'") == waiting


def test_events_from_another_workspace_or_its_people_are_ignored(running):
    approve_member(running, MANAGER, TRUCK_STOP)
    opened = json.loads(payloads.event_callback(app_home_opened(MANAGER)))
    opened["team_id"] = ELSEWHERE
    opened["authorizations"][0]["team_id"] = ELSEWHERE
    body = json.dumps(opened)
    assert running.post(body, payloads.signed_headers(SECRET, body, json_body=True)).status == 200
    post_event(running, message_event(user="U0OUTSIDE1", user_team=PARTNER))   # a partner in a shared channel
    gone = json.loads(payloads.event_callback({"type": "user_change", "event_ts": "1700000000.000300", "user": {
        "id": MANAGER, "team_id": PARTNER, "deleted": True, "is_bot": False, "name": "sam"}}))
    body = json.dumps(gone)
    assert running.post(body, payloads.signed_headers(SECRET, body, json_body=True)).status == 200
    running.bot.later.wait_idle()
    assert running.slack.calls_to("views.publish") == [] and notes(running) == []
    assert count_rows(running.database_url, "stakeholders", "status = 'approved'") == 1
    post_event(running, app_home_opened(MANAGER))   # the same from the bot's own workspace is served
    assert running.slack.wait_for("views.publish", user_id=MANAGER)
