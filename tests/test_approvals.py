"""Deciding on registrations: nobody decides about themselves, whoever they are."""
import bot as tat_bot
from storage.models import Stakeholder
from tests.conftest import ADMIN, SECOND_ADMIN, TEAM_ID, settings_for
from tests.test_followups import LEAD, setup_coalition, today
from tests.test_races import press_body
from tests.test_registration import SHERIFF_FORM, TRUCK_STOP, press, stakeholder, submit, wait_until

LEAD_AS_OFFICER = {**SHERIFF_FORM, "name": "Lee Lead", "organization": "Nebraska AG Task Force", "place": "statewide"}


def test_a_lead_who_makes_themselves_a_statewide_officer_is_not_asked_and_cannot_approve_it(running):
    slack = running.slack
    setup_coalition(running, today())
    submit(running, LEAD, {**TRUCK_STOP, "name": "Lee Lead"})
    first = slack.wait_for("chat.postMessage", channel=ADMIN)[0]
    press(running, ADMIN, first, "approve_registration", sent_requests=2)
    wait_until(lambda: stakeholder(running, LEAD).status == "approved")

    submit(running, LEAD, LEAD_AS_OFFICER)                 # the attack: now law enforcement, statewide
    request = slack.wait_for("chat.postMessage", count=2, channel=ADMIN)[1]
    slack.wait_for("chat.postMessage", count=2, channel=SECOND_ADMIN)
    assert stakeholder(running, LEAD).status == "pending"
    assert not any("to approve" in c.params["text"] for c in slack.calls_to("chat.postMessage", channel=LEAD))

    assert running.send(press_body(running, LEAD, request, "approve_registration")).status == 200
    running.bot.later.wait_idle()
    (refused,) = slack.wait_for("response_url")
    assert "own registration" in refused.params["text"] and refused.params["response_type"] == "ephemeral"
    assert stakeholder(running, LEAD).status == "pending"
    assert "Lee Lead" in running.command(SECOND_ADMIN, "pending").body


def test_an_admin_who_was_waiting_before_becoming_one_is_not_asked_and_cannot_decide_it(empty_database, slack):
    before = tat_bot.build(settings_for(empty_database, slack))
    with before.services.sessions.begin() as session:   # registered before TAT_ADMINS named them
        session.add(Stakeholder(team_id=TEAM_ID, slack_user_id=ADMIN, name="Alex Admin", sector="trucking_company",
                                organization="Plains Freight", phone="402-555-0199", email="alex@plains.example",
                                state="NE", status="pending"))
    before.close()
    with serving_bot(empty_database, slack) as running:   # the start-up offers what waits to the admins
        request = slack.wait_for("chat.postMessage", channel=SECOND_ADMIN)[0]
        assert slack.calls_to("chat.postMessage", channel=ADMIN) == []
        assert "No registrations are waiting" in running.command(ADMIN, "pending").body
        assert "Alex Admin" in running.command(SECOND_ADMIN, "pending").body

        running.send(press_body(running, ADMIN, request, "approve_registration"))
        running.bot.later.wait_idle()
        (refused,) = slack.wait_for("response_url")
        assert "own registration" in refused.params["text"]
        assert stakeholder(running, ADMIN).status == "pending"


def serving_bot(database_url, slack):
    from tests.conftest import serving

    built = tat_bot.build(settings_for(database_url, slack)).start()
    return serving(built, slack, database_url)
