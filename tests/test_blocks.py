"""The Block Kit builders: what a person typed is shown as text, constant markup still works."""
import pytest

from handlers.blocks import (
    Message,
    Mrkdwn,
    button,
    confirm_dialog,
    context,
    escape,
    fields_section,
    md,
    mention,
    plain,
    section,
    text_input,
)

TYPED = "<!channel> & <https://evil.example|click>"
SHOWN = "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"


@pytest.mark.parametrize("typed, shown", [
    ("Sam Stone", "Sam Stone"),
    ("<!channel>", "&lt;!channel&gt;"),
    ("<@U0ADMIN001>", "&lt;@U0ADMIN001&gt;"),
    ("AT&T", "AT&amp;T"),
    ("&lt;", "&amp;lt;"),
    ("*bold* _it_ `code`", "*bold* _it_ `code`"),
])
def test_escape_shows_what_was_typed(typed, shown):
    assert escape(typed) == shown


def test_escaping_twice_changes_nothing_more():
    assert escape(escape(TYPED)) == SHOWN


@pytest.mark.parametrize("build, read", [
    (section, lambda b: b["text"]["text"]),
    (context, lambda b: b["elements"][0]["text"]),
    (lambda t: confirm_dialog("Sure?", t, "Yes"), lambda b: b["text"]["text"]),
    (lambda t: fields_section([("Name", t)]), lambda b: b["fields"][0]["text"].split("\n")[1]),
    (lambda t: Message(t), lambda m: m.text),
])
def test_every_builder_escapes_plain_text_and_keeps_markup(build, read):
    assert read(build(TYPED)) == SHOWN
    assert read(build(Mrkdwn("<@U0ADMIN001> *said*"))) == "<@U0ADMIN001> *said*"


def test_md_escapes_each_value_but_not_the_template_or_markup():
    made = md("*{}* from {} in {place}", TYPED, mention("U0SHERIFF1"), place="Douglas <County>")
    assert made == f"*{SHOWN}* from <@U0SHERIFF1> in Douglas &lt;County&gt;"
    assert isinstance(made, Mrkdwn)


def test_joining_and_adding_markup_escapes_only_the_plain_parts():
    assert Mrkdwn("\n").join([md("*{}*", "a<b"), "c>d"]) == "*a&lt;b*\nc&gt;d"
    assert mention("U0ADMIN001") + " & co" == "<@U0ADMIN001> &amp; co"
    assert "<x> " + mention("W0ADMIN001") == "&lt;x&gt; <@W0ADMIN001>"


@pytest.mark.parametrize("bad", ["", "U0ADMIN001> <!channel", "C0GENERAL1", "u0admin001", "!here"])
def test_a_mention_is_only_ever_of_a_user_id(bad):
    with pytest.raises(ValueError):
        mention(bad)


def test_plain_text_is_shown_literally_by_slack_so_it_is_not_escaped():
    assert plain(TYPED)["text"] == TYPED
    assert button(TYPED, "a", "v")["text"]["text"] == TYPED
    assert text_input("name", "Name", initial=TYPED)["element"]["initial_value"] == TYPED


SUBMITTED = {"state": {"values": {
    "name": {"value": {"type": "plain_text_input", "value": "  Sam Stone "}},
    "empty": {"value": {"type": "plain_text_input", "value": None}},
    "sector": {"value": {"type": "static_select", "selected_option": {"value": "truck_stop", "text": {}}}},
    "kind": {"value": {"type": "radio_buttons", "selected_option": {"value": "BOTL", "text": {}}}},
    "states": {"value": {"type": "multi_static_select",
                         "selected_options": [{"value": "NE", "text": {}}, {"value": "IA", "text": {}}]}},
    "materials": {"value": {"type": "checkboxes", "selected_options": [{"value": "decals", "text": {}}]}},
    "lead": {"value": {"type": "users_select", "selected_user": "U0LEAD0001"}},
    "leads": {"value": {"type": "multi_users_select", "selected_users": ["U0LEAD0001", "U0LEAD0002"]}},
    "channel": {"value": {"type": "channels_select", "selected_channel": "C0COALITION"}},
    "where": {"value": {"type": "conversations_select", "selected_conversation": "G0PRIVATE1"}},
    "channels": {"value": {"type": "multi_channels_select", "selected_channels": ["C01", "C02"]}},
    "meeting": {"value": {"type": "datepicker", "selected_date": "2026-03-14"}},
    "at": {"value": {"type": "timepicker", "selected_time": "10:00"}},
    "moment": {"value": {"type": "datetimepicker", "selected_date_time": 1767261600}},
    "count": {"value": {"type": "number_input", "value": "42"}},
    "unset": {"value": {"type": "datepicker", "selected_date": None}},
}}}


def test_the_typed_reader_reads_every_input_type_slack_sends():
    from datetime import UTC, date, datetime

    from handlers.blocks import submitted_values

    got = submitted_values(SUBMITTED)
    assert got.text("name") == "Sam Stone" and got.text("empty") is None and got["empty"] is None
    assert got["sector"] == "truck_stop" and got.one("kind") == "BOTL"
    assert got.all("states") == ["NE", "IA"] and got["states"] == "NE, IA"
    assert got.checked("materials", "decals") and not got.checked("materials", "posters")
    assert got.one("lead") == "U0LEAD0001" and got.all("leads") == ["U0LEAD0001", "U0LEAD0002"]
    assert got.one("channel") == "C0COALITION" and got.one("where") == "G0PRIVATE1"
    assert got.all("channels") == ["C01", "C02"]
    assert got.day("meeting") == date(2026, 3, 14) and got.day("unset") is None and got.one("at") == "10:00"
    assert got.moment("moment") == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert got.one("count") == "42" and got.get("missing") is None and got.all("missing") == []
    assert set(got) >= {"name", "sector", "meeting"} and "missing" not in got and "empty" in got
