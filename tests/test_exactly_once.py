"""Every owed message reaches Slack exactly once: through crashes at any point of a send, several
processes at once, Slack's refusals, and messages owed for later."""
import json
import signal
import subprocess
import threading
from datetime import UTC, datetime, timedelta

from storage import outbox
from storage.db import engine_for, migrate, session_factory
from tests.conftest import ADMIN, TEAM_ID, count_rows
from tests.test_registration import MANAGER, TRUCK_STOP, press, stakeholder, submit, wait_until
from tests.test_running import bot_env, bot_process


def queue(database_url: str, users: list[str], not_before: datetime | None = None) -> None:
    engine = engine_for(database_url)
    migrate(engine)
    with session_factory(engine).begin() as session:
        for user in users:
            outbox.enqueue(session, f"test:{user}", user, f"Hello {user}", not_before=not_before, team_id=TEAM_ID)
    engine.dispose()


def silence_heartbeats(database_url: str) -> None:
    """Every sender's last heartbeat moved back past SILENT_AFTER: what a stopped sender's row looks like
    once that much time has gone by (the claims it holds still last until their minute is up)."""
    from storage.models import SenderBeat
    from storage.senders import SILENT_AFTER

    engine = engine_for(database_url)
    with session_factory(engine).begin() as session:
        for sender in session.query(SenderBeat):
            sender.seen_at -= SILENT_AFTER * 2
    engine.dispose()


def delivered_keys(slack) -> list[str]:
    """The outbox key of every message Slack holds, from the metadata each carries."""
    return [m["metadata"]["event_payload"]["key"] for messages in slack.history.values() for m in messages]


def test_a_sender_killed_at_any_point_of_a_send_leaves_each_message_sent_exactly_once(
        project_root, tmp_path, slack, empty_database):
    users = ["U0KILL0001", "U0KILL0002", "U0KILL0003"]
    queue(empty_database, users)
    held = slack.hold("chat.postMessage", channel=users[1])
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database), "dispatch")
    try:
        assert held.arrived.wait(60), "the dispatch never reached Slack"
        # Now: the 1st was taken and answered but not yet marked sent, the 2nd is taken but not
        # answered, the 3rd is claimed but not sent. Kill it there.
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        held.release()
    assert count_rows(empty_database, "outbox", "sent_at IS NOT NULL") == 0
    assert count_rows(empty_database, "outbox", "claimed_until IS NOT NULL") == 3   # held by the dead sender
    silence_heartbeats(empty_database)     # as after SILENT_AFTER without a beat (its claims last a minute)

    again = bot_process(project_root, tmp_path, bot_env(slack, empty_database), "dispatch")
    output, _ = again.communicate(timeout=60)

    assert again.returncode == 0, output
    assert sorted(delivered_keys(slack)) == sorted(f"test:{u}" for u in users)
    assert count_rows(empty_database, "outbox", "sent_at IS NOT NULL") == 3
    assert len(slack.calls_to("conversations.history")) == 3     # each looked for before it was repeated
    assert "took over 3 message(s) claimed by a sender whose heartbeat stopped" in output   # not a minute later


def test_two_processes_dispatching_500_messages_at_once_send_each_once(project_root, tmp_path, slack, empty_database):
    users = [f"U0FAN{i:05d}" for i in range(500)]
    queue(empty_database, users)
    env = bot_env(slack, empty_database)
    processes = [bot_process(project_root, tmp_path, env, "dispatch") for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]

    assert [p.returncode for p in processes] == [0, 0], outputs
    keys = delivered_keys(slack)
    assert len(keys) == 500 and len(set(keys)) == 500
    sent = [int(o.split("sent ")[1].split()[0]) for o in outputs]
    assert sum(sent) == 500


