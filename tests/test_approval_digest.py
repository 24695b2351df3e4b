"""A meeting's worth of registrations: each approver gets one message that keeps itself current."""
import json

from localslack import payloads
from storage.models import Stakeholder
from tests.conftest import ADMIN, SECOND_ADMIN, TEAM_ID, count_rows
from tests.test_followups import LEAD, setup_coalition, today
from tests.test_registration import TRUCK_STOP, open_form, stakeholder, submit, wait_until

DM = {user: "D" + user[1:] for user in (ADMIN, SECOND_ADMIN, LEAD)}


def stranger(i: int) -> str:
    return f"U0MEET{i:04d}"


def form_of(i: int) -> dict:
    return {**TRUCK_STOP, "name": f"Pat Member {i}", "organization": f"Plains Freight {i}",
            "email": f"pat{i}@plains.example"}


def settled(running) -> None:
    """Nothing owed is left unsent (a check that found nothing new is cancelled, not sent)."""
    running.bot.sender.wake()
    owed = ("sent_at IS NULL AND cancelled_at IS NULL AND dead_at IS NULL "
            "AND (key LIKE 'approval:%' OR key LIKE 'saved:%' OR key LIKE 'decided:%')")
    wait_until(lambda: count_rows(running.database_url, "outbox", owed) == 0, timeout=30)


def showing(running, user: str) -> dict:
    """What the approver's latest message from the bot shows now."""
    shown = running.slack.showing(user)
    assert shown, f"no message to {user}"
    return shown[-1]


def buttons(message: dict, action_id: str) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
            if e["action_id"] == action_id]


def press_in(running, user: str, message: dict, button: dict):
    """Press a button of the message as it shows now."""
    body = payloads.block_action(user, button, {**message, "type": "message"}, DM[user],
                                 running.slack.response_url(user))
    return running.send(body)


def test_twenty_submissions_by_one_person_are_one_entry_for_each_approver(running):
    view = None
    for i in range(20):   # each a change of who they are: pending again, a new revision
        view = open_form(running, stranger(1))
        assert submit(running, stranger(1), {**TRUCK_STOP, "name": f"Sam Stone {i}"}, view).status == 200
    settled(running)

    for admin in (ADMIN, SECOND_ADMIN):
        assert len(running.slack.calls_to("chat.postMessage", channel=admin)) == 1
        now = showing(running, admin)
        assert now["text"].startswith("1 registration waiting for your approval in Nebraska: Sam Stone 19 ")
        (approve,) = buttons(now, "approve_registration")
        assert approve["value"] == f"{stakeholder(running, stranger(1)).id}:20"
        assert len(running.slack.calls_to("chat.update", channel=DM[admin])) < 20   # coalesced
    assert len(running.slack.calls_to("chat.postMessage", channel=stranger(1))) == 20   # each save is answered


def test_twenty_two_strangers_make_one_message_per_approver_updated_with_the_rest_in_pending(running):
    for i in range(22):
        assert submit(running, stranger(i), form_of(i)).status == 200
    settled(running)

    for admin in (ADMIN, SECOND_ADMIN):
        assert len(running.slack.calls_to("chat.postMessage", channel=admin)) == 1
        now = showing(running, admin)
        assert now["text"].startswith("22 registrations waiting for your approval in Nebraska: Pat Member 0 ")
        assert len(buttons(now, "approve_registration")) == 20 and len(buttons(now, "decline_registration")) == 20
        said = json.dumps(now["blocks"])
        assert "2 more in `/tat pending`" in said and "pat21@plains.example" not in said
        (approve_all,) = buttons(now, "approve_all_registrations")
        assert approve_all["text"]["text"] == "Approve all 20" and "confirm" in approve_all
    for i in range(22):   # every registrant heard back
        assert "A coalition admin will review it" in running.slack.calls_to(
            "chat.postMessage", channel=stranger(i))[0].params["text"]


def test_approve_all_approves_those_listed_tells_each_and_updates_every_approvers_copy(running):
    for i in range(3):
        submit(running, stranger(i), form_of(i))
    settled(running)
    listed = showing(running, ADMIN)
    submit(running, stranger(2), {**form_of(2), "place": "68508"})   # changed after the list was shown
    settled(running)

    (approve_all,) = buttons(listed, "approve_all_registrations")
    assert press_in(running, ADMIN, listed, approve_all).status == 200

    running.bot.later.wait_idle()
    (told,) = running.slack.wait_for("response_url")
    assert told.params["response_type"] == "ephemeral" and told.params["replace_original"] is False
    assert "Approved 2 registrations" in told.params["text"] and "1 changed since" in told.params["text"]
    assert [stakeholder(running, stranger(i)).status for i in range(3)] == ["approved", "approved", "pending"]
    for i in range(2):
        news = running.slack.wait_for("chat.postMessage", count=2, channel=stranger(i))[1]
        assert "approved" in news.params["text"]
    settled(running)
    for admin in (ADMIN, SECOND_ADMIN):
        now = showing(running, admin)
        assert now["text"].startswith("1 registration waiting for your approval in Nebraska: Pat Member 2 ")
        assert f"Pat Member 0 (Plains Freight 0) approved by <@{ADMIN}>" in json.dumps(now["blocks"])


