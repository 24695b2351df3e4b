"""Introductions, end to end: an approved site meets its local law enforcement in one group DM, once."""
import json

import bot as tat_bot
from localslack.standin import group_id
from tests.conftest import count_rows, settings_for
from tests.test_contact import (
    LINCOLN_SHERIFF,
    LINCOLN_SHERIFF_FORM,
    TROOPER,
    TROOPER_FORM,
    approve,
    registered,
)
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, stakeholder, submit, wait_until

GROUP = group_id([MANAGER, SHERIFF])   # the stand-in's group DM of the manager and the sheriff


def introductions(running, channel: str | None = None) -> list:
    """Introduction messages Slack took."""
    return [c for c in running.slack.calls_to("chat.postMessage")
            if c.params["text"].startswith("Introductions") and (channel is None or c.params["channel"] == channel)]


def settled(running) -> None:
    """The sender has sent everything it can."""
    wait_until(lambda: count_rows(running.database_url, "outbox",
                                  "sent_at IS NULL AND cancelled_at IS NULL AND dead_at IS NULL") == 0)


def test_an_approved_truck_stop_meets_its_county_sheriff_in_one_group_dm_with_the_protocol(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (TROOPER, TROOPER_FORM), (LINCOLN_SHERIFF, LINCOLN_SHERIFF_FORM))
    registered(running, (MANAGER, TRUCK_STOP))
    settled(running)

    (opened,) = running.slack.calls_to("conversations.open", users=f"{MANAGER},{SHERIFF}")
    (message,) = introductions(running)
    assert message.params["channel"] == opened.response["channel"]["id"] == GROUP
    said = json.dumps(message.params)
    assert "<tel:+14024446000|(402) 444-6000>" in said and "<tel:+14025550100|(402) 555-0100>" in said
    assert "<@U0MANAGER1>" in said and "Big Rig Plaza" in said and "Douglas County, NE" in said
    assert "call 911" in said and "local law enforcement contact" in said and "1-888-373-7888" in said
    assert "Terry Trooper" not in said and "Lee Lancaster" not in said   # statewide only where no county officer
    assert count_rows(running.database_url, "introductions") == 1


def test_an_approved_officer_is_introduced_to_the_sites_of_their_jurisdiction(running):
    registered(running, (MANAGER, TRUCK_STOP))
    settled(running)
    assert introductions(running) == []

    registered(running, (LINCOLN_SHERIFF, LINCOLN_SHERIFF_FORM), (SHERIFF, SHERIFF_FORM))
    settled(running)
    (message,) = introductions(running)
    assert message.params["channel"] == GROUP and "Dana Deputy" in message.params["text"]


def test_with_no_county_officer_a_site_meets_the_statewide_contacts(running):
    registered(running, (TROOPER, TROOPER_FORM), (MANAGER, TRUCK_STOP))
    settled(running)
    (message,) = introductions(running)
    assert "Terry Trooper" in message.params["text"]
    assert running.slack.calls_to("conversations.open", users=f"{MANAGER},{TROOPER}")


def test_each_pair_is_introduced_once_when_slacks_answer_is_lost_an_approval_is_pressed_again_and_the_bot_restarts(
        running, empty_database):
    registered(running, (SHERIFF, SHERIFF_FORM))
    running.slack.fail("chat.postMessage", status=500, posted=True, channel=GROUP)   # Slack has it; the bot can't know
    registered(running, (MANAGER, TRUCK_STOP))
    running.slack.wait_for("conversations.history", channel=GROUP, timeout=15)   # the retry looks before it sends
    settled(running)
    approve(running, MANAGER)   # a second press: already decided
    for _ in range(2):
        restarted = tat_bot.build(settings_for(empty_database, running.slack))
        tat_bot.dispatch_once(restarted)
        restarted.close()

    assert introductions(running) == []   # the one Slack took is in the group's history, not a second call
    assert len(running.slack.history[GROUP]) == 1
    assert count_rows(running.database_url, "introductions") == 1


def test_introduce_re_sends_the_callers_introductions_after_acknowledging(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    settled(running)
    mark = len(running.slack.calls)
    response = running.command(MANAGER, "introduce")
    assert response.status == 200 and response.body == ""   # acknowledged at once; the reply follows

    def replies():
        return [c for c in running.slack.since(mark) if c.method == "response_url" and "introductions" in
                c.params["text"]]

    wait_until(replies)
    (reply,) = replies()
    assert "Sending your introductions again (1 contact(s))" in reply.params["text"]
    assert reply.params["response_type"] == "ephemeral"
    wait_until(lambda: len(introductions(running, GROUP)) == 2)
    assert count_rows(running.database_url, "introductions") == 1


def test_introduce_is_for_approved_sites_and_officers(running):
    submit(running, MANAGER, TRUCK_STOP)
    running.command(MANAGER, "introduce")
    (reply,) = running.slack.wait_for("response_url")
    assert "for approved coalition members" in reply.params["text"]
    assert stakeholder(running, MANAGER).status == "pending"


def test_more_officers_than_a_group_dm_holds_are_introduced_in_groups_of_seven(running):
    from tests.test_contact import seed_officers

    seed_officers(running, 9)
    registered(running, (MANAGER, TRUCK_STOP))
    settled(running)
    opened = [c.params["users"].split(",") for c in running.slack.calls_to("conversations.open")
              if MANAGER in c.params["users"] and "," in c.params["users"]]
    assert sorted(len(users) for users in opened) == [3, 8]
    assert len({u for users in opened for u in users}) == 10 and len(introductions(running)) == 2
    assert count_rows(running.database_url, "introductions") == 9


def test_a_site_and_its_sheriff_approved_at_the_same_moment_are_introduced_once(running):
    from tests.test_races import at_once, press_body

    submit(running, MANAGER, TRUCK_STOP)
    submit(running, SHERIFF, SHERIFF_FORM)
    wait_until(lambda: count_rows(running.database_url, "outbox", "key LIKE 'approval:%' AND sent_at IS NOT NULL")
               == 4)
    requests = {c.params["text"].split(":")[1].split("(")[0].strip(): c
                for c in running.slack.calls_to("chat.postMessage", channel="U0ADMIN001")}
    site, sheriff = requests["Sam Stone"], requests["Dana Deputy"]

    at_once(lambda: running.send(press_body(running, "U0ADMIN001", site, "approve_registration")),
            lambda: running.send(press_body(running, "U0ADMIN002", sheriff, "approve_registration")))

    settled(running)
    assert count_rows(running.database_url, "introductions") == 1
    assert len(introductions(running, GROUP)) == 1


def test_introduce_sends_once_a_day_per_pair_and_says_so_the_second_time(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    settled(running)

    def reply_to_introduce() -> str:
        before = len(running.slack.calls_to("response_url"))
        running.command(MANAGER, "introduce")
        return running.slack.wait_for("response_url", count=before + 1)[-1].params["text"]

    assert "Sending your introductions again (1 contact(s))" in reply_to_introduce()
    for _ in range(3):
        assert "already sent again today" in reply_to_introduce()
    settled(running)
    assert len(introductions(running, GROUP)) == 2      # the first, and one re-send today
    running.clock.advance(days=1)
    assert "Sending your introductions again (1 contact(s))" in reply_to_introduce()
    wait_until(lambda: len(introductions(running, GROUP)) == 3)