def test_a_message_slack_refuses_for_good_is_a_dead_letter_admins_see_and_can_retry(running):
    running.slack.fail("chat.postMessage", error="channel_not_found", channel=MANAGER)
    submit(running, MANAGER, TRUCK_STOP)
    wait_until(lambda: count_rows(running.database_url, "outbox", "dead_at IS NOT NULL") == 1)

    listed = json.loads(running.command(ADMIN, "outbox").body)
    assert "1 message(s) could not be delivered" in listed["text"]
    assert "channel_not_found" in json.dumps(listed["blocks"]) and f"<@{MANAGER}>" in json.dumps(listed["blocks"])
    retry = next(e for b in listed["blocks"] if b["type"] == "actions" for e in b["elements"])
    from localslack import payloads

    message = {"ts": "1700000000.000002", "blocks": listed["blocks"], "text": listed["text"]}
    running.send(payloads.block_action(ADMIN, retry, message, "C0GENERAL1", running.slack.response_url(ADMIN),
                                       ephemeral=True))

    note = running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)   # refused, then taken
    assert note[-1].response["ok"] and "registration is in" in note[-1].params["text"]
    assert "nothing is stuck" in running.command(ADMIN, "outbox").body


def test_only_admins_see_the_outbox(running):
    assert "`/tat outbox` is for coalition admins" in running.command(MANAGER, "outbox").body


def test_a_message_whose_answer_was_lost_is_found_in_the_conversation_not_sent_twice(running):
    running.slack.fail("chat.postMessage", status=503, posted=True, channel=MANAGER)
    submit(running, MANAGER, TRUCK_STOP)
    wait_until(lambda: count_rows(running.database_url, "outbox", "sent_at IS NOT NULL") == 3)

    assert running.slack.calls_to("conversations.history")
    mine = running.slack.history["D" + MANAGER[1:]]
    assert len(mine) == 1 and "registration is in" in mine[0]["text"]


def test_a_message_owed_in_three_months_is_not_sent_early_and_is_sent_when_due(running):
    due = datetime.now(UTC) + timedelta(days=90)
    queue(running.database_url, ["U0LATER001"], not_before=due)
    running.bot.sender.wake()
    running.command(MANAGER, "help")                       # the bot is busy meanwhile
    running.bot.sender.send_due()
    assert running.slack.calls_to("chat.postMessage") == []

    running.clock.advance(days=90, seconds=1)
    running.bot.sender.wake()
    (sent,) = running.slack.wait_for("chat.postMessage", channel="U0LATER001")
    assert sent.params["text"] == "Hello U0LATER001"


def test_a_decision_made_before_the_request_is_sent_drops_the_request(running):
    """A request rendered at send time shows only what can still be decided."""
    running.slack.fail("chat.postMessage", error="fatal_error", channel="U0ADMIN002")
    submit(running, MANAGER, TRUCK_STOP)
    first = running.slack.wait_for("chat.postMessage", channel=ADMIN)[0]
    press(running, ADMIN, first, "approve_registration", sent_requests=1)
    assert stakeholder(running, MANAGER).status == "approved"
    running.clock.advance(minutes=10)
    running.bot.sender.send_due()
    assert [c.response["ok"] for c in running.slack.calls_to("chat.postMessage", channel="U0ADMIN002")] == [False]


def test_sigterm_lets_a_send_in_flight_finish(project_root, tmp_path, slack, empty_database):
    from tests.test_running import free_port

    queue(empty_database, ["U0TERM0001"])
    held = slack.hold("chat.postMessage", channel="U0TERM0001")
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(free_port())))
    try:
        assert held.arrived.wait(60)
        process.send_signal(signal.SIGTERM)
        threading.Timer(0.5, held.release).start()
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, output
    assert count_rows(empty_database, "outbox", "sent_at IS NOT NULL") == 1


def test_a_message_owed_for_over_a_week_when_the_bot_starts_is_missed_not_sent(project_root, tmp_path, slack,
                                                                              empty_database):
    queue(empty_database, ["U0LATE0001"], not_before=datetime.now(UTC) - timedelta(days=8))
    queue(empty_database, ["U0LATE0002"], not_before=datetime.now(UTC) - timedelta(days=6))

    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database), "dispatch")
    process.communicate(timeout=60)

    assert delivered_keys(slack) == ["test:U0LATE0002"]
    assert count_rows(empty_database, "outbox", "dead_at IS NOT NULL AND key = 'test:U0LATE0001'") == 1


