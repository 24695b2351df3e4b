"""/tat trained: its words read into a training, then logged end to end, with totals and Undo."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from domain import trainings
from domain.profile import parse_profile
from domain.registration import register
from domain.trainings import Training, Usage, parse_training
from handlers.blocks import possessive
from localslack import payloads
from storage import progress
from storage.models import Training as TrainingRow
from tests.conftest import ADMIN, count_rows
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP

TODAY = date(2026, 11, 28)
TEAM = payloads.TEAM["id"]
CARRIER = "U0CARRIER1"
CARRIER_FORM = {"name": "Chris Carrier", "sector": "trucking_company", "organization": "Prairie Freight",
                "title": "Safety Director", "phone": "402-555-0199", "email": "chris@prairie.example",
                "state": "NE", "place": "Lancaster County"}


@pytest.mark.parametrize("typed, sector, expected", [
    ("25", "trucking_company", Training(25, "drivers", "TAT", TODAY)),
    ("25", "pupil_transportation", Training(25, "drivers", "BOTL", TODAY)),
    ("25", "bus_company", Training(25, "drivers", "BOTL", TODAY)),
    ("25", "truck_stop", Training(25, "employees", "TAT", TODAY)),
    ("25", "bus_terminal", Training(25, "employees", "TAT", TODAY)),
    ("25", "law_enforcement", Training(25, "officers", "LE", TODAY)),
    ("BOTL yesterday 12 STAFF", "truck_stop", Training(12, "staff", "BOTL", date(2026, 11, 27))),
    ("2026-01-05 cdl students 1,500", "trucking_company", Training(1500, "students", "CDL", date(2026, 1, 5))),
    ("1 officer le Today", "law_enforcement", Training(1, "officers", "LE", TODAY)),
    ("100000 other drivers", "other", Training(100000, "drivers", "other", TODAY)),
])
def test_the_words_of_trained_come_in_any_order_and_case_with_defaults_by_sector(typed, sector, expected):
    assert parse_training(typed, sector, TODAY) == expected


@pytest.mark.parametrize("count, audience, program, said", [
    (25, "employees", "TAT", "25 employees completed TAT training"),
    (25, "drivers", "TAT", "25 drivers completed TAT training"),
    (1, "drivers", "BOTL", "1 driver completed BOTL (Busing on the Lookout) training"),
    (1, "staff", "TAT", "1 staff member completed TAT training"),
    (3, "staff", "other", "3 staff completed other training"),
    (1, "officers", "LE", "1 officer completed law enforcement training"),
    (1500, "students", "CDL", "1,500 students completed CDL entry-level training"),
])
def test_the_audience_and_the_program_read_right_together(count, audience, program, said):
    assert trainings.completed(count, audience, program) == said


@pytest.mark.parametrize("name, whose", [
    ("Big Rig Plaza", "Big Rig Plaza's"), ("Loves Travel Stops", "Loves Travel Stops'"),
    ("Prairie Freight ", "Prairie Freight's"), ("ACME TRUCKS", "ACME TRUCKS'"), ("Bus Co", "Bus Co's"),
])
def test_possessives_of_names(name, whose):
    assert possessive(name) == whose


@pytest.mark.parametrize("typed, says", [
    ("drivers", "how many people"),
    ("0", "from 1 to 100,000"),
    ("100001", "from 1 to 100,000"),
    ("-5", "not a whole number"),
    ("2.5", "I don't know"),
    ("25 pilots", 'I don\'t know "pilots"'),
    ("25 drivers officers", "audience twice"),
    ("25 tat botl", "program twice"),
    ("25 30", "count twice"),
    ("25 2026-11-29", "in the future"),
    ("25 2026-02-30", "not a real date"),
    ("25 11/28/2026", "YYYY-MM-DD"),
    ("25 today yesterday", "date twice"),
    ("1,00", "not a whole number"),
])
def test_bad_words_say_what_was_wrong(typed, says):
    with pytest.raises(Usage, match=says):
        parse_training(typed, "trucking_company", TODAY)


def approve(running, user: str, form: dict) -> None:
    """A stakeholder registered and approved (registered by an admin is approved at once)."""
    with running.bot.services.sessions.begin() as session:
        register(session, user, parse_profile(form), frozenset({user}), form="test", team_id=payloads.TEAM["id"])


def ephemeral(response) -> dict:
    assert response.status == 200
    answer = json.loads(response.body) if response.body.startswith("{") else {"text": response.body}
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    return answer


def test_a_truck_stop_logs_a_training_and_sees_its_own_and_the_coalitions_totals(running):
    approve(running, MANAGER, TRUCK_STOP)
    approve(running, CARRIER, CARRIER_FORM)
    ephemeral(running.command(CARRIER, "trained 40"))

    answer = ephemeral(running.command(MANAGER, "trained 12 yesterday"))

    assert "Logged: 12 employees completed TAT training on" in answer["text"]
    assert "Big Rig Plaza LLC's total: *12* people trained; the NE coalition's total: *52*" in answer["text"]
    undo = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"])
    number, _, token = undo["value"].partition("/")       # the training's id, and its own token
    assert undo["action_id"] == "undo_training" and number.isdigit() and len(token) == 16
    with running.bot.services.sessions() as session:
        row = session.get(TrainingRow, int(number))
        assert (row.team_id, row.count, row.audience, row.program, row.token) == (TEAM, 12, "employees", "TAT",
                                                                                 token)


def test_someone_not_approved_is_told_to_register_and_nothing_is_logged(running, empty_database):
    answer = ephemeral(running.command(MANAGER, "trained 12"))
    assert "/tat register" in answer["text"]
    assert count_rows(empty_database, "trainings") == 0


def test_bad_words_get_the_right_form_privately_and_nothing_is_logged(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    answer = ephemeral(running.command(MANAGER, "trained 25 pilots"))
    assert 'I don\'t know "pilots"' in answer["text"] and "/tat trained &lt;count&gt; [audience]" in answer["text"]
    assert "Nothing was logged" in answer["text"]
    assert count_rows(empty_database, "trainings") == 0


def press_undo(running, user: str, answer: dict):
    undo = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"])
    message = {"ts": "1700000000.000002", "blocks": answer["blocks"], "text": answer["text"]}
    body = payloads.block_action(user, undo, message, "C0GENERAL1", running.slack.response_url(user), ephemeral=True)
    assert running.send(body).status == 200
    running.bot.later.wait_idle()
    return running.slack.wait_for("response_url")[-1]


def test_undo_within_ten_minutes_removes_the_training(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    answer = ephemeral(running.command(MANAGER, "trained 12"))
    running.clock.advance(minutes=9)

    said = press_undo(running, MANAGER, answer)

    assert said.params["replace_original"] is True and "Undone" in said.params["text"]
    assert count_rows(empty_database, "trainings") == 0


def test_undo_after_ten_minutes_is_refused_and_the_training_stays(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    answer = ephemeral(running.command(MANAGER, "trained 12"))
    running.clock.advance(minutes=11)

    said = press_undo(running, MANAGER, answer)

    assert said.params["replace_original"] is False and "too late to undo" in said.params["text"]
    assert count_rows(empty_database, "trainings") == 1


def test_only_the_person_who_logged_a_training_can_undo_it(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    answer = ephemeral(running.command(MANAGER, "trained 12"))

    said = press_undo(running, SHERIFF, answer)

    assert "Only the person who logged" in said.params["text"]
    assert count_rows(empty_database, "trainings") == 1


def test_pressing_undo_twice_undoes_once(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    answer = ephemeral(running.command(MANAGER, "trained 12"))
    ephemeral(running.command(MANAGER, "trained 5"))
    press_undo(running, MANAGER, answer)
    again = press_undo(running, MANAGER, answer)
    assert "no longer logged" in again.params["text"]
    assert count_rows(empty_database, "trainings") == 1


def test_trained_with_no_words_opens_a_form_and_the_form_logs_with_undo_by_dm(running, empty_database):
    approve(running, SHERIFF, SHERIFF_FORM)
    assert running.command(SHERIFF, "trained").body == ""
    (opened,) = running.slack.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "trained"
    audience = next(b for b in view["blocks"] if b["block_id"] == "audience")
    assert audience["element"]["initial_option"]["value"] == "officers"

    refused = running.send(payloads.view_submission(SHERIFF, view, {"count": "lots", "audience": "officers",
                                                                    "program": "LE", "on": "2026-01-05"}))
    assert "not a whole number" in json.loads(refused.body)["errors"]["count"]
    assert count_rows(empty_database, "trainings") == 0

    done = running.send(payloads.view_submission(SHERIFF, view, {"count": "30", "audience": "officers",
                                                                 "program": "LE", "on": "2026-01-05"}))
    assert done.status == 200 and done.body == ""
    note = running.slack.wait_for("chat.postMessage", count=2, channel=SHERIFF)[1]
    assert "Logged: 30 officers completed law enforcement training on 2026-01-05" in note.params["text"]
    assert any(b["type"] == "actions" for b in note.params["blocks"])


def test_a_celebration_waits_for_undo_to_run_out_and_names_only_organization_and_count(running):
    sessions = running.bot.services.sessions
    approve(running, MANAGER, TRUCK_STOP)
    with sessions.begin() as session:
        from storage import stakeholders

        who = stakeholders.by_slack_user(session, payloads.TEAM["id"], MANAGER)
        start = running.clock()
        row = progress.add_training(session, TEAM, who, 12, "employees", "TAT", TODAY, start)
        from domain import notices

        notices.queue(session, payloads.TEAM["id"], notices.TrainingCelebration(row.id, "C0COALITN1"),
                      not_before=start + trainings.UNDO_FOR)
    running.bot.sender.send_due()
    assert running.slack.calls_to("chat.postMessage", channel="C0COALITN1") == []
    running.clock.advance(minutes=11)
    running.bot.sender.send_due()
    (posted,) = running.slack.wait_for("chat.postMessage", channel="C0COALITN1")
    assert posted.params["text"] == ":tada: Big Rig Plaza LLC: 12 employees completed TAT training. Thank you!"


def test_an_organization_that_opted_out_is_not_celebrated(running):
    approve(running, MANAGER, TRUCK_STOP)
    assert "no longer celebrate" in ephemeral(running.command(MANAGER, "celebrate off"))["text"]
    with running.bot.services.sessions.begin() as session:
        from domain import notices
        from storage import stakeholders

        who = stakeholders.by_slack_user(session, payloads.TEAM["id"], MANAGER)
        row = progress.add_training(session, TEAM, who, 12, "employees", "TAT", TODAY, running.clock())
        notices.queue(session, payloads.TEAM["id"], notices.TrainingCelebration(row.id, "C0COALITN1"))
    running.bot.sender.send_due()
    assert running.slack.calls_to("chat.postMessage", channel="C0COALITN1") == []


def test_an_organization_whose_name_ends_in_s_has_its_total_said_right(running):
    approve(running, MANAGER, {**TRUCK_STOP, "organization": "Loves Travel Stops"})
    answer = ephemeral(running.command(MANAGER, "trained 1 drivers"))
    assert "Logged: 1 driver completed TAT training" in answer["text"]
    assert "Loves Travel Stops' total: *1* people trained" in answer["text"] and "Stops's" not in answer["text"]
    assert "celebrate Loves Travel Stops' trainings" in ephemeral(running.command(MANAGER, "celebrate on"))["text"]


def test_an_organization_named_in_another_alphabet_sees_its_total_on_every_database(running):
    approve(running, MANAGER, {**TRUCK_STOP, "organization": "Öl & Diesel Rast GmbH"})
    answer = ephemeral(running.command(MANAGER, "trained 12"))
    assert "Öl &amp; Diesel Rast GmbH's total: *12* people trained" in answer["text"]   # SQLite's lower() is ASCII only


def test_trainings_of_another_workspace_are_not_counted(running):
    approve(running, MANAGER, TRUCK_STOP)
    with running.bot.services.sessions.begin() as session:
        from storage import stakeholders

        who = stakeholders.by_slack_user(session, payloads.TEAM["id"], MANAGER)
        progress.add_training(session, "T0ELSEWHERE", who, 999, "employees", "TAT", TODAY, running.clock())
    answer = ephemeral(running.command(MANAGER, "trained 1"))
    assert "the NE coalition's total: *1*" in answer["text"]
    with running.bot.services.sessions() as session:
        assert session.scalar(select(TrainingRow.count).where(TrainingRow.team_id == "T0ELSEWHERE")) == 999


def test_admins_undo_window_is_ten_minutes():
    assert trainings.UNDO_FOR.total_seconds() == 600 and ADMIN


def test_a_training_logged_in_the_form_after_one_undone_gets_its_own_note_and_undo(running, empty_database):
    """SQLite gives an undone (deleted, last) training's id to the next one: the next one's note
    still arrives, and each Undo button undoes only its own training."""
    approve(running, SHERIFF, SHERIFF_FORM)
    notes = []
    for count in ("30", "12"):
        assert running.command(SHERIFF, "trained").body == ""
        view = running.slack.wait_for("views.open", count=len(notes) + 1)[-1].params["view"]
        form = {"count": count, "audience": "officers", "program": "LE", "on": "2026-01-05"}
        assert running.send(payloads.view_submission(SHERIFF, view, form)).status == 200
        note = running.slack.wait_for("chat.postMessage", count=len(notes) + 2, channel=SHERIFF)[-1]
        assert f"Logged: {count} officers completed" in note.params["text"]
        notes.append(note)
        if len(notes) == 1:
            assert "Undone" in press_undo_in_dm(running, SHERIFF, note).params["text"]
            assert count_rows(empty_database, "trainings") == 0

    assert "no longer logged" in press_undo_in_dm(running, SHERIFF, notes[0]).params["text"]   # the old button
    assert count_rows(empty_database, "trainings") == 1
    assert "Undone" in press_undo_in_dm(running, SHERIFF, notes[1]).params["text"]
    assert count_rows(empty_database, "trainings") == 0


def press_undo_in_dm(running, user: str, note):
    undo = next(e for b in note.params["blocks"] if b["type"] == "actions" for e in b["elements"])
    message = {"ts": note.response["ts"], "blocks": note.params["blocks"], "text": note.params["text"]}
    mark = len(running.slack.calls_to("response_url"))
    body = payloads.block_action(user, undo, message, note.response["channel"], running.slack.response_url(user))
    assert running.send(body).status == 200
    running.bot.later.wait_idle()
    return running.slack.wait_for("response_url", count=mark + 1)[-1]
