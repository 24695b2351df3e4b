"""Messages the bot owes are never lost and never doubled: Slack errors, restarts, two instances."""
import threading

from sqlalchemy import text

import bot as tat_bot
from tests.conftest import ADMIN, SECOND_ADMIN, count_rows, settings_for
from tests.test_registration import MANAGER, TRUCK_STOP, press, stakeholder, submit, wait_until


def refused_three_times(running) -> None:
    """Slack refuses the three messages a registration causes; wait until the bot has let go of them."""
    running.slack.wait_for("chat.postMessage", count=3)
    wait_until(lambda: count_rows(running.database_url, "outbox", "claimed_until IS NOT NULL") == 0)


def as_if_their_backoff_were_over(running) -> None:
    """Another process sends what is owed, by the real clock: stop this one's sender, and make
    every owed message due now."""
    running.bot.sender.stop()
    with running.bot.engine.begin() as connection:
        connection.execute(text("UPDATE outbox SET due_at = created_at WHERE sent_at IS NULL"))


def test_messages_slack_refuses_are_kept_and_sent_by_the_next_dispatch(running):
    running.slack.fail("chat.postMessage", error="fatal_error", times=3)
    assert submit(running, MANAGER, TRUCK_STOP).body == ""
    refused_three_times(running)
    running.bot.sender.stop()             # this test's dispatches are the only senders
    assert stakeholder(running, MANAGER).status == "pending"

    assert tat_bot.dispatch_once(running.bot) == 0       # not before their backoff is over
    running.clock.advance(minutes=5)
    assert tat_bot.dispatch_once(running.bot) == 3
    assert tat_bot.dispatch_once(running.bot) == 0

    for user in (MANAGER, ADMIN, SECOND_ADMIN):
        delivered = [c for c in running.slack.calls_to("chat.postMessage", channel=user) if c.response["ok"]]
        assert len(delivered) == 1


def test_two_instances_dispatching_at_once_send_each_message_once(running, empty_database):
    running.slack.fail("chat.postMessage", error="fatal_error", times=3)
    submit(running, MANAGER, TRUCK_STOP)
    refused_three_times(running)
    running.bot.sender.stop()
    running.clock.advance(minutes=5)
    other = tat_bot.build(settings_for(empty_database, running.slack), clock=running.clock)
    start = threading.Barrier(2)
    sent = []

    def dispatch(instance):
        start.wait()
        sent.append(tat_bot.dispatch_once(instance))

    threads = [threading.Thread(target=dispatch, args=(b,)) for b in (running.bot, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    other.close()
    assert sum(sent) == 3
    ok = [c.params["channel"] for c in running.slack.calls_to("chat.postMessage") if c.response["ok"]]
    assert sorted(ok) == sorted([MANAGER, ADMIN, SECOND_ADMIN])


def test_a_request_still_unsent_when_another_admin_decides_is_never_sent(running):
    running.slack.fail("chat.postMessage", error="fatal_error", channel=SECOND_ADMIN)
    submit(running, MANAGER, TRUCK_STOP)
    first = running.slack.wait_for("chat.postMessage", channel=ADMIN)[0]
    running.slack.wait_for("chat.postMessage", channel=SECOND_ADMIN)    # refused
    wait_until(lambda: count_rows(running.database_url, "outbox", "claimed_until IS NOT NULL") == 0)

    press(running, ADMIN, first, "approve_registration", sent_requests=1)
    running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)

    assert tat_bot.dispatch_once(running.bot) == 0
    assert [c.response["ok"] for c in running.slack.calls_to("chat.postMessage", channel=SECOND_ADMIN)] == [False]
