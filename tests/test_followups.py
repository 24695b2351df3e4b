"""A coalition's follow-ups, end to end: `/tat setup` through its modal, the channel posts and the
check-ins at their hour on a clock the tests move, answers through the buttons, reminders, and
`/tat followups` showing it all; a bot started late; two senders at once, as threads and as processes."""
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

import bot as tat_bot
import schedules
from domain import coalitions, places
from domain.followups import followup_at
from domain.localtime import next_morning
from handlers import followup_blocks, trainings
from handlers.slack_token import check_token
from localslack import payloads
from localslack.standin import BOT_USER
from storage.db import engine_for, migrate, session_factory
from storage.models import Base, OutboxMessage, Stakeholder
from tests.conftest import ADMIN, TEAM_ID, Clock, count_rows, settings_for
from tests.test_exactly_once import delivered_keys
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, stakeholder, submit, wait_until
from tests.test_running import bot_env, bot_process
from tests.test_trainings import approve

LEAD = "U0AGLEAD01"
CHANNEL = "C0NECOAL01"
CHICAGO = ZoneInfo("America/Chicago")


def setup_coalition(running, meeting: date, state: str = "NE", channel: str = CHANNEL, opened_with: str | None = None,
                    **answers):
    mark = len(running.slack.calls)
    assert running.command(ADMIN, f"setup {state if opened_with is None else opened_with}").body == ""
    view = running.slack.wait_for("views.open", count=1 + sum(c.method == "views.open"
                                                             for c in running.slack.calls[:mark]))[-1].params["view"]
    filled = {"state": state, "meeting_date": meeting.isoformat(), "channel": channel, "leads": [LEAD],
              "lead_agencies": "Nebraska AG; Nebraska Trucking Association", "offsets": "1, 3, 6", **answers}
    return running.send(payloads.view_submission(ADMIN, view, filled))


def approved(running, user: str, state: str = "NE", sector: str = "trucking_company") -> None:
    with running.bot.services.sessions.begin() as session:
        session.add(Stakeholder(team_id=TEAM_ID, slack_user_id=user, name="Pat Driver", sector=sector,
                                organization="Plains Freight",
                                phone="402-555-0199", email="pat@plains.example", state=state, status="approved"))


def at_followup(running, meeting: date, months: int, minutes: int = 1) -> None:
    """Move the bot's clock to a follow-up's instant (plus a minute) and let the clock's jobs run."""
    due = followup_at(meeting, months, "America/Chicago") + timedelta(minutes=minutes)
    running.clock.advance(seconds=(due - running.clock()).total_seconds())
    tick(running)


def tick(running) -> None:
    """What the clock does every minute; then wait for the bot's own sender to finish what it took."""
    schedules.dispatch(running.bot.services, running.bot.sender)
    wait_until(lambda: nothing_due(running.bot))


def nothing_due(built) -> bool:
    with built.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.cancelled_at.is_(None), OutboxMessage.dead_at.is_(None),
            OutboxMessage.due_at <= built.services.clock())) == 0


def dms(running, user: str) -> list:
    return running.slack.calls_to("chat.postMessage", channel=user)


def press(running, user: str, call, action_id: str):
    message = {**call.params, "ts": call.response["ts"]}
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id)
    running.send(payloads.block_action(user, button, message, call.response["channel"],
                                       running.slack.response_url(user)))
    running.bot.later.wait_idle()


def today() -> date:
    return datetime.now(CHICAGO).date()


def test_setup_rejects_a_time_zone_of_another_state_and_a_missing_lead(running):
    response = setup_coalition(running, today(), opened_with="", time_zone="America/New_York", leads=[])
    errors = json.loads(response.body)["errors"]
    assert "America/Chicago" in errors["time_zone"] and "lead" in errors["leads"]
    assert "No coalition is set up" in running.command(ADMIN, "followups").body


