"""Findings of the second attack round (issue 13, "also seen"), each end to end: declined people are
told so, not that they wait; a command button never replaces a shared message; a `|` in an
e-mail address never becomes a link's visible label."""
import json
import re

from handlers.blocks import link
from localslack import payloads
from storage.models import Stakeholder
from tests.conftest import TEAM_ID
from tests.test_contact import SHERIFF_FORM, registered
from tests.test_registration import MANAGER, SHERIFF, TRUCK_STOP
from tests.test_trainings import ephemeral

PIPE_EMAIL = "x|ALERT-click-https://evil.example.net@evil.example.com"


def declined(running, user: str) -> None:
    with running.bot.services.sessions.begin() as session:
        session.add(Stakeholder(team_id=TEAM_ID, slack_user_id=user, name="Pat Driver", sector="truck_stop",
                                organization="Big Rig",
                                phone="402-555-0199", email="pat@plains.example", state="NE", status="declined"))


def test_declined_people_are_told_they_were_not_approved_not_that_they_wait(running):
    registered(running, (SHERIFF, SHERIFF_FORM))
    declined(running, MANAGER)
    for text in ("contact", "contact Douglas County, NE", "trained 12", "reported 911", "distribute"):
        said = json.dumps(ephemeral(running.command(MANAGER, text)))
        assert "was not approved" in said and "waiting" not in said, text
        assert "Dana" not in said and "444-6000" not in said


def test_a_command_button_on_a_shared_message_answers_beneath_it_privately_never_in_its_place(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    button = {"type": "button", "action_id": "run_command:0", "value": "contact Douglas County, NE",
              "text": {"type": "plain_text", "text": "Douglas County, NE"}}
    message = {"ts": "1700000000.000009", "text": "shared", "blocks": []}
    for ephemeral_message, replaces in ((False, False), (True, True)):
        before = len(running.slack.calls_to("response_url"))
        running.send(payloads.block_action(MANAGER, button, message, "C0COALITION", running.slack.response_url(
            MANAGER), ephemeral=ephemeral_message))
        answer = running.slack.wait_for("response_url", count=before + 1)[-1].params
        assert answer["response_type"] == "ephemeral" and answer["replace_original"] is replaces
        assert "Dana Deputy" in json.dumps(answer)


def test_a_pipe_in_an_email_address_stays_inside_its_link(running):
    registered(running, (SHERIFF, {**SHERIFF_FORM, "email": PIPE_EMAIL}), (MANAGER, TRUCK_STOP))
    text = json.dumps(ephemeral(running.command(MANAGER, "contact")))
    (address, label) = re.findall(r"<mailto:([^|>]*)\|([^>]*)>", text)[0]
    assert address == PIPE_EMAIL.replace("|", "%7C") and label == PIPE_EMAIL
    assert link("https://a.example/x|y", "A|B <b>") == "<https://a.example/x%7Cy|A|B &lt;b&gt;>"
