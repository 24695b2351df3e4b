"""Victim-centred language: the terms noted (a table), and the note end to end through Slack's events."""
import json

import pytest

from domain.language import flagged_terms
from localslack import payloads
from tests.conftest import ADMIN, SECRET, count_rows
from tests.test_registration import MANAGER


@pytest.mark.parametrize("text, terms", [
    ("There was a prostitute at the fuel island", ["prostitute"]),
    ("Two PROSTITUTES in the lot", ["prostitute"]),
    ("a child prostitute was seen", ["child prostitute"]),
    ("an underage prostitute", ["child prostitute"]),
    ("watch for hookers and lot lizards", ["hooker", "lot lizard"]),
    ("Lot-lizard at row 3", ["lot lizard"]),
    ("report child pornography to police", ["child pornography"]),
    ("she was a sex slave", ["sex slave"]),
    ("hooker, hooker, hooker", ["hooker"]),
    ("prostitution is the legal term", []),
    ("a hookers' bar? shookers? prostitutes-ish", ["hooker"]),
    ("the Hookerton exit", []),
    ("the lot is full of lizards", []),
    ("", []),
])
def test_flagged_terms_are_whole_words(text, terms):
    assert [t.key for t in flagged_terms(text)] == terms


def message_event(user: str = MANAGER, text: str = "I saw a lot lizard at exit 440", channel: str = "C0COALITION",
                  **extra) -> dict:
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": "1700000000.000100",
            "channel_type": "channel" if channel.startswith("C") else "group", "team": "T0COALITION",
            "event_ts": "1700000000.000100", **extra}


def post_event(running, event: dict, body: str | None = None, retry: int | None = None):
    body = body or payloads.event_callback(event)
    headers = payloads.signed_headers(SECRET, body, json_body=True)
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    assert running.post(body, headers).status == 200
    running.bot.later.wait_idle()
    return body


def notes(running) -> list:
    return running.slack.calls_to("chat.postEphemeral")


def test_a_flagged_term_gets_its_author_a_private_note_with_the_words_and_why(running):
    post_event(running, message_event())
    (note,) = running.slack.wait_for("chat.postEphemeral")
    assert note.params["user"] == MANAGER and note.params["channel"] == "C0COALITION"
    said = json.dumps(note.params)
    assert "lot lizard" in said and "person being exploited" in said and "choice and blame" in said


def test_slacks_retries_of_one_event_give_one_note(running):
    body = post_event(running, message_event())
    for attempt in (1, 2, 3):
        post_event(running, {}, body=body, retry=attempt)
    assert len(notes(running)) == 1


def test_one_note_per_person_per_term_per_day(running):
    post_event(running, message_event(text="a lot lizard"))
    post_event(running, message_event(text="another lot lizard", ts="1700000000.000200"))
    post_event(running, message_event(text="and a hooker", ts="1700000000.000300"))
    post_event(running, message_event(user="U0SOMEONE2", text="lot lizards!", ts="1700000000.000400"))
    assert [n.params["user"] for n in notes(running)] == [MANAGER, MANAGER, "U0SOMEONE2"]
    running.clock.advance(days=1)
    post_event(running, message_event(text="lot lizard again"))
    assert len(notes(running)) == 4


def test_the_bot_ignores_bots_edits_and_direct_messages(running):
    post_event(running, message_event(bot_id="B0OTHERBOT"))
    post_event(running, message_event(subtype="bot_message"))
    post_event(running, {"type": "message", "subtype": "message_changed", "channel": "C0COALITION",
                         "channel_type": "channel", "message": {"user": MANAGER, "text": "lot lizard"},
                         "ts": "1700000000.000500"})
    post_event(running, message_event(channel="D0MANAGER1", channel_type="im"))
    post_event(running, message_event(text="prostitution is what the statute calls it"))
    assert notes(running) == [] and count_rows(running.database_url, "language_notes") == 0


def test_no_message_text_is_stored(running):
    post_event(running, message_event(text="the secret plate ABC123 and a lot lizard"))
    running.slack.wait_for("chat.postEphemeral")
    engine = running.bot.engine
    with engine.connect() as connection:
        from sqlalchemy import text
        rows = connection.execute(text("SELECT * FROM language_notes")).all()
    assert len(rows) == 1 and "ABC123" not in repr(rows) and "lot lizard" in repr(rows)


def test_an_admin_turns_the_note_off_and_on_in_one_channel(running):
    reply = running.command(ADMIN, "language off", channel="C0COALITION").body
    assert "off in <#C0COALITION>" in reply
    post_event(running, message_event())
    post_event(running, message_event(channel="C0ELSEWHERE", user="U0SOMEONE3"))
    assert [n.params["channel"] for n in notes(running)] == ["C0ELSEWHERE"]

    running.command(ADMIN, "language on", channel="C0COALITION")
    post_event(running, message_event())
    assert [n.params["channel"] for n in notes(running)] == ["C0ELSEWHERE", "C0COALITION"]


def test_language_is_for_admins_and_says_its_form(running):
    assert "`/tat language` is for coalition admins" in running.command(MANAGER, "language off").body
    assert "`/tat language off` or `/tat language on`" in running.command(ADMIN, "language maybe").body
    assert "in the channel whose notes" in running.command(ADMIN, "language off", channel="D0ADMIN001").body
    assert count_rows(running.database_url, "language_settings") == 0
