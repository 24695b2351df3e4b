"""Idempotent under replay, and what admins type checked like anyone's: a command or a form Slack
(or anyone holding a signed copy) sends again is done once; check-ins only for stages asked;
/tat introduce once a day per pair; the forms' refits only on forms the bot opened for that person;
admin-entered states, ids and dates validated; concurrent first setups give one coalition."""
import json
import threading

from localslack import payloads
from tests.conftest import ADMIN, SECRET, count_rows
from tests.test_followups import CHANNEL, LEAD, approved, at_followup, dms, setup_coalition, today
from tests.test_progress import ADMIN_FORM
from tests.test_registration import MANAGER, TRUCK_STOP
from tests.test_trainings import approve, ephemeral

TWICE = "reached me twice"


def resend(running, body: str, retry: int | None = None):
    """The very same signed request again (Slack's retry adds X-Slack-Retry-Num)."""
    headers = payloads.signed_headers(SECRET, body)
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return running.post(body, headers)


def command_body(running, user: str, text: str) -> str:
    return payloads.slash_command(user, text, running.slack.response_url(user))


def test_a_replayed_trained_command_logs_once_and_says_so(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    body = command_body(running, MANAGER, "trained 12")
    assert "Logged: 12" in ephemeral(resend(running, body))["text"]
    for attempt in (None, 1, 2):
        assert TWICE in ephemeral(resend(running, body, retry=attempt))["text"]
    assert count_rows(empty_database, "trainings") == 1
    assert "Logged: 5" in ephemeral(running.command(MANAGER, "trained 5"))["text"]   # a new command is new
    assert count_rows(empty_database, "trainings") == 2


def opened(running, user: str, text: str) -> dict:
    """The form `/tat <text>` opens."""
    before = len(running.slack.calls_to("views.open"))
    assert running.command(user, text).body == ""
    return running.slack.wait_for("views.open", count=before + 1)[-1].params["view"]


def trained_form(running, user: str) -> dict:
    return opened(running, user, "trained")


def test_the_trained_form_submitted_three_times_is_one_training_one_note_one_celebration(running, empty_database):
    setup_coalition(running, today())
    approve(running, MANAGER, TRUCK_STOP)
    body = payloads.view_submission(MANAGER, trained_form(running, MANAGER),
                                    {"count": "30", "audience": "employees", "program": "TAT", "on": "2026-01-05"})
    for attempt in (None, 1, None):
        answer = resend(running, body, retry=attempt)
        assert answer.status == 200 and answer.body == ""
    assert count_rows(empty_database, "trainings") == 1
    running.clock.advance(minutes=11)   # past Undo: the celebration is due
    running.bot.sender.send_due()
    notes = [c for c in running.slack.calls_to("chat.postMessage", channel=MANAGER) if "Logged: 30" in c.params["text"]]
    assert len(notes) == 1
    celebrations = [c for c in running.slack.calls_to("chat.postMessage", channel=CHANNEL)
                    if ":tada:" in c.params["text"]]
    assert len(celebrations) == 1
    assert count_rows(empty_database, "outbox", "kind = 'training_celebration'") == 1


def test_a_training_date_before_2000_or_in_the_future_is_refused_in_the_form_and_the_command(running, empty_database):
    approve(running, MANAGER, TRUCK_STOP)
    view = trained_form(running, MANAGER)
    for day, says in (("0001-01-01", "too long ago"), ("1999-12-31", "too long ago"), ("2999-01-01", "in the future")):
        refused = running.send(payloads.view_submission(MANAGER, view, {"count": "3", "audience": "employees",
                                                                        "program": "TAT", "on": day}))
        assert says in json.loads(refused.body)["errors"]["on"]
        assert says in ephemeral(running.command(MANAGER, f"trained 3 {day}"))["text"]
    assert count_rows(empty_database, "trainings") == 0
    assert "Logged: 3" in ephemeral(running.command(MANAGER, "trained 3 2000-01-01"))["text"]


def milestone_form(running) -> dict:
    approve(running, ADMIN, ADMIN_FORM)
    return opened(running, ADMIN, "milestone")


def test_a_milestone_form_names_a_real_state_and_is_recorded_once(running, empty_database):
    view = milestone_form(running)
    answers = {"kind": "mve_executive_order", "on": "2026-06-01"}
    for forged in ("XXXX", "Z" * 5000, "ne", "", "N"):
        refused = running.send(payloads.view_submission(ADMIN, {**view, "private_metadata": forged}, answers))
        assert "open it again" in json.loads(refused.body)["errors"]["kind"], forged
    assert count_rows(empty_database, "milestones") == 0
    body = payloads.view_submission(ADMIN, view, answers)
    for _ in range(3):
        assert json.loads(resend(running, body).body)["response_action"] == "update"
    assert count_rows(empty_database, "milestones") == 1


def press_value(running, user: str, call, action_id: str, value: str):
    """Press a button of a message the bot sent `user`, carrying `value` in place of the button's own."""
    message = {**call.params, "ts": call.response["ts"]}
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id)
    running.send(payloads.block_action(user, {**button, "value": value}, message, call.response["channel"],
                                       running.slack.response_url(user)))
    running.bot.later.wait_idle()
    return running.slack.calls_to("response_url")[-1].params["text"]


