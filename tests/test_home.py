"""The App Home tab: profile and status, local contacts once approved, buttons; refreshed after a change."""
import json

from localslack import payloads
from tests.conftest import ADMIN
from tests.test_contact import registered
from tests.test_pending import buttons
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, app_home_opened, wait_until


def home_of(running, user: str) -> dict:
    mark = len(running.slack.calls)
    running.send(payloads.event_callback(app_home_opened(user)), json_body=True)
    running.bot.later.wait_idle()
    return [c for c in running.slack.since(mark) if c.method == "views.publish"
            and c.params["user_id"] == user][-1].params["view"]


def test_an_approved_managers_home_shows_the_profile_local_contacts_and_buttons(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    home = home_of(running, MANAGER)
    shown = json.dumps(home)
    assert "Sam Stone" in shown and "approved" in shown
    assert "Your local law enforcement contacts (Douglas County, NE)" in shown
    assert "<tel:+14024446000|(402) 444-6000>" in shown and "1-888-373-7888" in shown
    assert buttons(home["blocks"], "open_registration") and buttons(home["blocks"], "find_contacts")


def test_a_pending_managers_home_shows_no_contact_details(running):
    registered(running, (SHERIFF, SHERIFF_FORM))
    registered(running, (MANAGER, TRUCK_STOP), approved=False)
    shown = json.dumps(home_of(running, MANAGER))
    assert "waiting for a coalition admin" in shown and "444-6000" not in shown and "Dana" not in shown


def test_the_home_tab_is_refreshed_when_the_registration_is_approved(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    wait_until(lambda: any("444-6000" in json.dumps(c.params) and "approved" in json.dumps(c.params)
                           for c in running.slack.calls_to("views.publish", user_id=MANAGER)))


def test_find_contacts_asks_for_a_place_and_shows_its_contacts_in_the_form(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    home = home_of(running, MANAGER)
    mark = len(running.slack.calls)
    running.send(payloads.home_button(MANAGER, buttons(home["blocks"], "find_contacts")[0], home))
    running.bot.later.wait_idle()
    (opened,) = [c for c in running.slack.since(mark) if c.method == "views.open"]
    form = opened.params["view"]
    assert form["callback_id"] == "find_contacts"

    answer = json.loads(running.send(payloads.view_submission(MANAGER, form, {"place": "Omaha, NE"})).body)
    assert answer["response_action"] == "update"
    assert "Dana Deputy" in json.dumps(answer["view"]) and len(answer["view"]["blocks"]) <= 100


def test_an_admins_home_keeps_the_pending_list(running):
    registered(running, (MANAGER, TRUCK_STOP), approved=False)
    assert buttons(home_of(running, ADMIN)["blocks"], "approve_registration")


def test_a_candidate_pressed_in_the_find_contacts_form_answers_by_direct_message(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    form = {"type": "modal", "callback_id": "find_contacts", "blocks": [
        {"type": "input", "block_id": "place", "element": {"type": "plain_text_input", "action_id": "value"}}]}
    answer = json.loads(running.send(payloads.view_submission(MANAGER, form, {"place": "Douglas"})).body)
    nebraska = next(b for b in answer["view"]["blocks"][1]["elements"] if b["value"] == "contact Douglas County, NE")
    mark = len(running.slack.calls)
    running.send(payloads.home_button(MANAGER, nebraska, {**answer["view"], "id": "VRESULTS1"}))
    running.bot.later.wait_idle()
    (dm,) = [c for c in running.slack.since(mark) if c.method == "chat.postMessage"
             and c.params["text"].startswith("Contacts for")]
    assert dm.params["channel"] == MANAGER and "Dana Deputy" in json.dumps(dm.params)


def test_an_unregistered_admin_without_a_county_is_asked_for_a_place(running):
    reply = running.command(ADMIN, "contact").body
    assert "I don't know your county yet" in reply and "68102" in reply


def test_the_home_tab_shows_the_organizations_trainings_once_logged(running):
    from tests.test_trainings import approve

    approve(running, MANAGER, TRUCK_STOP)
    running.command(MANAGER, "trained 12")
    running.send(payloads.event_callback(app_home_opened(MANAGER)), json_body=True)
    home = json.dumps(running.slack.wait_for("views.publish", user_id=MANAGER)[-1].params["view"])
    assert "trainings logged: *12*" in home
