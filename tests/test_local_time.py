"""Local time wherever a person sees a day: the rules as tables (time zones, daylight saving, working
days), then end to end through Slack's signed requests with the one clock the tests move."""
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from domain import localtime
from domain.coalitions import leads_since
from domain.trainings import parse_date
from localslack import payloads
from storage.models import OutboxMessage, Report, Stakeholder, Training
from tests.conftest import ADMIN, SECRET
from tests.test_followups import CHANNEL, LEAD, approved, dms, press, setup_coalition, tick
from tests.test_language import message_event, notes
from tests.test_registration import MANAGER, TRUCK_STOP
from tests.test_trainings import approve, ephemeral

CHICAGO, LOS_ANGELES = ZoneInfo("America/Chicago"), ZoneInfo("America/Los_Angeles")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


# -- the rules, as tables --------------------------------------------------------------------------
@pytest.mark.parametrize("at, zone, day", [
    ("2026-03-10T03:30", "America/Los_Angeles", "2026-03-09"),   # 20:30 PDT: still Monday in California
    ("2026-03-10T03:30", "America/Chicago", "2026-03-09"),
    ("2026-03-10T03:30", "America/New_York", "2026-03-09"),      # 23:30 EDT
    ("2026-03-10T04:30", "America/New_York", "2026-03-10"),
    ("2026-03-10T03:30", "UTC", "2026-03-10"),
    ("2026-03-10T03:30", "Pacific/Honolulu", "2026-03-09"),
    ("2026-03-08T07:59", "America/Los_Angeles", "2026-03-07"),   # 23:59 PST, the night the clocks go forward
    ("2026-03-08T08:00", "America/Los_Angeles", "2026-03-08"),
    ("2026-11-01T06:30", "America/Chicago", "2026-11-01"),       # 01:30 CDT, the first of the two
    ("2026-11-02T05:59", "America/Chicago", "2026-11-01"),       # 23:59 CST
    ("2026-11-02T06:00", "America/Chicago", "2026-11-02"),
    ("2026-12-31T23:30", "Asia/Tokyo", "2027-01-01"),
])
def test_a_persons_today_is_their_own_zones_day(at, zone, day):
    assert localtime.day_in(utc(at), zone) == date.fromisoformat(day)


@pytest.mark.parametrize("at, zone, expected", [
    ("2026-03-06T09:59", "America/Chicago", "2026-03-06T10:00"),   # a Friday, before ten
    ("2026-03-06T10:00", "America/Chicago", "2026-03-06T10:00"),
    ("2026-03-06T10:01", "America/Chicago", "2026-03-09T10:00"),   # after ten on Friday: Monday (now CDT)
    ("2026-03-07T15:00", "America/Chicago", "2026-03-09T10:00"),   # Saturday
    ("2026-03-08T03:30", "America/Chicago", "2026-03-09T10:00"),   # Sunday, the hour skipped
    ("2026-10-30T23:00", "America/Denver", "2026-11-02T10:00"),    # over the weekend the clocks go back
    ("2026-12-24T11:00", "America/New_York", "2026-12-25T10:00"),  # Monday to Friday: not a holiday calendar
])
def test_the_next_working_morning_is_ten_oclock_where_the_coalition_is(at, zone, expected):
    landed = localtime.next_morning(local(at, zone), zone)
    assert landed == local(expected, zone) and landed.tzinfo == UTC


@pytest.mark.parametrize("at, days, zone, expected", [
    ("2026-03-04T10:00", 3, "America/Chicago", "2026-03-09T10:00"),   # Wednesday + 3 working days, over DST
    ("2026-03-06T17:43", 3, "America/Chicago", "2026-03-11T10:00"),   # a late fan-out still lands at ten
    ("2026-03-07T23:59", 1, "America/Chicago", "2026-03-09T10:00"),
    ("2026-10-29T08:00", 3, "America/Phoenix", "2026-11-03T10:00"),   # a state without daylight saving
])
def test_a_reminder_comes_at_ten_on_the_nth_working_day_after(at, days, zone, expected):
    assert localtime.working_days_later(local(at, zone), days, zone) == local(expected, zone)


