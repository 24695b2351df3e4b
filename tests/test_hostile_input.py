"""What people type is kept as text, never as markup or hidden characters, end to end on both databases."""
import json

import pytest

from localslack import payloads
from tests.conftest import ADMIN, SECOND_ADMIN, count_rows
from tests.test_registration import MANAGER, TRUCK_STOP, app_home_opened, press, submit


@pytest.mark.parametrize("field, typed, says", [
    ("name", "Sam\x00Stone", "hidden control character"),
    ("organization", "Big Rig \u202eCLL", "text-direction"),
    ("name", "\u200b\u200d\ufeff", "visible letters"),
    ("title", "\u2060 \u200b", "visible letters"),
    ("phone", "402-911-0000", "402-555-0100"),
])
def test_hidden_characters_and_undiallable_numbers_are_refused_inline(running, empty_database, field, typed, says):
    response = submit(running, MANAGER, {**TRUCK_STOP, field: typed})
    answer = json.loads(response.body)
    assert response.status == 200 and answer["response_action"] == "errors"
    assert list(answer["errors"]) == [field] and says in answer["errors"][field]
    assert count_rows(empty_database, "stakeholders") == 0
    assert running.slack.calls_to("chat.postMessage") == []


HOSTILE = {**TRUCK_STOP, "name": "<!channel> Mal",
           "organization": "<https://evil.example/login|Reset your Slack password>",
           "title": "<@U0ADMIN001> <!here>"}
LIVE = ("<!channel>", "<!here>", "<@U0ADMIN001>", "<https://evil")
ESCAPED = ("&lt;!channel&gt; Mal", "&lt;https://evil.example/login|Reset your Slack password&gt;",
           "&lt;@U0ADMIN001&gt; &lt;!here&gt;")


def shown(call) -> str:
    """Everything of a recorded call that Slack would render: its text and blocks, or its view."""
    return json.dumps([call.params.get("text"), call.params.get("blocks"), call.params.get("view")])


def test_markup_typed_into_the_form_reaches_nobody_as_a_mention_or_a_link(running):
    slack = running.slack
    assert submit(running, MANAGER, HOSTILE).status == 200
    requests = [slack.wait_for("chat.postMessage", channel=admin)[0] for admin in (ADMIN, SECOND_ADMIN)]
    confirm = next(e["confirm"] for b in requests[0].params["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == "decline_registration")
    press(running, SECOND_ADMIN, requests[1], "approve_registration")
    updates = slack.wait_for("chat.update", count=2)
    to_registrant = slack.wait_for("chat.postMessage", count=2, channel=MANAGER)
    running.send(payloads.event_callback(app_home_opened(MANAGER)), json_body=True)
    home = slack.wait_for("views.publish", user_id=MANAGER)

    for call in [*requests, *updates, *to_registrant, *home]:
        assert not [live for live in LIVE if live in shown(call)], (call.method, shown(call))
        assert "&amp;lt;" not in shown(call)   # escaped once, not twice
    for call in [*requests, *home]:
        assert all(escaped in shown(call) for escaped in ESCAPED), shown(call)
    for call in updates:   # a decided registration is named by name and organization
        assert all(escaped in shown(call) for escaped in ESCAPED[:2]), shown(call)
    assert "&lt;!channel&gt; Mal" in requests[0].params["text"] and "&lt;https://evil" in requests[0].params["text"]
    assert confirm["text"]["text"].startswith("&lt;!channel&gt; Mal will be told")
    assert f"approved by <@{SECOND_ADMIN}>" in json.dumps(updates[0].params["blocks"])
    assert "Thanks, &lt;!channel&gt;:" in to_registrant[0].params["text"]