def test_a_coalitions_six_months_of_follow_ups(running):
    meeting, slack = today(), running.slack
    submit(running, MANAGER, TRUCK_STOP)
    approved(running, LEAD, state="IA")        # a lead decides while an approved member (here of Iowa's)
    assert setup_coalition(running, meeting).status == 200
    listed = json.loads(running.command(ADMIN, "followups NE").body)["text"]
    assert listed.count("planned") == 3 and "10:00 C" in listed
    head = json.loads(running.command(ADMIN, "followups NE").body)["blocks"][0]["text"]["text"]
    assert f"leads: <@{LEAD}>; lead agencies: Nebraska AG; Nebraska Trucking Association)" in head   # said apart

    slack.wait_for("chat.postMessage", channel=LEAD)   # the manager's registration waits for the lead too
    submit(running, SHERIFF, SHERIFF_FORM)     # a state's lead approves its registrations, from one message
    request = slack.wait_for("chat.update", channel="D" + LEAD[1:])[0]
    assert SHERIFF in json.dumps(request.params["blocks"])
    assert len(slack.calls_to("chat.postMessage", channel=LEAD)) == 1
    sheriffs = next(b for b in request.params["blocks"] if b["type"] == "actions"
                    and b["elements"][0]["value"] == f"{stakeholder(running, SHERIFF).id}:1")
    press(running, LEAD, type(request)(request.method, {**request.params, "blocks": [sheriffs]},
                                       response=request.response), "approve_registration")
    wait_until(lambda: stakeholder(running, SHERIFF).status == "approved")
    approved(running, "U0DRIVER01")

    at_followup(running, meeting, 1, minutes=-2)          # not yet at 9:58
    assert slack.calls_to("chat.postMessage", channel=CHANNEL) == [] == dms(running, "U0DRIVER01")
    at_followup(running, meeting, 1)
    (nudge,) = slack.calls_to("chat.postMessage", channel=CHANNEL)
    shown = json.dumps(nudge.params["blocks"])
    assert "1-month follow-up" in nudge.params["text"] and "Progress so far" in shown
    assert "Law enforcement: 1" in shown and "People trained:* 0" in shown and "Check-in answers:* none yet" in shown
    three_months = followup_at(meeting, 3, "America/Chicago").strftime("%Y-%m-%d")
    assert f"Next follow-up:* {three_months}" in shown
    assert_shows_its_chart(slack, nudge)
    assert not any("check-in" in c.params["text"] for c in dms(running, MANAGER))   # not approved
    (sheriff_checkin,) = dms(running, SHERIFF)[-1:]
    (driver_checkin,) = dms(running, "U0DRIVER01")
    assert "law enforcement training" in sheriff_checkin.params["text"]
    assert "TAT training" in driver_checkin.params["text"]

    press(running, "U0DRIVER01", driver_checkin, "checkin_need")
    press(running, "U0DRIVER01", driver_checkin, "checkin_distribute")     # a second press changes the answer
    assert "distribute" in slack.calls_to("response_url")[-1].params["text"]

    running.clock.advance(days=5)                        # three working days later: one reminder, to the sheriff
    tick(running)
    assert "reminder" in dms(running, SHERIFF)[-1].params["text"]
    assert len(dms(running, "U0DRIVER01")) == 1
    listed = json.loads(running.command(ADMIN, "followups NE").body)["text"]
    assert "1-month follow-up" in listed and "sent" in listed and "answered 1 of 2" in listed
    assert "We distribute TAT/BOTL materials: 1" in listed

    at_followup(running, meeting, 3)
    assert "1-month follow-up (We distribute TAT/BOTL materials: 1)" in json.dumps(
        slack.calls_to("chat.postMessage", channel=CHANNEL)[-1].params["blocks"])    # the answers, in progress
    second = dms(running, SHERIFF)[-1]
    assert "3-month" in second.params["text"]
    press(running, SHERIFF, second, "checkin_not_now")   # the reminder waits a week
    running.clock.advance(days=5)
    tick(running)
    assert dms(running, SHERIFF)[-1] is second
    running.clock.advance(days=3)
    tick(running)
    assert "reminder" in dms(running, SHERIFF)[-1].params["text"]
    press(running, SHERIFF, dms(running, SHERIFF)[-1], "checkin_trained")    # opens /tat trained's form
    running.bot.later.wait_idle()
    assert slack.wait_for("views.open")[-1].params["view"]["callback_id"] == trainings.FORM

    at_followup(running, meeting, 6)
    assert ["1-month" in n.params["text"] for n in slack.calls_to("chat.postMessage", channel=CHANNEL)] == [
        True, False, False]
    assert len(slack.calls_to("chat.postMessage", channel=CHANNEL)) == 3
    assert "3-month follow-up (We log a training: 1)" in json.dumps(
        slack.calls_to("chat.postMessage", channel=CHANNEL)[-1].params["blocks"])
    listed = json.loads(running.command(ADMIN, "followups").body)["text"]
    assert listed.count("sent") == 3 and "answered 1 of 2 (We log a training: 1)" in listed
    tick(running)
    assert len(slack.calls_to("chat.postMessage", channel=CHANNEL)) == 3   # never twice