@pytest.mark.parametrize("at, zone, expected", [
    ("2026-03-02T23:30", "America/Chicago", "2026-03-09T10:00"),   # Monday night: next Monday at ten (CDT by then)
    ("2026-03-07T09:00", "America/Chicago", "2026-03-16T10:00"),   # Saturday + 7 is a Saturday: the Monday after
    ("2026-10-27T16:00", "America/Los_Angeles", "2026-11-03T10:00"),   # PDT to PST
])
def test_not_now_snoozes_to_ten_on_the_working_day_a_week_later(at, zone, expected):
    assert localtime.days_later(local(at, zone), 7, zone) == local(expected, zone)


@pytest.mark.parametrize("due, at, expected", [
    ("2026-03-09T10:00", "2026-03-09T10:01", "2026-03-09T10:00"),   # the clock's job on time: at once
    ("2026-03-09T10:00", "2026-03-09T18:30", "2026-03-09T10:00"),   # later that day: still that day
    ("2026-03-09T10:00", "2026-03-10T23:30", "2026-03-11T10:00"),   # approved days later: a working morning
    ("2026-03-13T10:00", "2026-03-14T12:00", "2026-03-16T10:00"),   # on a Saturday: Monday
    ("2026-03-13T10:00", "2026-03-16T08:00", "2026-03-16T10:00"),
])
def test_a_late_check_in_lands_on_a_working_morning(due, at, expected):
    zone = "America/Chicago"
    assert localtime.landing(local(due, zone), local(at, zone), zone) == local(expected, zone)


@pytest.mark.parametrize("name, known", [
    ("America/Los_Angeles", True), ("UTC", True), ("Mars/Olympus", False), ("", False), (None, False),
    ("../../etc/passwd", False), ("America/" + "x" * 80, False),
])
def test_only_a_real_zone_name_is_a_zone(name, known):
    assert (localtime.zone(name) is not None) is known


def test_yesterday_read_in_a_persons_zone():
    at = utc("2026-03-10T03:30")
    assert parse_date("yesterday", localtime.day_in(at, "America/Los_Angeles")) == date(2026, 3, 8)
    assert parse_date("yesterday", localtime.day_in(at, "UTC")) == date(2026, 3, 9)


def test_each_lead_keeps_the_time_they_became_one():
    at = utc("2026-03-10T15:00")
    since = leads_since(["U0OLD", "U0KEPT"], {"U0KEPT": "2026-01-01T00:00:00+00:00"}, ("U0KEPT", "U0OLD", "U0NEW"), at)
    assert since == {"U0KEPT": "2026-01-01T00:00:00+00:00", "U0OLD": "0001-01-01T00:00:00+00:00",
                     "U0NEW": at.isoformat()}


# -- end to end ------------------------------------------------------------------------------------
def set_clock(running, at: datetime) -> None:
    running.clock.ahead = at - datetime.now(UTC)


def in_slack(running, user: str, zone: str | None) -> None:
    """Slack knows this person, in this time zone (users.info `tz`), and the bot has asked it."""
    running.slack.users[user] = {"id": user, "real_name": "Coalition Member", **({"tz": zone} if zone else {})}
    mark = len(running.slack.calls_to("users.info", user=user))
    running.command(user, "help")
    running.slack.wait_for("users.info", count=mark + 1, user=user)
    running.bot.later.wait_idle()


