"""What people type is kept as text, never as markup or hidden characters, end to end on both databases."""
import json

import pytest

from tests.conftest import count_rows
from tests.test_registration import MANAGER, TRUCK_STOP, submit


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
