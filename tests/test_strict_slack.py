"""The stand-in is as strict as Slack: every rule of localslack/rules.py, each shown to refuse what it
should (and Slack's own shape of refusal), and the check every test runs under."""
import json
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from localslack import strict
from localslack.checks import Context
from localslack.rules import RULES
from localslack.standin import SlackStandIn
from tests.conftest import describe


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "s", **more) -> dict:
    return {"type": "section", "text": mrkdwn(text), **more}


def actions(*elements: dict) -> dict:
    return {"type": "actions", "elements": list(elements)}


def button(**more) -> dict:
    return {"type": "button", "text": plain("Go"), "action_id": "go", "value": "1", **more}


def select(count: int = 2, kind: str = "static_select", **more) -> dict:
    return {"type": kind, "action_id": "pick", "options": [option(str(n)) for n in range(count)], **more}


def option(value: str = "v", **more) -> dict:
    return {"text": plain(value), "value": value, **more}


def input_block(block_id: str = "name", element: dict | None = None, **more) -> dict:
    element = element or {"type": "plain_text_input", "action_id": "value"}
    return {"type": "input", "block_id": block_id, "label": plain("Name"), "element": element, **more}


def confirm(**more) -> dict:
    return {"title": plain("Sure?"), "text": mrkdwn("Really"), "confirm": plain("Yes"), "deny": plain("No"), **more}


def image(**more) -> dict:
    return {"type": "image", "image_url": "https://example.org/a.png", "alt_text": "a chart", **more}


def message(*blocks: dict, **more) -> tuple[str, dict]:
    return "message", {"text": "t", "blocks": list(blocks), **more}


def modal(*blocks: dict, **more) -> tuple[str, dict]:
    return "modal", {"type": "modal", "title": plain("Title"), "submit": plain("Save"), "close": plain("Cancel"),
                     "blocks": list(blocks), **more}


def home(*blocks: dict, **more) -> tuple[str, dict]:
    return "home", {"type": "home", "blocks": list(blocks), **more}


FORM = modal(input_block("name"), section("not an input", block_id="intro"))[1]
LONG = "x" * 3001