def test_today_and_yesterday_are_the_persons_own_day_after_4_pm_in_california(running):
    approve(running, MANAGER, TRUCK_STOP)     # a Nebraska truck stop's manager, travelling in California
    set_clock(running, utc("2026-03-10T03:30"))   # Monday 20:30 PDT, 22:30 CDT; Tuesday in UTC
    in_slack(running, MANAGER, "America/Los_Angeles")
    assert "on 2026-03-09" in ephemeral(running.command(MANAGER, "trained 12 today"))["text"]
    ephemeral(running.command(MANAGER, "reported 911 yesterday"))
    with running.bot.services.sessions() as session:
        assert session.scalars(select(Training.trained_on)).all() == [date(2026, 3, 9)]
        assert session.scalars(select(Report.reported_on)).all() == [date(2026, 3, 8)]
    answer = ephemeral(running.command(MANAGER, "trained 3 2026-03-10"))   # tomorrow, where they are
    assert "future" in answer["text"] and "Nothing was logged" in answer["text"]


def test_without_a_zone_from_slack_today_is_the_coalitions_day(running):
    approve(running, MANAGER, TRUCK_STOP)
    set_clock(running, utc("2026-03-10T03:30"))   # 22:30 in Nebraska
    in_slack(running, MANAGER, None)
    assert "on 2026-03-09" in ephemeral(running.command(MANAGER, "trained 12 today"))["text"]
    running.slack.users[MANAGER]["tz"] = "Asia/Tokyo"   # they moved; the bot asks again a day later
    running.clock.advance(days=1, minutes=1)
    running.command(MANAGER, "help")
    running.bot.later.wait_idle()
    with running.bot.services.sessions() as session:
        from storage import zones
        kept = zones.kept(session, payloads.TEAM["id"], MANAGER)
        assert kept is not None and kept.time_zone is None   # asked at most hourly by one process
    assert "on 2026-03-10" in ephemeral(running.command(MANAGER, "trained 1 today"))["text"]


def test_the_training_forms_date_is_the_persons_today(running):
    approve(running, MANAGER, TRUCK_STOP)
    set_clock(running, utc("2026-03-10T03:30"))
    in_slack(running, MANAGER, "America/Los_Angeles")
    assert running.command(MANAGER, "trained").body == ""
    (opened,) = running.slack.wait_for("views.open")
    date_block = next(b for b in opened.params["view"]["blocks"] if b.get("block_id") == "on")
    assert date_block["element"]["initial_date"] == "2026-03-09"


def post(running, event: dict) -> None:
    body = payloads.event_callback(event)
    assert running.post(body, payloads.signed_headers(SECRET, body, json_body=True)).status == 200
    running.bot.later.wait_idle()


def test_the_language_notes_once_a_day_is_the_authors_day(running):
    in_slack(running, MANAGER, "America/Los_Angeles")
    set_clock(running, utc("2026-03-10T06:00"))   # Monday 23:00 in California
    post(running, message_event(text="a lot lizard", ts="1773122400.000100"))
    set_clock(running, utc("2026-03-10T07:30"))   # 00:30 Tuesday there: a new day (in UTC, the same one)
    post(running, message_event(text="a lot lizard", ts="1773127800.000100"))
    set_clock(running, utc("2026-03-10T20:00"))   # Tuesday 13:00 there: noted already today
    post(running, message_event(text="lot lizards", ts="1773172800.000100"))
    assert len(notes(running)) == 2


def checkins_due(running, meeting: date) -> None:
    """The 1-month follow-up falls due and its check-ins go out."""
    due = localtime.morning_of(date(2026, 3, 9), "America/Chicago")
    set_clock(running, due - timedelta(days=40))
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    set_clock(running, due + timedelta(minutes=1))
    tick(running)


def outbox_rows(running, prefix: str) -> list[OutboxMessage]:
    with running.bot.services.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.key.startswith(prefix))
                                    .order_by(OutboxMessage.id)))


