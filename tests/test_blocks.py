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
