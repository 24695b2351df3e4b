"""Registering, end to end: signed Slack requests into the real HTTP server, Slack's Web API stand-in."""
import json
import time

from sqlalchemy import select

from localslack import payloads
from localslack.samples import TRUCK_STOP  # noqa: F401 (other tests import it from here)
from storage.models import Stakeholder
from tests.conftest import ADMIN, SECOND_ADMIN, count_rows

MANAGER = "U0MANAGER1"
SHERIFF = "U0SHERIFF1"

SHERIFF_FORM = {
    "name": "Dana Deputy", "sector": "law_enforcement", "organization": "Douglas County Sheriff's Office",
    "title": "Sergeant", "phone": "(402) 444-6000", "email": "dana@sheriff.example",
    "state": "NE", "place": "Douglas, Sarpy",
}


def open_form(running, user: str) -> dict:
    mark = len(running.slack.calls)
    response = running.command(user, "register")
    assert response.status == 200 and response.body == ""
    opened = running.slack.wait_for("views.open", count=1 + sum(
        c.method == "views.open" for c in running.slack.calls[:mark]))[-1]
    assert opened.params["trigger_id"]
    return opened.params["view"]


def submit(running, user: str, answers: dict, view: dict | None = None):
    view = view or open_form(running, user)
    return running.send(payloads.view_submission(user, view, answers))


def press(running, user: str, message_call, action_id: str, sent_requests: int = 2):
    """Press a button of a message the bot posted (a recorded chat.postMessage call), once the
    bot has recorded that it sent the admins' requests."""
    sent = "key LIKE 'approval:%' AND sent_at IS NOT NULL"
    wait_until(lambda: count_rows(running.database_url, "outbox", sent) >= sent_requests)
    message = {**message_call.params, "ts": message_call.response["ts"]}
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id)
    channel = message_call.response["channel"]
    body = payloads.block_action(user, button, message, channel, running.slack.response_url(user))
    return running.send(body)


