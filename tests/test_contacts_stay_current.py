"""Contacts stay current, end to end on a clock the tests move: a member deactivated in Slack leaves
the directory at once and the state's leads are told; each law enforcement and victim-service
contact is asked once a year whether their details hold, and one who does not answer within 30 days
is shown as unconfirmed and listed for the leads."""
import json
from datetime import date
from zoneinfo import ZoneInfo

from localslack import payloads
from tests.conftest import ADMIN, count_rows
from tests.test_contact import ADVOCATE, ADVOCATE_FORM, registered, reply_of, shown
from tests.test_followups import LEAD, at_followup, dms, nothing_due, press, setup_coalition, tick, today
from tests.test_introductions import introductions
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, stakeholder, submit, wait_until

CHICAGO = ZoneInfo("America/Chicago")


def deactivated_in_slack(running, user: str, deleted: bool = True):
    """Slack's `user_change` event, as it comes when an admin deactivates (or reactivates) someone."""
    person = {"id": user, "team_id": payloads.TEAM["id"], "name": user.lower(), "deleted": deleted,
              "real_name": "Dana Deputy", "profile": {"real_name": "Dana Deputy", "status_text": ""},
              "is_bot": False, "updated": 1700000000}
    event = {"type": "user_change", "user": person, "cache_ts": 1700000000, "event_ts": "1700000000.000100"}
    response = running.send(payloads.event_callback(event), json_body=True)
    assert response.status == 200
    return response


def lead_notes(running, words: str) -> list:
    return [c for c in dms(running, LEAD) if words in c.params["text"]]


def questions(running, user: str) -> list:
    return [c for c in dms(running, user) if "Do yours still hold?" in c.params["text"]]