CASES = {   # what breaks a rule → the rule it breaks (its `at`)
    "51 blocks in a message": (message(*[{"type": "divider"}] * 51), "message.blocks"),
    "a block_id twice in a message": (message(section(block_id="a"), section(block_id="a")),
                                      "message.blocks[].block_id"),
    "40,001 characters of text": (message(text="x" * 40_001), "message.text"),
    "blocks without a top-level text": (("message", {"blocks": [section()]}), "message.text"),
    "101 blocks in a modal": (modal(*[{"type": "divider"}] * 101), "modal.blocks"),
    "a block_id twice in a modal": (modal(input_block("a"), input_block("a")), "modal.blocks[].block_id"),
    "a markup title": (modal(section(), title=mrkdwn("Title")), "modal.title"),
    "a 25-character title": (modal(section(), title=plain("x" * 25)), "modal.title.text"),
    "a markup submit": (modal(section(), submit=mrkdwn("Go")), "modal.submit"),
    "a 25-character submit": (modal(section(), submit=plain("x" * 25)), "modal.submit.text"),
    "a markup close": (modal(section(), close=mrkdwn("Go")), "modal.close"),
    "a 25-character close": (modal(section(), close=plain("x" * 25)), "modal.close.text"),
    "an input without submit": (("modal", {"type": "modal", "title": plain("T"), "blocks": [input_block()]}), "modal"),
    "3,001 characters of private_metadata": (modal(section(), private_metadata=LONG), "modal.private_metadata"),
    "a 256-character callback_id": (modal(section(), callback_id="c" * 256), "modal.callback_id"),
    "101 blocks in a Home tab": (home(*[{"type": "divider"}] * 101), "home.blocks"),
    "a block_id twice in a Home tab": (home(section(block_id="a"), section(block_id="a")), "home.blocks[].block_id"),
    "3,001 characters of Home metadata": (home(section(), private_metadata=LONG), "home.private_metadata"),
    "a 256-character Home callback_id": (home(section(), callback_id="c" * 256), "home.callback_id"),
    "an error for a block that is not an input": (("errors", {"intro": "Wrong"}), "errors.*"),
    "an error for a block that is not there": (("errors", {"nowhere": "Wrong"}), "errors.*"),
    "a block type Slack does not have": (message({"type": "marquee"}), "block"),
    "a 256-character block_id": (message(section(block_id="b" * 256)), "block.block_id"),
    "a 3,001-character section": (message(section(LONG)), "section.text.text"),
    "11 fields": (message({"type": "section", "fields": [mrkdwn("f")] * 11}), "section.fields"),
    "a 2,001-character field": (message({"type": "section", "fields": [mrkdwn("f" * 2001)]}), "section.fields[].text"),
    "a markup header": (message({"type": "header", "text": mrkdwn("H")}), "header.text"),
    "a 151-character header": (message({"type": "header", "text": plain("h" * 151)}), "header.text.text"),
    "11 context elements": (message({"type": "context", "elements": [mrkdwn("c")] * 11}), "context.elements"),
    "26 elements in an actions block": (message(actions(*[button(action_id=f"b{n}") for n in range(26)])),
                                        "actions.elements"),
    "an action_id twice in a block": (message(actions(button(), button(value="2"))), "actions.elements[].action_id"),
    "a markup label": (modal(input_block(label=mrkdwn("Name"))), "input.label"),
    "a 2,001-character label": (modal(input_block(label=plain("l" * 2001))), "input.label.text"),
    "a markup hint": (modal(input_block(hint=mrkdwn("Hint"))), "input.hint"),
    "a 2,001-character hint": (modal(input_block(hint=plain("h" * 2001))), "input.hint.text"),
    "a 2,001-character alt_text": (message(image(alt_text="a" * 2001)), "image.alt_text"),
    "a markup image title": (message(image(title=mrkdwn("T"))), "image.title"),
    "a 2,001-character image title": (message(image(title=plain("t" * 2001))), "image.title.text"),
    "a 3,001-character image_url": (message(image(image_url="https://x.org/" + "a" * 3000)), "image.image_url"),
    "a file not shared here": (message({"type": "image", "slack_file": {"id": "FUNSHARED1"}, "alt_text": "a chart"}),
                               "image.slack_file"),
    "a 256-character action_id": (message(actions(button(action_id="a" * 256))), "element.action_id"),
    "a markup placeholder": (message(actions(select(placeholder=mrkdwn("Pick")))), "element.placeholder"),
    "a 151-character placeholder": (message(actions(select(placeholder=plain("p" * 151)))), "element.placeholder.text"),
    "a markup button": (message(actions(button(text=mrkdwn("Go")))), "button.text"),
    "a 76-character button": (message(actions(button(text=plain("b" * 76)))), "button.text.text"),
    "a 2,001-character button value": (message(actions(button(value="v" * 2001))), "button.value"),
    "a 3,001-character button url": (message(actions(button(url="https://x.org/" + "u" * 3000))), "button.url"),
    "101 options": (message(actions(select(101))), "static_select.options"),
    "101 option groups": (message(actions({"type": "static_select", "action_id": "g", "option_groups": [
        {"label": plain("g"), "options": [option()]}] * 101})), "static_select.option_groups"),
    "101 options of a multi-select": (modal(input_block(element=select(101, "multi_static_select"))),
                                      "multi_static_select.options"),
    "6 options in an overflow menu": (message(actions(select(6, "overflow"))), "overflow.options"),
    "a max_length of 3,001": (modal(input_block(element={"type": "plain_text_input", "action_id": "v",
                                                         "max_length": 3001})), "plain_text_input.max_length"),
    "a min_length of 3,001": (modal(input_block(element={"type": "plain_text_input", "action_id": "v",
                                                         "min_length": 3001})), "plain_text_input.min_length"),
    "a 3,001-character context": (message({"type": "context", "elements": [mrkdwn(LONG)]}), "text.text"),
    "an empty text": (message({"type": "context", "elements": [mrkdwn("")]}), "text.text"),
    "a 76-character option": (message(actions(select(1, options=[option("o" * 76)]))), "option.text.text"),
    "a 151-character option value": (message(actions(select(1, options=[option("v" * 151)]))), "option.value"),
    "a 76-character option description": (message(actions(select(1, options=[option(description=plain("d" * 76))]))),
                                          "option.description.text"),
    "a markup confirm title": (message(actions(button(confirm=confirm(title=mrkdwn("T"))))), "confirm.title"),
    "a 101-character confirm title": (message(actions(button(confirm=confirm(title=plain("t" * 101))))),
                                      "confirm.title.text"),
    "a 301-character confirm text": (message(actions(button(confirm=confirm(text=mrkdwn("t" * 301))))),
                                     "confirm.text.text"),
    "a markup confirm button": (message(actions(button(confirm=confirm(confirm=mrkdwn("Y"))))), "confirm.confirm"),
    "a 31-character confirm button": (message(actions(button(confirm=confirm(confirm=plain("y" * 31))))),
                                      "confirm.confirm.text"),
    "a markup deny button": (message(actions(button(confirm=confirm(deny=mrkdwn("N"))))), "confirm.deny"),
    "a 31-character deny button": (message(actions(button(confirm=confirm(deny=plain("n" * 31))))),
                                   "confirm.deny.text"),
}