def test_a_decision_in_one_approvers_message_updates_every_approvers_copy_and_a_second_press_is_told(running):
    setup_coalition(running, today())
    with running.bot.services.sessions.begin() as session:   # the lead is an approved member
        session.add(Stakeholder(team_id=TEAM_ID, slack_user_id=LEAD, name="Lee Lead", sector="attorney_general",
                                organization="Nebraska AG", phone="402-555-0142", email="lee@ag.example",
                                state="NE", status="approved", statewide=True))
    submit(running, stranger(1), form_of(1))
    settled(running)
    copies = {user: showing(running, user) for user in (ADMIN, SECOND_ADMIN, LEAD)}
    assert all(c["text"].startswith("1 registration waiting for your approval in Nebraska") for c in copies.values())

    (approve,) = buttons(copies[LEAD], "approve_registration")
    assert press_in(running, LEAD, copies[LEAD], approve).status == 200
    wait_until(lambda: stakeholder(running, stranger(1)).status == "approved")
    settled(running)

    for user in (ADMIN, SECOND_ADMIN, LEAD):
        now = showing(running, user)
        assert "No registrations are waiting" in now["text"] and buttons(now, "approve_registration") == []
        assert f"Pat Member 1 (Plains Freight 1) approved by <@{LEAD}>" in json.dumps(now["blocks"])

    (late,) = buttons(copies[ADMIN], "decline_registration")   # an approver who had not seen the update
    press_in(running, ADMIN, copies[ADMIN], late)
    running.bot.later.wait_idle()
    (refused,) = running.slack.wait_for("response_url")
    assert f"already approved by <@{LEAD}>" in refused.params["text"]
    assert stakeholder(running, stranger(1)).status == "approved"


def test_a_lead_who_is_not_an_approved_member_gets_no_message_and_cannot_decide(running):
    setup_coalition(running, today())   # the lead has not registered
    submit(running, stranger(1), form_of(1))
    settled(running)
    assert running.slack.calls_to("chat.postMessage", channel=LEAD) == []

    request = showing(running, ADMIN)
    (approve,) = buttons(request, "approve_registration")
    body = payloads.block_action(LEAD, approve, {**request, "type": "message"}, DM[LEAD],
                                 running.slack.response_url(LEAD))
    running.send(body)
    running.bot.later.wait_idle()
    (refused,) = running.slack.wait_for("response_url")
    assert "Only coalition admins" in refused.params["text"]
    assert stakeholder(running, stranger(1)).status == "pending"


def test_when_everything_was_decided_the_next_registration_gets_a_new_message_and_the_old_one_says_so(running):
    submit(running, stranger(1), form_of(1))
    settled(running)
    first = showing(running, ADMIN)
    (approve,) = buttons(first, "approve_registration")
    press_in(running, ADMIN, first, approve)
    wait_until(lambda: stakeholder(running, stranger(1)).status == "approved")
    settled(running)

    submit(running, stranger(2), form_of(2))
    settled(running)
    older, newer = running.slack.showing(ADMIN)
    assert "moved to a newer message" in older["text"] and buttons(older, "approve_registration") == []
    assert newer["text"].startswith("1 registration waiting for your approval in Nebraska: Pat Member 2 ")
    assert len(running.slack.calls_to("chat.postMessage", channel=ADMIN)) == 2


def test_sends_to_one_approver_keep_to_slacks_rate_a_conversation(running):
    running.slack.limit_conversations()   # about one message a second into each DM, posts and updates alike
    for i in range(8):
        submit(running, stranger(i), form_of(i))
    settled(running)
    assert [c for c in running.slack.refused if c.params.get("channel") in (ADMIN, SECOND_ADMIN, *DM.values())] == []
    assert showing(running, ADMIN)["text"].startswith("8 registrations waiting")


def test_the_stand_in_holds_each_conversation_to_one_message_a_second_posts_and_updates_alike(slack):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    slack.limit_conversations()
    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    posted = client.chat_postMessage(channel=ADMIN, text="first")
    client.chat_postMessage(channel=SECOND_ADMIN, text="another conversation: its own second")
    try:
        client.chat_update(channel=posted["channel"], ts=posted["ts"], text="too soon in the same DM")
        raise AssertionError("an update within the second was taken")
    except SlackApiError as refused:
        assert refused.response.status_code == 429 and int(refused.response.headers["Retry-After"]) >= 1
    assert [c.method for c in slack.refused] == ["chat.update"]
