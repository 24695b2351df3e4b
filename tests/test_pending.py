"""Registrations waiting for a decision: listed for admins, never stranded."""
import json
from dataclasses import replace

import bot as tat_bot
from localslack import payloads
from tests.conftest import ADMIN, SECOND_ADMIN, serving, settings_for
from tests.test_followups import LEAD, approved, setup_coalition, today
from tests.test_registration import (
    MANAGER,
    SHERIFF,
    SHERIFF_FORM,
    TRUCK_STOP,
    app_home_opened,
    stakeholder,
    submit,
)


def buttons(blocks, action_id):
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id]


def test_an_admin_lists_pending_registrations_and_approves_from_the_list(running):
    submit(running, MANAGER, TRUCK_STOP)
    submit(running, SHERIFF, SHERIFF_FORM)

    reply = json.loads(running.command(ADMIN, "pending").body)

    assert reply.get("response_type", "ephemeral") == "ephemeral" and "2 registration(s) waiting" in reply["text"]
    listed = json.dumps(reply["blocks"])
    assert "Big Rig Plaza LLC" in listed and "Douglas County Sheriff" in listed
    approve = buttons(reply["blocks"], "approve_registration")[0]
    message = {"ts": "1700000000.000001", "blocks": reply["blocks"], "text": reply["text"]}
    body = payloads.block_action(ADMIN, approve, message, "C0GENERAL1", running.slack.response_url(ADMIN),
                                 ephemeral=True)
    assert running.send(body).status == 200

    assert stakeholder(running, MANAGER).status == "approved"
    running.bot.later.wait_idle()
    (replaced,) = running.slack.wait_for("response_url")
    assert replaced.params["replace_original"] is True and "Approved by" in replaced.params["text"]
    assert "approved" in running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)[1].params["text"]
    assert "1 registration(s) waiting" in json.loads(running.command(ADMIN, "pending").body)["text"]


def test_pending_is_for_admins_and_leads_and_a_lead_sees_their_states_registrations(running):
    submit(running, SHERIFF, SHERIFF_FORM)
    submit(running, MANAGER, {**TRUCK_STOP, "state": "IA", "place": "Polk"})
    reply = running.command(MANAGER, "pending").body
    assert "is for coalition admins and the approved leads" in reply and "Douglas County Sheriff" not in reply

    setup_coalition(running, today())
    refused = running.command(LEAD, "pending").body   # a lead not yet approved sees nothing
    assert "is for coalition admins and the approved leads" in refused and "Douglas County Sheriff" not in refused
    approved(running, LEAD)
    listed = json.loads(running.command(LEAD, "pending").body)
    assert "1 registration(s) waiting" in listed["text"]
    assert "Douglas County Sheriff" in json.dumps(listed) and "Big Rig Plaza" not in json.dumps(listed)
    assert "2 registration(s) waiting" in json.loads(running.command(ADMIN, "pending").body)["text"]


def test_nothing_waiting_says_so(running):
    assert "No registrations are waiting" in running.command(ADMIN, "pending").body


def test_an_admins_home_tab_lists_what_waits_and_its_buttons_decide(running):
    submit(running, MANAGER, TRUCK_STOP)
    running.send(payloads.event_callback(app_home_opened(ADMIN)), json_body=True)
    home = running.slack.wait_for("views.publish", user_id=ADMIN)[0].params["view"]
    assert "Big Rig Plaza LLC" in json.dumps(home)

    approve = buttons(home["blocks"], "approve_registration")[0]
    assert running.send(payloads.home_button(ADMIN, approve, home)).status == 200

    assert stakeholder(running, MANAGER).status == "approved"
    again = running.slack.wait_for("views.publish", count=2, user_id=ADMIN)[1].params["view"]
    assert buttons(again["blocks"], "approve_registration") == []


def test_a_registration_made_while_no_admin_was_configured_reaches_the_admins_once_there_are(empty_database, slack):
    nobody = replace(settings_for(empty_database, slack), admins=frozenset())
    with serving(tat_bot.build(nobody).start(), slack, empty_database) as lonely:
        submit(lonely, MANAGER, TRUCK_STOP)
        slack.wait_for("chat.postMessage", channel=MANAGER)

    for _ in range(2):   # TAT_ADMINS set and the bot restarted, twice: each admin is asked once
        restarted = tat_bot.build(settings_for(empty_database, slack))
        tat_bot.dispatch_once(restarted)
        restarted.close()

    asked = [c.params["channel"] for c in slack.calls_to("chat.postMessage")]
    assert sorted(asked) == sorted([MANAGER, ADMIN, SECOND_ADMIN])
    assert "1 registration waiting for your approval in Nebraska: Sam Stone" in slack.calls_to(
        "chat.postMessage", channel=ADMIN)[0].params["text"]
