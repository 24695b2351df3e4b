"""The HTTP endpoint as Slack and a load balancer see it: health, signatures, events."""
import json
import time

from localslack import payloads
from tests.conftest import PERSONAL, SECRET, count_rows


def register_body(user="U0MANAGER1"):
    return payloads.slash_command(user, "register", "http://127.0.0.1:9/respond")


def test_health_check_answers_once_the_database_does(running):
    assert running.get("/healthz").status == 200


def test_unknown_paths_are_not_found(running):
    assert running.get("/admin").status == 404


def test_a_forged_signature_is_refused_and_changes_nothing(running, empty_database):
    body = register_body()
    headers = payloads.signed_headers("not-the-secret", body)
    assert running.post(body, headers).status == 401
    assert running.slack.calls_to("views.open") == []


def test_a_request_older_than_five_minutes_is_refused(running):
    body = register_body()
    headers = payloads.signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    assert running.post(body, headers).status == 401
    assert running.slack.calls_to("views.open") == []


def test_an_unsigned_request_is_refused(running):
    response = running.post(register_body(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 401
    assert running.slack.calls_to("views.open") == []


def test_a_forged_button_press_cannot_approve_anyone(running, empty_database):
    action = {"type": "button", "action_id": "approve_registration", "value": "1:1"}
    body = payloads.block_action("U0ADMIN001", action, {"ts": "1.2"}, "D1", "http://127.0.0.1:9/r")
    assert running.post(body, payloads.signed_headers("wrong", body)).status == 401
    assert running.slack.calls == []


def test_a_forged_form_submission_stores_nothing(running, empty_database):
    from handlers.registration_blocks import registration_form
    from tests.test_registration import TRUCK_STOP

    body = payloads.view_submission("U0MANAGER1", registration_form(None), TRUCK_STOP)
    assert running.post(body, payloads.signed_headers("forged", body)).status == 401
    assert count_rows(empty_database, "stakeholders") == 0
    assert running.slack.calls_to("chat.postMessage") == []


def test_a_tampered_body_fails_the_signature(running):
    body = register_body()
    headers = payloads.signed_headers(SECRET, body)
    assert running.post(body.replace("register", "help"), headers).status == 401


def test_slack_url_verification_is_answered(running):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    response = running.send(payloads.url_verification(challenge), json_body=True)
    assert response.status == 200 and challenge in response.body


def test_a_signed_command_with_an_unknown_word_gets_help_privately(running):
    response = running.command("U0MANAGER1", "frobnicate now")
    answer = json.loads(response.body)
    assert response.status == 200
    assert "I don't know `frobnicate`" in answer["text"] and "/tat register" in answer["text"]
    assert answer.get("response_type", "ephemeral") == "ephemeral"


def break_the_database(running):
    """Make every query fail, as a database outage would; `mend` puts it back."""
    from sqlalchemy import text

    with running.bot.engine.begin() as connection:
        connection.execute(text("ALTER TABLE stakeholders RENAME TO stakeholders_away"))

    def mend():
        with running.bot.engine.begin() as connection:
            connection.execute(text("ALTER TABLE stakeholders_away RENAME TO stakeholders"))
    return mend


def test_when_the_database_fails_a_command_gets_a_private_apology_not_an_error(running, caplog):
    mend = break_the_database(running)
    try:
        response = running.command("U0MANAGER1", "register")
    finally:
        mend()
    answer = json.loads(response.body)
    assert response.status == 200 and answer["response_type"] == "ephemeral"
    assert "something went wrong on our side" in answer["text"]
    assert any(r.exc_info for r in caplog.records if r.name == "tat")


def test_when_the_database_fails_a_submitted_form_keeps_its_answers(running):
    from tests.test_registration import TRUCK_STOP, open_form

    view = open_form(running, "U0MANAGER1")
    mend = break_the_database(running)
    try:
        response = running.send(payloads.view_submission("U0MANAGER1", view, TRUCK_STOP))
    finally:
        mend()
    answer = json.loads(response.body)
    assert response.status == 200 and answer["response_action"] == "errors"
    assert "something went wrong on our side" in answer["errors"]["name"]


def test_help_answers_even_while_the_database_is_down(running):
    mend = break_the_database(running)
    try:
        answer = json.loads(running.command("U0MANAGER1", "help").body)
    finally:
        mend()
    assert "/tat register" in answer["text"] and "call 911" in answer["text"]


def refuse_new_stakeholders(running):
    """Make every new registration fail inside its INSERT, as a violated constraint would; `mend` undoes it."""
    from sqlalchemy import text

    if running.bot.engine.dialect.name == "sqlite":
        refuse = ("CREATE TRIGGER refuse_stakeholders BEFORE INSERT ON stakeholders "
                  "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        allow = "DROP TRIGGER refuse_stakeholders"
    else:
        refuse = "ALTER TABLE stakeholders ADD CONSTRAINT refuse_stakeholders CHECK (false) NOT VALID"
        allow = "ALTER TABLE stakeholders DROP CONSTRAINT refuse_stakeholders"
    with running.bot.engine.begin() as connection:
        connection.execute(text(refuse))

    def mend():
        with running.bot.engine.begin() as connection:
            connection.execute(text(allow))
    return mend


def test_a_registration_that_fails_in_the_database_logs_no_name_phone_or_email(running, caplog):
    from tests.test_registration import MANAGER, TRUCK_STOP, open_form

    view = open_form(running, MANAGER)
    mend = refuse_new_stakeholders(running)
    try:
        response = running.send(payloads.view_submission(MANAGER, view, TRUCK_STOP))
    finally:
        mend()
    assert "something went wrong on our side" in json.loads(response.body)["errors"]["name"]
    assert any(r.exc_info for r in caplog.records if r.name == "tat")
    assert "Sam Stone" not in caplog.text and "Big Rig" not in caplog.text
    assert [kind for kind, pattern in PERSONAL.items() if pattern.search(caplog.text)] == []