HERE = Context("C0COALITION", lambda file_id, conversation: file_id == "FSHARED01" and conversation == "C0COALITION")


def breaches_of(surface: str, payload: dict) -> list[strict.Breach]:
    if surface == "message":
        return strict.check_message(payload, HERE)
    if surface == "errors":
        return strict.check_answer("payload=" + json.dumps({"view": FORM}),
                                   {"response_action": "errors", "errors": payload})
    return strict.check_view(payload)


@pytest.mark.parametrize("case", CASES)
def test_each_rule_refuses_what_slack_refuses(case):
    (surface, payload), at = CASES[case]
    assert at in {b.rule.at for b in breaches_of(surface, payload)}


def test_every_rule_is_shown_to_refuse_something_and_cites_slacks_documentation():
    broken = {id(b.rule) for (surface, payload), _ in CASES.values() for b in breaches_of(surface, payload)}
    assert [r.at for r in RULES if id(r) not in broken] == []
    assert all(r.doc.startswith(("https://docs.slack.dev/", "https://api.slack.com/")) for r in RULES)


@pytest.mark.parametrize("surface, payload", [
    message({"type": "image", "slack_file": {"id": "FSHARED01"}, "alt_text": "a chart"}),
    message(section("*Hi*", block_id="a"),
            actions(button(action_id="run_command:0"), button(action_id="run_command:1")),
            {"type": "context", "elements": [mrkdwn("c")]}, {"type": "header", "text": plain("h" * 150)}),
    modal(input_block("a"), input_block("b"), section(LONG[:3000])),   # the same action_id in two blocks is fine
    home(*[{"type": "divider"}] * 100),
    ("errors", {"name": "Please give your name."}),
])
def test_what_slack_takes_passes(surface, payload):
    assert breaches_of(surface, payload) == []


def test_a_refusal_carries_the_errors_as_slack_gives_them():
    refused = strict.refusal("chat.postMessage", strict.check_message(message(section(LONG))[1]))
    assert refused["ok"] is False and refused["error"] == "invalid_blocks"
    assert "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]" in \
        refused["response_metadata"]["messages"]
    assert strict.refusal("views.open", strict.check_view(modal(section(), title=plain("x" * 25))[1]))["error"] == \
        "invalid_arguments"
    assert strict.refusal("chat.postMessage", strict.check_message(message(text="x" * 40_001)[1]))["error"] == \
        "msg_too_long"
    assert strict.refusal("chat.postMessage", strict.check_message({"blocks": [section()]})) is None   # a warning