def assert_shows_its_chart(slack, post) -> None:
    """The post's chart is a PNG shared once, in the post's own thread (an image block may show only a
    file shared where it is posted), and no upload was left behind unshared."""
    assert all(b["type"] != "image" for b in post.params["blocks"])
    (chart,) = [f for f in slack.uploaded(CHANNEL) if f["thread_ts"] == post.response["ts"]]
    assert chart["content"].startswith(b"\x89PNG") and "progress" in chart["title"]
    assert slack.orphans() == []


def checklist_of(nudge) -> list[str]:
    section = next(b["text"]["text"] for b in nudge.params["blocks"] if b.get("text", {}).get("text", "")
                   .startswith("*Checklist*"))
    return section.splitlines()[1:]


def test_the_follow_up_checklist_ticks_what_the_coalitions_figures_show(running):
    meeting = today()
    setup_coalition(running, meeting)
    approve(running, SHERIFF, SHERIFF_FORM)
    approve(running, MANAGER, TRUCK_STOP)       # introduced to the sheriff of its county
    wait_until(lambda: count_rows_of(running, "introductions") == 1)
    assert "Logged" in running.command(MANAGER, "trained 25").body
    assert "point of distribution" in running.command(MANAGER, "distribute").body
    at_followup(running, meeting, 1)
    (nudge,) = running.slack.calls_to("chat.postMessage", channel=CHANNEL)
    assert checklist_of(nudge) == [
        "☑ Every stakeholder registered (`/tat register`) and approved",
        "☑ Truck stops and terminals have met their local law enforcement contact",
        "☑ Drivers and staff started TAT training, or BOTL for bus staff",
        "☑ TAT/BOTL materials at truck stops, terminals, weigh stations and rest areas"]


def count_rows_of(running, table: str) -> int:
    with running.bot.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Base.metadata.tables[table]))


def test_a_chart_whose_sharing_fails_is_deleted_and_shared_once_later_and_the_post_is_not_repeated(running):
    meeting = today()
    setup_coalition(running, meeting)
    running.slack.fail("files.completeUploadExternal", status=503)
    at_followup(running, meeting, 1)
    (nudge,) = running.slack.calls_to("chat.postMessage", channel=CHANNEL)   # the words do not wait for it
    # the chart is drawn by the worker process and owed after the post: its failed share comes moments later
    wait_until(lambda: len(running.slack.calls_to("files.delete")) >= 1)
    assert running.slack.uploaded(CHANNEL) == [] and running.slack.orphans() == []   # the unshared file: deleted
    assert len(running.slack.calls_to("files.delete")) == 1
    running.clock.advance(minutes=10)     # past the back-off
    tick(running)
    assert_shows_its_chart(running.slack, nudge)
    assert len(running.slack.history[CHANNEL]) == 1 and len(running.slack.calls_to("chat.postMessage",
                                                                                   channel=CHANNEL)) == 1
    tick(running)
    assert len(running.slack.uploaded(CHANNEL)) == 1


def test_a_chart_slack_shared_though_its_answer_was_lost_is_not_shared_again(running):
    meeting = today()
    setup_coalition(running, meeting)
    running.slack.fail("files.completeUploadExternal", status=503, posted=True)   # shared; the answer lost
    at_followup(running, meeting, 1)
    (nudge,) = running.slack.calls_to("chat.postMessage", channel=CHANNEL)
    assert_shows_its_chart(running.slack, nudge)     # found in the thread: not deleted, not uploaded again
    assert running.slack.calls_to("files.delete") == [] and len(running.slack.calls_to(
        "files.getUploadURLExternal")) == 1
    running.clock.advance(minutes=10)
    tick(running)
    assert len(running.slack.uploaded(CHANNEL)) == 1