def test_every_not_now_is_a_reminder_owed_at_ten_on_a_working_day(running):
    meeting = date(2026, 2, 9)   # its 1-month follow-up: Monday 9 March 2026, 10:00 CDT (DST began on the 8th)
    checkins_due(running, meeting)
    with running.bot.services.sessions() as session:   # a row's default times are the bot's clock's too
        created = session.scalar(select(Stakeholder.created_at).where(Stakeholder.slack_user_id == "U0DRIVER01"))
    assert abs(created - (localtime.morning_of(date(2026, 3, 9), "America/Chicago") - timedelta(days=40))) \
        < timedelta(minutes=5)
    (checkin,) = dms(running, "U0DRIVER01")
    for presses in range(1, 4):
        asked = dms(running, "U0DRIVER01")[-1]
        press(running, "U0DRIVER01", asked, "checkin_not_now")
        (reply,) = running.slack.wait_for("response_url", count=presses)[presses - 1:]
        assert "I'll remind you on" in reply.params["text"]
        owed = [r for r in outbox_rows(running, "reminder:") if r.sent_at is None and r.cancelled_at is None]
        assert len(owed) == 1, f"press {presses}: the reminder promised is owed"
        when = owed[0].not_before.astimezone(CHICAGO)
        assert (when.hour, when.minute) == (10, 0) and when.weekday() < 5
        assert when.date() >= running.clock().astimezone(CHICAGO).date() + timedelta(days=7)
        assert when.strftime("%B") in reply.params["text"] or when.strftime("%b") in reply.params["text"]
        set_clock(running, owed[0].not_before + timedelta(minutes=1))
        tick(running)
        assert len(dms(running, "U0DRIVER01")) == presses + 1, f"press {presses}: the reminder came"
        assert dms(running, "U0DRIVER01")[-1].params["text"].startswith("A reminder")
    assert checkin.params["text"].startswith("Your")


def test_a_reminder_lands_at_ten_even_when_the_check_ins_went_out_late_in_the_day(running):
    meeting = date(2026, 2, 9)
    due = localtime.morning_of(date(2026, 3, 9), "America/Chicago")
    set_clock(running, due - timedelta(days=40))
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    set_clock(running, due + timedelta(hours=7, minutes=43))   # the bot was down until 17:43
    tick(running)
    (reminder,) = [r for r in outbox_rows(running, "reminder:") if r.sent_at is None]
    assert reminder.not_before == local("2026-03-12T10:00", "America/Chicago")   # 3 working days, at ten


def refuse_followup(running, months_due: datetime) -> None:
    running.slack.fail("chat.postMessage", error="not_in_channel", channel=CHANNEL)
    set_clock(running, months_due + timedelta(minutes=1))
    tick(running)


def test_a_lead_is_told_of_each_failure_once_and_a_new_lead_only_of_failures_since(running):
    meeting = date(2026, 2, 9)
    first = localtime.morning_of(date(2026, 3, 9), "America/Chicago")
    set_clock(running, first - timedelta(days=40))
    setup_coalition(running, meeting)
    refuse_followup(running, first)
    for _ in range(5):                       # the clock's job every minute
        running.clock.advance(minutes=1)
        tick(running)
    (alert,) = dms(running, LEAD)
    assert "/invite" in alert.params["text"]

    new_lead = "U0NEWLEAD1"
    mark = len(running.slack.calls_to("views.open"))
    running.command(ADMIN, "setup NE")
    view = running.slack.wait_for("views.open", count=mark + 1)[-1].params["view"]
    filled = {"state": "NE", "meeting_date": meeting.isoformat(), "channel": CHANNEL, "leads": [LEAD, new_lead],
              "lead_agencies": "Nebraska AG", "offsets": "1, 3, 6"}
    assert json.loads(running.send(payloads.view_submission(ADMIN, view, filled)).body or "{}").get(
        "response_action") == "update"
    for _ in range(3):
        running.clock.advance(minutes=1)
        tick(running)
    assert dms(running, new_lead) == [] and len(dms(running, LEAD)) == 1   # an old failure: told already, or before

    third = localtime.morning_of(date(2026, 5, 11), "America/Chicago")   # the 3-month post (9 May: a Saturday)
    refuse_followup(running, third)
    running.clock.advance(minutes=1)
    tick(running)
    assert len(dms(running, new_lead)) == 1 and len(dms(running, LEAD)) == 2