@pytest.fixture
def standin():
    """A stand-in of this module's own: its refusals are what these tests are about."""
    made = SlackStandIn().start()
    yield made
    made.stop()


def test_the_stand_in_refuses_as_slack_does_and_keeps_each_breach(standin):
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0COALITION", text="t", blocks=[actions(button(), button())])
    assert refused.value.response["error"] == "invalid_blocks"
    assert '`action_id` "go" already exists' in refused.value.response["errors"][0]
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id="1.2.3", view=modal(input_block(), title=plain("A title far too long for it"))[1])
    assert refused.value.response["error"] == "invalid_arguments"
    assert client.chat_postMessage(channel="C0COALITION", text="fine", blocks=[section()])["ok"]
    (first, _), (second, _) = standin.breaches
    assert (first.method, second.method) == ("chat.postMessage", "views.open")
    assert "chat.postMessage C0COALITION 't'" == describe(first)
    assert "views.open" in describe(second) and "A title far too long" in describe(second)


def test_a_response_url_post_slack_would_refuse_is_answered_400_in_words(standin):
    body = json.dumps({"text": "t", "blocks": [section(LONG)]}).encode()
    request = urllib.request.Request(standin.response_url("U0MANAGER1"), data=body,
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=5)
    assert answered.value.code == 400 and answered.value.read() == b"invalid_blocks"
    ((call, breaches),) = standin.breaches
    assert call.method == "response_url" and "section.text.text" in {b.rule.at for b in breaches}


def test_a_refusal_a_test_scripts_is_not_a_breach(standin):
    standin.fail("chat.postMessage", error="invalid_blocks")
    with pytest.raises(SlackApiError):
        WebClient(token="xoxb-test", base_url=standin.api_url).chat_postMessage(channel="C1", text="t")
    assert standin.breaches == []


def test_an_answer_to_a_request_is_held_against_the_rules_too(standin):
    submitted = "payload=" + json.dumps({"type": "view_submission", "view": FORM})
    assert standin.hold_answer(submitted, {"response_action": "errors", "errors": {"name": "Please."}}) == []
    (breach,) = standin.hold_answer(submitted, {"response_action": "errors", "errors": {"intro": "No."}})
    assert breach.rule.at == "errors.*"
    (breach,) = standin.hold_answer("command=%2Ftat", {"blocks": [section()]})
    assert breach.rule.at == "message.text"
    assert [c.method for c, _ in standin.breaches] == ["http_answer", "http_answer"]


def test_an_image_block_shows_only_a_file_shared_in_that_conversation(standin):
    client = WebClient(token="xoxb-test", base_url=standin.api_url)
    png = b"\x89PNG" + b"0" * 100
    unshared = client.files_upload_v2(file=png, filename="chart.png", title="Chart")["file"]["id"]
    shared = client.files_upload_v2(file=png, filename="chart.png", title="Chart", channel="C0COALITION")["file"]["id"]
    picture = {"type": "image", "slack_file": {"id": unshared}, "alt_text": "a chart"}
    with pytest.raises(SlackApiError) as refused:   # slackapi/bolt-python#1251, python-slack-sdk#1658 and #1521
        client.chat_postMessage(channel="C0COALITION", text="t", blocks=[picture])
    assert refused.value.response["errors"] == ["invalid slack file [json-pointer:/blocks/0/slack_file]"]
    picture["slack_file"]["id"] = shared
    assert client.chat_postMessage(channel="C0COALITION", text="t", blocks=[picture])["ok"]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0ELSEWHERE", text="t", blocks=[picture])
    assert [b.rule.at for _, breaches in standin.breaches for b in breaches] == ["image.slack_file"] * 2
    assert [f["id"] for f in standin.orphans()] == [unshared]