def in_words(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def approved_on(running, user: str) -> date:
    return stakeholder(running, user).decided_at.astimezone(CHICAGO).date()


def settled(running) -> None:
    """The sender has sent all that is due (the follow-ups wait for their day)."""
    wait_until(lambda: nothing_due(running.bot))


def a_coalition_with_its_sheriff(running) -> None:
    setup_coalition(running, today())
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    settled(running)


def test_a_sheriff_deactivated_in_slack_leaves_the_directory_at_once_and_the_leads_are_told(running):
    a_coalition_with_its_sheriff(running)
    assert "Dana Deputy" in shown(reply_of(running, MANAGER, "contact Douglas County, NE"))

    deactivated_in_slack(running, SHERIFF)
    assert stakeholder(running, SHERIFF).status == "deactivated"
    assert "Dana Deputy" not in shown(reply_of(running, MANAGER, "contact Douglas County, NE"))
    wait_until(lambda: lead_notes(running, "deactivated in Slack"))
    (note,) = lead_notes(running, "deactivated in Slack")
    assert "Dana Deputy" in note.params["text"] and "Douglas County Sheriff" in note.params["text"]
    assert "444-6000" not in json.dumps(note.params)   # who left, not how to reach them

    deactivated_in_slack(running, SHERIFF)   # Slack sends the event again: nothing more happens
    settled(running)
    assert len(lead_notes(running, "deactivated in Slack")) == 1

    at_followup(running, today(), 1)        # not checked in
    assert [c for c in dms(running, SHERIFF) if "check-in" in c.params["text"]] == []
    assert [c for c in dms(running, MANAGER) if "check-in" in c.params["text"]]


def test_a_deactivated_sheriff_is_not_introduced_to_a_new_truck_stop(running):
    setup_coalition(running, today())
    registered(running, (SHERIFF, SHERIFF_FORM))
    deactivated_in_slack(running, SHERIFF)
    registered(running, (MANAGER, TRUCK_STOP))
    settled(running)
    assert introductions(running) == []


def test_someone_reactivated_in_slack_waits_for_an_approver_again(running):
    a_coalition_with_its_sheriff(running)
    deactivated_in_slack(running, SHERIFF)
    deactivated_in_slack(running, SHERIFF, deleted=False)
    assert stakeholder(running, SHERIFF).status == "pending"
    wait_until(lambda: (running.slack.showing(ADMIN) or [{}])[-1].get("text", "").startswith(
        "1 registration waiting for your approval in Nebraska: Dana Deputy"))
    assert "Changed registration" in json.dumps(running.slack.showing(ADMIN)[-1]["blocks"])
    assert "Dana Deputy" not in shown(reply_of(running, MANAGER, "contact Douglas County, NE"))


def test_a_status_change_of_someone_still_in_slack_changes_nothing(running):
    a_coalition_with_its_sheriff(running)
    before = count_rows(running.database_url, "outbox")
    deactivated_in_slack(running, SHERIFF, deleted=False)
    deactivated_in_slack(running, "U0NOTAMEMB", deleted=True)
    assert stakeholder(running, SHERIFF).status == "approved"
    assert count_rows(running.database_url, "outbox") == before


def test_a_check_in_to_someone_slack_says_is_deactivated_is_not_sent_and_they_leave(running):
    a_coalition_with_its_sheriff(running)
    running.slack.users[SHERIFF] = {"id": SHERIFF, "deleted": True, "real_name": "Dana Deputy"}
    running.slack.fail("users.info", status=503, user=MANAGER)   # no answer about the manager: sent anyway

    at_followup(running, today(), 1)
    assert [c for c in dms(running, SHERIFF) if "check-in" in c.params["text"]] == []
    assert [c for c in dms(running, MANAGER) if "check-in" in c.params["text"]]
    assert stakeholder(running, SHERIFF).status == "deactivated"
    assert running.slack.calls_to("users.info", user=SHERIFF)
    wait_until(lambda: lead_notes(running, "deactivated in Slack"))
    assert "Dana Deputy" not in shown(reply_of(running, MANAGER, "contact Douglas County, NE"))


def test_a_contact_is_asked_once_a_year_and_confirm_records_the_day(running):
    a_coalition_with_its_sheriff(running)
    running.clock.advance(days=300)
    tick(running)
    assert questions(running, SHERIFF) == []

    running.clock.advance(days=69)           # a year and a few days: at 10:00 on a working day
    tick(running)
    tick(running)
    (question,) = questions(running, SHERIFF)
    said = json.dumps(question.params["blocks"])
    assert "(402) 444-6000" in said and "dana@sheriff.example" in said and "Douglas" in said
    assert questions(running, MANAGER) == []                     # a truck stop is not a contact

    press(running, MANAGER, question, "confirm_contact_details")   # not theirs: nothing is recorded
    assert "nothing was changed" in running.slack.calls_to("response_url")[-1].params["text"]
    press(running, SHERIFF, question, "confirm_contact_details")
    thanks = running.slack.calls_to("response_url")[-1].params
    confirmed_on = running.clock().astimezone(CHICAGO).date()
    assert thanks["replace_original"] is True and in_words(confirmed_on) in thanks["text"]

    running.clock.advance(days=31)
    tick(running)
    assert "unconfirmed" not in shown(reply_of(running, MANAGER, "contact Douglas County, NE"))
    assert lead_notes(running, "did not confirm") == []

    running.clock.advance(days=338)          # a year after the confirmation
    tick(running)
    assert len(questions(running, SHERIFF)) == 2


def test_a_contact_who_does_not_answer_in_30_days_is_shown_unconfirmed_and_listed_for_the_leads(running):
    a_coalition_with_its_sheriff(running)
    registered(running, (ADVOCATE, ADVOCATE_FORM))
    since = in_words(approved_on(running, SHERIFF))
    running.clock.advance(days=369)
    tick(running)
    assert questions(running, SHERIFF) and questions(running, ADVOCATE)

    running.clock.advance(days=29)
    tick(running)
    assert "unconfirmed" not in shown(reply_of(running, MANAGER, "contact Douglas County, NE"))
    running.clock.advance(days=2)
    tick(running)
    text = shown(reply_of(running, MANAGER, "contact Douglas County, NE"))
    assert f"unconfirmed since {since}" in text and text.count("unconfirmed since") == 2   # sheriff, advocate

    (note,) = lead_notes(running, "did not confirm")
    assert "Dana Deputy" in note.params["text"] and "Avery Advocate" in note.params["text"]
    assert f"unconfirmed since {since}" in note.params["text"]
    pending = shown(reply_of(running, ADMIN, "pending"))
    assert "Dana Deputy" in pending and "unconfirmed since" in pending
    tick(running)
    assert len(lead_notes(running, "did not confirm")) == 1      # each question once

    press(running, SHERIFF, questions(running, SHERIFF)[0], "edit_contact_details")   # Edit: the form, as an edit
    form = running.slack.wait_for("views.open")[-1].params["view"]
    assert form["callback_id"] == "register" and form["title"]["text"] == "Edit your registration"
    submit(running, SHERIFF, {**SHERIFF_FORM, "phone": "402-444-7000"}, view=form)
    text = shown(reply_of(running, MANAGER, "contact Douglas County, NE"))
    assert "(402) 444-7000" in text and text.count("unconfirmed since") == 1   # the advocate's only
    assert "Dana Deputy" not in shown(reply_of(running, ADMIN, "pending"))


def test_a_question_no_longer_open_when_it_is_sent_is_not_sent(running):
    a_coalition_with_its_sheriff(running)
    running.bot.sender.stop()                 # nothing is sent while the contact confirms by saving the form
    running.clock.advance(days=369)
    from schedules.confirmations import due_confirmations

    assert due_confirmations(running.bot.services) == 1
    submit(running, SHERIFF, SHERIFF_FORM)
    running.bot.sender.send_due()
    assert questions(running, SHERIFF) == []
    assert count_rows(running.database_url, "outbox", "key LIKE 'confirm:%' AND cancelled_at IS NOT NULL") == 1


def test_nobody_is_asked_twice_when_two_clocks_tick_at_once(running):
    import threading

    from schedules.confirmations import due_confirmations

    a_coalition_with_its_sheriff(running)
    registered(running, (ADVOCATE, ADVOCATE_FORM))
    running.clock.advance(days=369)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(due_confirmations(running.bot.services)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(counts) == 2
    assert count_rows(running.database_url, "outbox", "key LIKE 'confirm:%'") == 2


def test_the_question_is_asked_at_ten_in_the_morning_on_a_working_day():
    from datetime import UTC, datetime

    from domain.confirmations import asking_time

    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=CHICAGO).astimezone(UTC)

    for due, asked in (("2027-03-03 09:00", "2027-03-03 10:00"), ("2027-03-03 10:30", "2027-03-04 10:00"),
                       ("2027-03-05 11:00", "2027-03-08 10:00"), ("2027-03-06 08:00", "2027-03-08 10:00"),
                       ("2027-03-13 23:00", "2027-03-15 10:00")):   # across the change to daylight saving
        assert asking_time(local(due), "America/Chicago") == local(asked), due