def test_a_post_whose_answer_was_lost_is_found_and_its_chart_still_follows_into_its_thread(running):
    setup_coalition(running, meeting_with_followup_due_lately(datetime.now(UTC)))   # due now, by Slack's clock too
    running.slack.fail("chat.postMessage", status=503, posted=True, channel=CHANNEL)   # posted; the answer lost
    tick(running)
    assert running.slack.uploaded(CHANNEL) == []       # not known to be sent yet: nothing follows it
    running.clock.advance(minutes=10)
    tick(running)
    (post,) = running.slack.history[CHANNEL]            # found in the channel's history, not posted again
    (chart,) = running.slack.uploaded(CHANNEL)
    assert chart["thread_ts"] == post["ts"] and running.slack.orphans() == []


def test_a_chart_whose_upload_fails_is_tried_again_and_shared_once(running):
    meeting = today()
    setup_coalition(running, meeting)
    running.slack.fail("files.getUploadURLExternal", status=503)
    at_followup(running, meeting, 1, minutes=1)
    (nudge,) = running.slack.calls_to("chat.postMessage", channel=CHANNEL)
    assert running.slack.uploaded(CHANNEL) == []
    running.clock.advance(minutes=10)     # past the back-off
    tick(running)
    assert_shows_its_chart(running.slack, nudge)
    assert len(running.slack.history[CHANNEL]) == 1


def test_editing_a_coalition_replans_what_is_not_sent_and_never_resends(running):
    meeting = today()
    setup_coalition(running, meeting)
    at_followup(running, meeting, 1)
    assert len(running.slack.calls_to("chat.postMessage", channel=CHANNEL)) == 1
    setup_coalition(running, meeting, offsets="1, 2")     # the 1-month post went out; 2 months is new
    at_followup(running, meeting, 2)
    posts = running.slack.calls_to("chat.postMessage", channel=CHANNEL)
    assert len(posts) == 2 and "2-month" in posts[-1].params["text"]
    at_followup(running, meeting, 3)
    assert len(running.slack.calls_to("chat.postMessage", channel=CHANNEL)) == 2   # 3 months was dropped


def refused_for_want_of_the_channel(running) -> None:
    """The 1-month post falls due while the bot is not in the coalition channel; the leads are told."""
    meeting = today()
    setup_coalition(running, meeting)
    running.slack.fail("chat.postMessage", error="not_in_channel", channel=CHANNEL)
    at_followup(running, meeting, 1)
    tick(running)
    (alert,) = dms(running, LEAD)
    assert "/invite" in alert.params["text"] and f"<#{CHANNEL}>" in alert.params["text"]


def test_when_the_bot_is_not_in_the_channel_the_leads_are_told_and_an_admin_retry_sends_it(running):
    refused_for_want_of_the_channel(running)

    listed = json.loads(running.command(ADMIN, "outbox").body)
    retry = next(e for b in listed["blocks"] if b["type"] == "actions" for e in b["elements"])
    message = {"ts": "1700000000.000002", "blocks": listed["blocks"], "text": listed["text"]}
    running.send(payloads.block_action(ADMIN, retry, message, "C0GENERAL1", running.slack.response_url(ADMIN),
                                       ephemeral=True))
    running.bot.later.wait_idle()
    tick(running)
    assert [c.response["ok"] for c in running.slack.calls_to("chat.postMessage", channel=CHANNEL)] == [False, True]
    assert len(dms(running, LEAD)) == 1


def test_a_post_refused_because_the_bot_was_not_in_the_channel_goes_out_when_it_is_invited(running):
    refused_for_want_of_the_channel(running)
    assert check_token(running.bot.app.client, running.bot.identity)   # as `serve` does after start-up

    joined = {"type": "member_joined_channel", "user": "U0SOMEONE1", "channel": CHANNEL, "channel_type": "C"}
    assert running.send(payloads.event_callback(joined), json_body=True).status == 200
    tick(running)
    assert [c.response["ok"] for c in running.slack.calls_to("chat.postMessage", channel=CHANNEL)] == [False]

    invited = {**joined, "user": BOT_USER, "inviter": ADMIN}     # the bot itself joined: a lead invited it
    assert running.send(payloads.event_callback(invited), json_body=True).status == 200
    tick(running)
    assert [c.response["ok"] for c in running.slack.calls_to("chat.postMessage", channel=CHANNEL)] == [False, True]
    assert len(dms(running, LEAD)) == 1
    assert running.send(payloads.event_callback(invited), json_body=True).status == 200    # a retry of the event
    tick(running)
    assert len(running.slack.history[CHANNEL]) == 1