def test_a_claim_that_lapses_under_a_live_sender_never_doubles_its_message(running, empty_database):
    import bot as tat_bot
    from tests.conftest import settings_for

    held = running.slack.hold("chat.postMessage", channel=MANAGER)
    submit(running, MANAGER, TRUCK_STOP)
    assert held.arrived.wait(30)
    running.clock.advance(minutes=5)                       # the live sender's claim has lapsed
    other = tat_bot.build(settings_for(empty_database, running.slack), clock=running.clock)
    try:
        tat_bot.dispatch_once(other)                       # another instance finds it in Slack
    finally:
        held.release()
        other.close()
    wait_until(lambda: count_rows(running.database_url, "outbox", "sent_at IS NULL AND cancelled_at IS NULL") == 0)
    assert len(running.slack.history["D" + MANAGER[1:]]) == 1


def test_a_message_is_given_up_by_age_never_by_how_often_slack_refused_it(running):
    running.bot.sender.stop()
    queue(running.database_url, ["U0STUBBORN"])
    running.slack.fail("chat.postMessage", error="internal_error", times=30, channel="U0STUBBORN")
    for _ in range(30):
        running.clock.advance(minutes=30)                   # past the longest backoff (15 minutes, jittered)
        running.bot.sender.send_due()
    assert len(running.slack.calls_to("chat.postMessage", channel="U0STUBBORN")) == 30
    assert count_rows(running.database_url, "outbox", "dead_at IS NULL AND sent_at IS NULL") == 1
    running.clock.advance(minutes=30)
    assert running.bot.sender.send_due() == 1


def test_a_send_stalled_past_its_claim_leaves_the_rest_of_its_batch_to_the_sender_that_took_it(running,
                                                                                                empty_database):
    """Slack answers one send of a batch only after the batch's claim has lapsed and another sender
    has taken the batch over: the first sender re-checks its claim before each send and sends none
    of the rest again."""
    import bot as tat_bot
    from tests.conftest import settings_for

    users = ["U0STALL001", "U0STALL002", "U0STALL003"]
    held = running.slack.hold("chat.postMessage", channel=users[0])
    queue(running.database_url, users)
    running.bot.sender.wake()
    assert held.arrived.wait(30), "the sender never reached Slack"
    running.clock.advance(minutes=5)                       # the batch's claim has lapsed meanwhile
    other = tat_bot.build(settings_for(empty_database, running.slack), clock=running.clock)
    try:
        tat_bot.dispatch_once(other)                       # another instance takes the batch and sends it
    finally:
        held.release()
        other.close()
    running.bot.sender.stop()                              # the stalled sender finishes its batch first
    assert sorted(delivered_keys(running.slack)) == sorted(f"test:{u}" for u in users)
    assert count_rows(running.database_url, "outbox", "sent_at IS NULL") == 0


def test_a_message_this_version_cannot_render_is_a_dead_letter_with_its_reason_kept_for_a_newer_one(running):
    """A kind this version does not know (a newer instance queued it during a rolling deploy), and a
    message whose renderer raises: dead letters with the reason, listed in /tat outbox, never
    cancelled; a sender that knows the kind sends it."""
    from handlers import notices as rendering
    from handlers.blocks import Message
    from schedules.delivery import Sender

    running.bot.sender.stop()
    engine = engine_for(running.database_url)
    with session_factory(engine).begin() as session:
        outbox.enqueue(session, "newkind:1", "U0NEWS0001", kind="brand_new_kind", params={"what": "news"},
                       team_id=TEAM_ID)
        outbox.enqueue(session, "trained:broken", "U0NEWS0002", kind="training_logged", params={},
                       team_id=TEAM_ID)   # its renderer raises
    engine.dispose()
    assert running.bot.sender.send_due() == 0

    assert count_rows(running.database_url, "outbox", "dead_at IS NOT NULL") == 2
    assert count_rows(running.database_url, "outbox", "cancelled_at IS NOT NULL") == 0
    listed = json.dumps(json.loads(running.command(ADMIN, "outbox").body))
    assert "2 message(s) could not be delivered" in listed
    assert "cannot render: a kind this version does not know (brand_new_kind)" in listed
    assert "cannot render: TypeError in its renderer" in listed

    def newer(session, message):   # the next version's renderers: the new kind among them
        if message.kind == "brand_new_kind":
            return Message(f"Some {message.params['what']}")
        return rendering.render(session, message)

    newer_sender = Sender(running.bot.services.sessions, running.bot.sender.client, newer, clock=running.clock,
                          kinds=rendering.KINDS | {"brand_new_kind"})
    assert newer_sender.send_due() == 1
    (sent,) = running.slack.calls_to("chat.postMessage", channel="U0NEWS0001")
    assert sent.params["text"] == "Some news"
    assert count_rows(running.database_url, "outbox", "dead_at IS NOT NULL AND key = 'trained:broken'") == 1
    assert running.slack.calls_to("chat.postMessage", channel="U0NEWS0002") == []


