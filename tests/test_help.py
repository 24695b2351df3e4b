"""/tat help as a conversation table: what a person types, what they read."""
import json

import pytest

from tests.conftest import ADMIN


@pytest.mark.parametrize("typed, reads", [
    ("", "/tat register"),
    ("help", "/tat register"),
    ("HELP", "/tat register"),
    ("  help  ", "If someone is in immediate danger, call 911."),
    ("contacts please", "I don't know `contacts`"),
    ("help", "1-888-373-7888, text 233733 (BeFree)"),
])
def test_help_conversation(running, typed, reads):
    response = running.command("U0MANAGER1", typed)
    assert response.status == 200
    assert reads in json.loads(response.body)["text"]


def test_an_admin_gets_the_same_help(running):
    assert "/tat register" in json.loads(running.command(ADMIN, "help").body)["text"]