def wait_until(condition, timeout: float = 10) -> None:
    """The bot finishes its work after acknowledging Slack: give it a moment to."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the bot did not finish in time"
        time.sleep(0.02)


def stakeholder(running, user: str) -> Stakeholder | None:
    with running.bot.services.sessions() as session:
        return session.scalar(select(Stakeholder).where(Stakeholder.slack_user_id == user))


def test_register_opens_the_form_with_every_field(running):
    view = open_form(running, MANAGER)
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert view["callback_id"] == "register"
    assert {"name", "sector", "organization", "title", "phone", "email", "state", "place",
            "site_name", "interstate", "exit"} <= blocks


def test_truck_stop_manager_registers_and_an_admin_approves(running):
    slack = running.slack
    assert submit(running, MANAGER, TRUCK_STOP).status == 200
    (note,) = slack.wait_for("chat.postMessage", channel=MANAGER)
    assert "A coalition admin will review it" in note.params["text"]
    requests = [slack.wait_for("chat.postMessage", channel=admin)[0] for admin in (ADMIN, SECOND_ADMIN)]
    assert "Sam Stone" in requests[0].params["text"] and "Douglas County, NE" in requests[0].params["text"]
    assert stakeholder(running, MANAGER).status == "pending"

    assert press(running, ADMIN, requests[0], "approve_registration").status == 200

    outcome = slack.wait_for("chat.postMessage", count=2, channel=MANAGER)[1]
    assert "approved" in outcome.params["text"]
    updates = slack.wait_for("chat.update", count=2)   # each approver's message, kept current
    assert {u.params["channel"] for u in updates} == {"D" + ADMIN[1:], "D" + SECOND_ADMIN[1:]}
    assert all("No registrations are waiting" in u.params["text"] for u in updates)
    assert all(f"Sam Stone (Big Rig Plaza LLC) approved by <@{ADMIN}>" in json.dumps(u.params["blocks"])
               for u in updates)
    saved = stakeholder(running, MANAGER)
    assert (saved.status, saved.decided_by, saved.phone, saved.county_fips) == (
        "approved", ADMIN, "(402) 555-0100", "31055")
    assert (saved.site_name, saved.interstate, saved.exit) == ("Big Rig Plaza", "I-80", "440")


def test_bad_answers_are_shown_inline_and_nothing_is_stored(running, empty_database):
    bad = {**TRUCK_STOP, "phone": "555-0100", "email": "sam at bigrig", "place": "Gotham",
           "site_name": "", "interstate": "highway"}
    response = submit(running, MANAGER, bad)
    answer = json.loads(response.body)
    assert response.status == 200 and answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"phone", "email", "place", "site_name", "interstate"}
    assert "402-555-0100" in answer["errors"]["phone"]
    assert "Nebraska" in answer["errors"]["place"]
    assert count_rows(empty_database, "stakeholders") == 0
    assert running.slack.calls_to("chat.postMessage") == []


def test_a_county_outside_the_chosen_state_is_refused(running, empty_database):
    response = submit(running, SHERIFF, {**SHERIFF_FORM, "place": "Douglas, Cook"})
    errors = json.loads(response.body)["errors"]
    assert list(errors) == ["place"] and "Cook" in errors["place"]
    assert count_rows(empty_database, "stakeholders") == 0


def test_a_sheriff_covers_the_counties_named(running):
    submit(running, SHERIFF, SHERIFF_FORM)
    running.slack.wait_for("chat.postMessage", channel=ADMIN)
    assert stakeholder(running, SHERIFF).jurisdiction == ("31055", "31153")


def test_pressing_approve_twice_changes_nothing_and_says_so(running):
    submit(running, MANAGER, TRUCK_STOP)
    request = running.slack.wait_for("chat.postMessage", channel=ADMIN)[0]
    press(running, ADMIN, request, "approve_registration")
    running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)

    press(running, SECOND_ADMIN, request, "decline_registration")

    (said,) = running.slack.wait_for("response_url")
    assert "already approved" in said.params["text"] and said.params["response_type"] == "ephemeral"
    assert stakeholder(running, MANAGER).status == "approved"
    assert len(running.slack.calls_to("chat.postMessage", channel=MANAGER)) == 2


def test_someone_who_is_not_an_admin_cannot_approve(running):
    submit(running, MANAGER, TRUCK_STOP)
    request = running.slack.wait_for("chat.postMessage", channel=ADMIN)[0]

    press(running, SHERIFF, request, "approve_registration")

    (said,) = running.slack.wait_for("response_url")
    assert "Only coalition admins" in said.params["text"]
    assert stakeholder(running, MANAGER).status == "pending"


def test_a_declined_registrant_is_told(running):
    submit(running, MANAGER, TRUCK_STOP)
    request = running.slack.wait_for("chat.postMessage", channel=ADMIN)[0]
    press(running, ADMIN, request, "decline_registration")
    told = running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)[1]
    assert "not approved" in told.params["text"]
    assert stakeholder(running, MANAGER).status == "declined"


def test_an_admin_registration_is_approved_at_once(running):
    submit(running, ADMIN, {**SHERIFF_FORM, "name": "Alex Admin"})
    (note,) = running.slack.wait_for("chat.postMessage", channel=ADMIN)
    assert "registered and approved" in note.params["text"]
    assert stakeholder(running, ADMIN).status == "approved"
    assert running.slack.calls_to("chat.postMessage", channel=SECOND_ADMIN) == []


def test_registering_again_shows_the_profile_and_a_small_edit_keeps_approval(running):
    submit(running, MANAGER, TRUCK_STOP)
    press(running, ADMIN, running.slack.wait_for("chat.postMessage", channel=ADMIN)[0], "approve_registration")
    running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)

    view = open_form(running, MANAGER)
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert initial["phone"] == "(402) 555-0100" and initial["place"] == "Douglas County"
    submit(running, MANAGER, {**TRUCK_STOP, "phone": "402-555-0199"}, view)

    updated = running.slack.wait_for("chat.postMessage", count=3, channel=MANAGER)[2]
    assert "profile is updated" in updated.params["text"]
    saved = stakeholder(running, MANAGER)
    assert (saved.status, saved.phone) == ("approved", "(402) 555-0199")
    assert len(running.slack.calls_to("chat.postMessage", channel=ADMIN)) == 1


def test_moving_county_needs_approval_again_and_old_buttons_go_stale(running):
    submit(running, MANAGER, TRUCK_STOP)
    first = running.slack.wait_for("chat.postMessage", channel=ADMIN)[0]
    wait_until(lambda: count_rows(running.database_url, "outbox", "key LIKE 'approval:%' AND sent_at IS NOT NULL")
               >= 2)
    assert submit(running, MANAGER, {**TRUCK_STOP, "place": "68508"}).body == ""
    (second,) = running.slack.wait_for("chat.update", channel="D" + ADMIN[1:])   # the one entry, updated
    assert "Lancaster County" in second.params["text"] and "Changed registration" in json.dumps(second.params)
    assert len(running.slack.calls_to("chat.postMessage", channel=ADMIN)) == 1

    press(running, ADMIN, first, "approve_registration")
    (said,) = running.slack.wait_for("response_url")
    assert "changed after this request" in said.params["text"]
    assert stakeholder(running, MANAGER).status == "pending"

    press(running, ADMIN, second, "approve_registration")
    wait_until(lambda: stakeholder(running, MANAGER).status == "approved")
    running.slack.wait_for("chat.update", count=2, channel="D" + ADMIN[1:])


def test_slack_rate_limits_and_outages_delay_but_do_not_lose_the_admins_request(running):
    running.slack.fail("chat.postMessage", status=429, retry_after=1)
    running.slack.fail("chat.postMessage", status=503)
    submit(running, MANAGER, TRUCK_STOP)
    assert running.slack.wait_for("chat.postMessage", channel=ADMIN)
    assert running.slack.wait_for("chat.postMessage", channel=SECOND_ADMIN)
    assert running.slack.wait_for("chat.postMessage", channel=MANAGER)
    assert [c.method for c in running.slack.refused] == ["chat.postMessage", "chat.postMessage"]


def app_home_opened(user: str) -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
            "event_ts": f"{time.time():.6f}", "view": None}


def test_the_home_tab_invites_a_newcomer_to_register(running):
    response = running.send(payloads.event_callback(app_home_opened(MANAGER)), json_body=True)
    assert response.status == 200
    (published,) = running.slack.wait_for("views.publish", user_id=MANAGER)
    assert "not registered yet" in json.dumps(published.params["view"])


def test_the_home_tab_shows_the_registration_and_its_status(running):
    submit(running, MANAGER, TRUCK_STOP)
    running.slack.wait_for("chat.postMessage", channel=MANAGER)
    running.send(payloads.event_callback(app_home_opened(MANAGER)), json_body=True)
    view = json.dumps(running.slack.wait_for("views.publish", user_id=MANAGER)[0].params["view"])
    assert "Big Rig Plaza LLC" in view and "waiting for a coalition admin" in view


def test_the_home_tab_button_opens_the_registration_form(running):
    running.send(payloads.event_callback(app_home_opened(MANAGER)), json_body=True)
    home = running.slack.wait_for("views.publish", user_id=MANAGER)[0].params["view"]
    button = next(e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert running.send(payloads.home_button(MANAGER, button, home)).status == 200
    (opened,) = running.slack.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "register"


def test_a_declined_registrant_who_corrects_the_form_is_reviewed_again(running):
    submit(running, MANAGER, TRUCK_STOP)
    press(running, ADMIN, running.slack.wait_for("chat.postMessage", channel=ADMIN)[0], "decline_registration")
    running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)

    assert submit(running, MANAGER, {**TRUCK_STOP, "title": "Owner"}).body == ""

    again = running.slack.wait_for("chat.postMessage", count=2, channel=ADMIN)[1]   # nothing else waited: a new post
    assert "Changed registration" in json.dumps(again.params["blocks"]) and "Sam Stone" in again.params["text"]
    assert "review your registration again" in running.slack.wait_for(
        "chat.postMessage", count=3, channel=MANAGER)[2].params["text"]
    assert (stakeholder(running, MANAGER).status, stakeholder(running, MANAGER).revision) == ("pending", 2)


def test_a_pending_registrant_fixing_a_phone_number_does_not_ask_the_admins_twice(running):
    submit(running, MANAGER, TRUCK_STOP)
    running.slack.wait_for("chat.postMessage", channel=ADMIN)
    submit(running, MANAGER, {**TRUCK_STOP, "phone": "402-555-0111"})
    running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)
    assert len(running.slack.calls_to("chat.postMessage", channel=ADMIN)) == 1
    assert stakeholder(running, MANAGER).phone == "(402) 555-0111"