def late_bot(running, days_late: float):
    clock = Clock()
    clock.ahead = running.clock.ahead + timedelta(days=days_late)
    return tat_bot.build(settings_for(running.database_url, running.slack), clock=clock)


def test_a_bot_started_after_a_follow_up_fell_due_sends_it_if_less_than_a_week_late(running):
    meeting = today()
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    late = followup_at(meeting, 1, "America/Chicago") - running.clock()
    restarted = late_bot(running, late.total_seconds() / 86400 + 3)
    try:
        tat_bot.dispatch_once(restarted)
        started = restarted.services.clock()
    finally:
        restarted.close()
    assert len(running.slack.calls_to("chat.postMessage", channel=CHANNEL)) == 1
    assert dms(running, "U0DRIVER01") == []   # a late check-in waits for a working morning where they are
    morning = next_morning(started, "America/Chicago")
    assert morning.astimezone(CHICAGO).hour == 10 and morning.astimezone(CHICAGO).weekday() < 5
    next_day = late_bot(running, (morning - running.clock()).total_seconds() / 86400 + 1 / 1440)
    try:
        tat_bot.dispatch_once(next_day)
    finally:
        next_day.close()
    assert len(dms(running, "U0DRIVER01")) == 1


def test_a_follow_up_more_than_a_week_late_is_missed_shown_so_and_the_leads_told(running):
    meeting = today()
    setup_coalition(running, meeting)
    late = followup_at(meeting, 1, "America/Chicago") - running.clock()
    restarted = late_bot(running, late.total_seconds() / 86400 + 9)
    try:
        tat_bot.dispatch_once(restarted)
        tat_bot.dispatch_once(restarted)
    finally:
        restarted.close()
    assert running.slack.calls_to("chat.postMessage", channel=CHANNEL) == []
    (alert,) = dms(running, LEAD)
    assert "was missed" in alert.params["text"]
    running.clock.ahead += timedelta(days=late.total_seconds() / 86400 + 9)
    listed = json.loads(running.command(ADMIN, "followups NE").body)["text"]
    assert "1-month follow-up" in listed and "missed" in listed


def test_two_senders_at_once_send_each_check_in_once(running):
    meeting = today()
    setup_coalition(running, meeting)
    users = [f"U0MANY{i:04d}" for i in range(60)]
    for user in users:
        approved(running, user)
    late = followup_at(meeting, 1, "America/Chicago") - running.clock()
    bots = [late_bot(running, late.total_seconds() / 86400 + 0.01) for _ in range(2)]
    try:
        threads = [threading.Thread(target=tat_bot.dispatch_once, args=(b,)) for b in bots]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for b in bots:
            b.close()
    assert sorted(c.params["channel"] for c in running.slack.calls_to("chat.postMessage")
                  if c.params["channel"].startswith("U0MANY")) == users
    assert len(running.slack.calls_to("chat.postMessage", channel=CHANNEL)) == 1


def meeting_with_followup_due_lately(at: datetime) -> date:
    """A build meeting whose 1-month follow-up fell due in real time within the last 6 days (and
    at least a minute ago): the latest such, searching back a day at a time from today."""
    meeting = today()
    while (due := followup_at(meeting, 1, "America/Chicago")) > at - timedelta(minutes=1):
        meeting -= timedelta(days=1)
    assert due > at - timedelta(days=6), f"no 1-month follow-up fell due in the 6 days before {at}"
    return meeting