def test_check_in_answers_only_for_the_stage_asked_of_that_person(running, empty_database):
    meeting = today()
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    at_followup(running, meeting, 1)
    approved(running, "U0DRIVER02")      # approved after the check-in went out: never asked
    (checkin,) = dms(running, "U0DRIVER01")
    reminders = count_rows(empty_database, "outbox", "kind = 'checkin_reminder'")
    coalition = next(e["value"] for b in checkin.params["blocks"] if b["type"] == "actions"
                     for e in b["elements"] if e["action_id"] == "checkin_need").split(":")[0]
    for user, value in (("U0DRIVER01", f"{coalition}:999"), ("U0DRIVER01", f"{coalition}:3"),
                        ("U0DRIVER01", f"{coalition}:-5"), ("U0DRIVER02", f"{coalition}:1")):
        for action in ("checkin_need", "checkin_not_now"):
            assert "not for you" in press_value(running, user, checkin, action, value), (user, value, action)
    assert count_rows(empty_database, "checkin_answers") == 0
    assert count_rows(empty_database, "outbox", "kind = 'checkin_reminder'") == reminders   # "Not now" queued none
    assert "need" in press_value(running, "U0DRIVER01", checkin, "checkin_need", f"{coalition}:1")
    assert count_rows(empty_database, "checkin_answers") == 1
    assert "remind you on" in press_value(running, "U0DRIVER01", checkin, "checkin_not_now", f"{coalition}:1")


def test_the_forms_refits_act_only_on_a_form_the_bot_opened_for_whoever_chose(running):
    running.command(MANAGER, "register")
    registration = running.slack.wait_for("views.open")[0].response["view"]
    running.command(ADMIN, "setup")
    setup = running.slack.wait_for("views.open", count=2)[1].response["view"]
    running.bot.later.wait_idle()
    never_opened = {**registration, "id": "V0NEVEROPEN"}
    for user, view, answers, block in (
            ("U0SOMEONE2", registration, {"sector": "law_enforcement"}, "sector"),   # someone else's form
            (MANAGER, never_opened, {"sector": "law_enforcement"}, "sector"),        # a form never opened
            (MANAGER, {**registration, "callback_id": "coalition_setup"}, {"sector": "law_enforcement"}, "sector"),
            (MANAGER, setup, {"state": "TN"}, "state"),                              # the admin's setup form
            (ADMIN, {**setup, "id": "V0NEVEROPEN"}, {"state": "TN"}, "state")):
        assert running.send(payloads.view_action(user, view, answers, block)).status == 200
    running.bot.later.wait_idle()
    assert running.slack.calls_to("views.update") == []
    running.send(payloads.view_action(MANAGER, registration, {"sector": "law_enforcement"}, "sector"))
    running.send(payloads.view_action(ADMIN, setup, {"state": "TN"}, "state"))
    running.slack.wait_for("views.update", count=2)
    assert {c.params["view_id"] for c in running.slack.calls_to("views.update")} == {registration["id"], setup["id"]}


SETUP_ANSWERS = {"meeting_date": "2026-03-02", "channel": CHANNEL, "leads": [LEAD], "offsets": "1, 3, 6"}


def test_setup_takes_only_real_ids_for_its_leads_and_channel(running, empty_database):
    view = opened(running, ADMIN, "setup KS")
    for field, forged in (("leads", ["<!channel>"]), ("leads", ["U" + "A" * 39]), ("leads", ["C0NOTAPERSON"]),
                          ("leads", [f"U0LEAD{n:04d}" for n in range(11)]), ("channel", "<!channel>"),
                          ("channel", "U0ADMIN001"), ("channel", "C" + "A" * 39)):
        answer = json.loads(running.send(payloads.view_submission(
            ADMIN, view, {**SETUP_ANSWERS, "state": "KS", field: forged})).body)
        assert answer["response_action"] == "errors" and list(answer["errors"]) == [field], (field, forged)
    assert count_rows(empty_database, "coalitions") == 0
    saved = json.loads(running.send(payloads.view_submission(ADMIN, view, {**SETUP_ANSWERS, "state": "KS"})).body)
    assert saved["response_action"] == "update" and count_rows(empty_database, "coalitions") == 1


def test_ten_first_setups_of_a_state_at_once_make_one_coalition_and_tell_the_others(running, empty_database):
    forms = [opened(running, ADMIN, "setup KS") for _ in range(10)]
    bodies = [payloads.view_submission(ADMIN, view, {**SETUP_ANSWERS, "state": "KS"}) for view in forms]
    answers: list = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def submit(index: int) -> None:
        start.wait()
        answers[index] = running.send(bodies[index])

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [a.status for a in answers] == [200] * 10
    said = [json.loads(a.body) for a in answers]
    assert [s["response_action"] for s in said].count("update") == 1
    told = [s["errors"]["state"] for s in said if s["response_action"] == "errors"]
    assert len(told) == 9 and all("saved from another form" in t and "/tat setup KS" in t for t in told)
    assert count_rows(empty_database, "coalitions") == 1


def test_an_edit_from_a_form_opened_before_another_edit_is_refused_not_lost(running, empty_database):
    first = opened(running, ADMIN, "setup KS")
    running.send(payloads.view_submission(ADMIN, first, {**SETUP_ANSWERS, "state": "KS"}))
    older, newer = opened(running, ADMIN, "setup KS"), opened(running, ADMIN, "setup KS")
    assert json.loads(running.send(payloads.view_submission(
        ADMIN, newer, {**SETUP_ANSWERS, "state": "KS", "offsets": "2"})).body)["response_action"] == "update"
    refused = json.loads(running.send(payloads.view_submission(
        ADMIN, older, {**SETUP_ANSWERS, "state": "KS", "offsets": "4"})).body)
    assert "saved from another form" in refused["errors"]["state"]
    assert "2 month(s)" in running.command(ADMIN, "followups KS").body or "2-month" in running.command(
        ADMIN, "followups KS").body