def test_a_frozen_sender_is_judged_by_its_heartbeat_and_on_waking_sends_nothing_taken_from_it(
        project_root, tmp_path, slack, empty_database):
    """A sender frozen mid-batch (SIGSTOP; a container paused) is alive by its host and pid, but its
    heartbeat stops: another sender takes its claims over before they lapse, and the frozen one, once
    it wakes, re-checks each claim before sending and sends none of them again."""
    import bot as tat_bot
    from tests.conftest import settings_for

    users = ["U0FROZEN01", "U0FROZEN02", "U0FROZEN03"]
    queue(empty_database, users)
    held = slack.hold("chat.postMessage", channel=users[0])
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database), "dispatch")
    try:
        assert held.arrived.wait(60), "the dispatch never reached Slack"
        process.send_signal(signal.SIGSTOP)
        silence_heartbeats(empty_database)             # as after SILENT_AFTER frozen
        other = tat_bot.build(settings_for(empty_database, slack))
        try:
            assert tat_bot.dispatch_once(other) == 3   # the first one found in Slack, the others sent
        finally:
            other.close()
    finally:
        held.release()
        process.send_signal(signal.SIGCONT)
    output, _ = process.communicate(timeout=60)

    assert process.returncode == 0, output
    assert "sent 1 due message(s)" in output           # the one Slack answered at last; then nothing
    assert sorted(delivered_keys(slack)) == sorted(f"test:{u}" for u in users)
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert count_rows(empty_database, "outbox", "sent_at IS NULL") == 0


def test_a_429_pauses_only_the_method_that_got_it(running):
    """Looking for a send in doubt is refused with 429 (conversations.history): that lookup waits for
    its Retry-After, and other messages are posted meanwhile (chat.postMessage was not refused)."""
    running.bot.sender.stop()
    queue(running.database_url, ["U0DOUBT001"])
    running.slack.fail("chat.postMessage", status=503, posted=True, channel="U0DOUBT001")
    assert running.bot.sender.send_due() == 0          # Slack took it, but the answer was lost: in doubt
    queue(running.database_url, ["U0FRESH001"])
    running.slack.fail("conversations.history", status=429, retry_after=120)
    running.clock.advance(minutes=30)                  # past the in-doubt message's back-off

    assert running.bot.sender.send_due() == 1
    assert sorted(delivered_keys(running.slack)) == ["test:U0DOUBT001", "test:U0FRESH001"]
    assert count_rows(running.database_url, "outbox", "sent_at IS NULL AND key = 'test:U0DOUBT001'") == 1

    running.clock.advance(minutes=3)                   # the lookup's Retry-After is over
    assert running.bot.sender.send_due() == 1          # found in the conversation, not sent again
    assert running.slack.calls_to("chat.postMessage", channel="U0DOUBT001") == []   # only the first, lost answer
    assert len(running.slack.history["D0DOUBT001"]) == 1
    assert count_rows(running.database_url, "outbox", "sent_at IS NULL") == 0