def coalition_with_approved(database_url: str, meeting: date, users: list[str]) -> None:
    """A Nebraska coalition saved as the setup form saves it, and its approved stakeholders."""
    engine = engine_for(database_url)
    migrate(engine)
    with session_factory(engine).begin() as session:
        setup = coalitions.Setup("NE", meeting, CHANNEL, "America/Chicago", (LEAD,), "Nebraska AG", (1, 3, 6))
        coalitions.save(session, payloads.TEAM["id"], setup, ADMIN, datetime.now(UTC))
        session.add_all(Stakeholder(team_id=TEAM_ID, slack_user_id=user, name="Pat Driver", sector="trucking_company",
                                    organization="Plains Freight", phone="402-555-0199", email="pat@plains.example",
                                    state="NE", status="approved") for user in users)
    with session_factory(engine).begin() as session:   # the clock's job ran when it fell due: the check-ins are
        due = followup_at(meeting, 1, "America/Chicago")   # owed from then (a fan-out days late would owe them
        coalitions.fan_out_checkins(session, due + timedelta(minutes=1))   # for the next working morning)
    engine.dispose()


def test_two_processes_dispatching_a_follow_up_that_fell_due_send_the_nudge_and_each_check_in_once(
        project_root, tmp_path, slack, empty_database):
    users = [f"U0PROC{i:04d}" for i in range(60)]
    coalition_with_approved(empty_database, meeting_with_followup_due_lately(datetime.now(UTC)), users)
    held = slack.hold("chat.postMessage", channel=CHANNEL)   # whoever claims the nudge's batch waits there
    env = bot_env(slack, empty_database)
    processes = [bot_process(project_root, tmp_path, env, "dispatch") for _ in range(2)]
    try:
        assert held.arrived.wait(60), "neither process sent the nudge"
        deadline = time.monotonic() + 8                     # the held sender gives Slack 10 s to answer
        while all(p.poll() is None for p in processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        overlapped = any(p.poll() is not None for p in processes)   # one ran its pass amid the other's batch
    finally:
        held.release()
    outputs = [p.communicate(timeout=60)[0] for p in processes]

    assert [p.returncode for p in processes] == [0, 0], outputs
    assert overlapped, outputs
    (nudge,) = slack.calls_to("chat.postMessage", channel=CHANNEL)
    assert "1-month follow-up" in nudge.params["text"]
    assert sorted(c.params["channel"] for c in slack.calls_to("chat.postMessage") if c.params["channel"] != CHANNEL) \
        == users
    assert len(delivered_keys(slack)) == len(set(delivered_keys(slack))) == len(users) + 1
    (chart,) = slack.uploaded(CHANNEL)        # the nudge's chart, into its thread, once
    assert chart["thread_ts"] == nudge.response["ts"] and slack.orphans() == []
    sent = [int(o.split("sent ")[1].split()[0]) for o in outputs]
    assert sum(sent) == len(users) + 2 and min(sent) > 0, sent     # both sent a share
    assert count_rows(empty_database, "outbox", "key LIKE 'checkin:%'") == len(users)      # fanned out once
    assert count_rows(empty_database, "outbox", "sent_at IS NOT NULL") == len(users) + 2
    assert count_rows(empty_database, "outbox", "claimed_until IS NOT NULL") == 0


def test_only_admins_set_up_coalitions_and_a_new_lead_is_asked_about_waiting_registrations(running):
    assert "`/tat setup` is for coalition admins" in running.command(MANAGER, "setup").body
    assert "`/tat followups` is for coalition admins" in running.command(MANAGER, "followups").body
    view = followup_blocks.setup_form([(s.abbr, s.name) for s in places.all_states()], {})   # as if they had it
    refused = running.send(payloads.view_submission(MANAGER, view, {}))
    assert "Only coalition admins" in refused.body
    assert "No coalition is set up" in running.command(ADMIN, "followups").body

    submit(running, MANAGER, TRUCK_STOP)                  # waiting before the coalition had leads
    approved(running, LEAD)                               # a lead approves while an approved member
    setup_coalition(running, today(), lead_agencies="<!channel> Nebraska AG")
    (request,) = running.slack.wait_for("chat.postMessage", channel=LEAD)
    assert "1 registration waiting for your approval in Nebraska: Sam Stone" in request.params["text"]
    listed = running.command(ADMIN, "followups NE").body
    assert "&lt;!channel&gt; Nebraska AG" in listed and "<!channel>" not in listed
    assert "I don't know the state `Narnia`" in running.command(ADMIN, "followups Narnia").body


def test_choosing_a_state_in_the_setup_form_offers_its_time_zones_capital_first(running):
    assert running.command(ADMIN, "setup").body == ""
    view = running.slack.wait_for("views.open")[0].response["view"]
    running.bot.later.wait_idle()   # the bot notes the form it opened for the admin (a refit acts only on such)
    assert len(next(b for b in view["blocks"] if b["block_id"] == "time_zone")["element"]["options"]) > 2
    running.send(payloads.view_action(ADMIN, view, {"state": "TN", "meeting_date": "2026-03-02"}, "state"))
    (update,) = running.slack.wait_for("views.update")
    blocks = {b["block_id"]: b for b in update.params["view"]["blocks"] if b.get("block_id")}
    assert [o["value"] for o in blocks["time_zone"]["element"]["options"]] == ["America/Chicago", "America/New_York"]
    assert blocks["meeting_date"]["element"]["initial_date"] == "2026-03-02"
    assert blocks["state"]["element"]["initial_option"]["value"] == "TN"


def test_someone_approved_after_a_follow_up_fell_due_is_still_asked_that_week(running):
    meeting = today()
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    at_followup(running, meeting, 1)
    approved(running, "U0LATECOME")
    running.clock.advance(days=2)
    tick(running)
    assert dms(running, "U0LATECOME") == []   # not whenever the clock's job noticed: the next working morning
    morning = next_morning(running.clock(), "America/Chicago")
    running.clock.advance(seconds=(morning - running.clock()).total_seconds() - 60)
    tick(running)
    assert dms(running, "U0LATECOME") == []
    running.clock.advance(minutes=2)
    tick(running)
    (late,) = dms(running, "U0LATECOME")
    assert "1-month follow-up check-in" in late.params["text"]
    local = running.clock().astimezone(CHICAGO)
    assert local.weekday() < 5 and (local.hour, local.minute) == (10, 1)
    assert [m.params["text"].startswith("Your") for m in dms(running, "U0DRIVER01")][:1] == [True]
    assert sum(m.params["text"].startswith("Your") for m in dms(running, "U0DRIVER01")) == 1   # asked once


def test_log_a_training_opens_the_trained_commands_form_when_there_is_one(running, monkeypatch):
    import handlers
    from handlers.commands import Command, OpenModal

    form = {"type": "modal", "callback_id": "trained", "title": {"type": "plain_text", "text": "Log a training"},
            "blocks": []}
    trained = Command("trained", "trained", "log a training", lambda call, session: OpenModal(form))
    monkeypatch.setattr(handlers, "COMMANDS", [*handlers.COMMANDS, trained])   # as `/tat trained` will add
    meeting = today()
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    at_followup(running, meeting, 1)
    press(running, "U0DRIVER01", dms(running, "U0DRIVER01")[0], "checkin_trained")
    (opened,) = running.slack.wait_for("views.open", count=2)[1:]
    assert opened.params["view"]["callback_id"] == "trained"
    listed = json.loads(running.command(ADMIN, "followups NE").body)["text"]
    assert "answered 1 of 1 (We log a training: 1)" in listed


def test_a_coalitions_channel_celebrates_trainings_and_progress_names_the_next_follow_up(running):
    from tests.test_trainings import approve as approved_by_admin

    meeting = today()
    assert setup_coalition(running, meeting).status == 200
    approved_by_admin(running, MANAGER, TRUCK_STOP)
    running.command(MANAGER, "trained 12")

    running.clock.advance(minutes=11)                       # Undo has run out: the channel celebrates
    running.bot.sender.wake()
    wait_until(lambda: any("12" in c.params["text"] for c in running.slack.calls_to("chat.postMessage",
                                                                                  channel=CHANNEL)))
    (celebrated,) = [c for c in running.slack.calls_to("chat.postMessage", channel=CHANNEL)
                     if "12" in c.params["text"]]
    assert "Big Rig Plaza LLC" in celebrated.params["text"]

    progress = running.command(MANAGER, "progress").body
    first = followup_at(meeting, 1, "America/Chicago").astimezone(ZoneInfo("America/Chicago"))
    assert f"Next follow-up:* {first:%Y-%m-%d}" in progress
