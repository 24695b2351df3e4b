"""Bad input anywhere gets a clear private message with the right form and stores nothing: a property
test of the parsers over any text, then examples end to end through the HTTP server."""
import json
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.progress import HotlineEntry, ReportEntry, parse_hotline, parse_reported
from domain.trainings import MAX_COUNT, Training, Usage, parse_training
from tests.conftest import ADMIN, count_rows
from tests.test_progress import ADMIN_FORM
from tests.test_registration import MANAGER, TRUCK_STOP
from tests.test_trainings import approve

TODAY = date(2026, 11, 28)
WORDS = st.sampled_from(["25", "0", "-1", "100001", "1,000", "drivers", "officers", "TAT", "botl", "cdl", "today",
                         "yesterday", "2026-11-27", "2026-11-29", "2026-02-30", "hotline", "911", "police", "2026",
                         "2026-10", "118", "<!channel>", "*bold*", "٣", "²", "9" * 40, "\u202e", "x"])
TEXT = st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=6).map(" ".join))


def outcome(parse, text: str):
    """What a parser made of the text: a value, or the sentence it refused it with."""
    try:
        return parse(text)
    except Usage as bad:
        return bad


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("25 drivers drivers")
@example("99999999999999999999999999999999")
def test_trained_either_reads_a_valid_training_or_says_why_not(text):
    result = outcome(lambda t: parse_training(t, "trucking_company", TODAY), text)
    if isinstance(result, Usage):
        assert str(result).strip()
    else:
        assert isinstance(result, Training) and 1 <= result.count <= MAX_COUNT and result.on <= TODAY


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_reported_either_reads_where_and_when_or_says_why_not(text):
    result = outcome(lambda t: parse_reported(t, TODAY), text)
    if isinstance(result, Usage):
        assert str(result).strip()
    else:
        assert isinstance(result, ReportEntry) and result.made_to in ("hotline", "911", "police")
        assert result.on <= TODAY


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_hotline_either_reads_a_figure_or_says_why_not(text):
    result = outcome(lambda t: parse_hotline(t, TODAY), text)
    if isinstance(result, Usage):
        assert str(result).strip()
    else:
        assert result is None or (isinstance(result, HotlineEntry) and 0 <= result.count and
                                  result.period[:4] <= str(TODAY.year))


BAD = [
    (MANAGER, "trained", "many"), (MANAGER, "trained", "0 drivers"), (MANAGER, "trained", "12 2999-01-01"),
    (MANAGER, "trained", "12 <!channel>"), (MANAGER, "reported", "a van at pump 4"),
    (MANAGER, "reported", "911 police"), (ADMIN, "hotline", "2026"), (ADMIN, "hotline", "2099 5"),
    (ADMIN, "hotline", "2026 lots"),
]
TABLES = ("trainings", "reports", "hotline_figures")


@pytest.mark.parametrize("user, word, text", BAD)
def test_bad_input_end_to_end_is_a_private_200_with_the_form_and_stores_nothing(running, empty_database, user,
                                                                                 word, text):
    approve(running, MANAGER, TRUCK_STOP)
    approve(running, ADMIN, ADMIN_FORM)
    response = running.command(user, f"{word} {text}")
    assert response.status == 200
    answer = json.loads(response.body) if response.body.startswith("{") else {"text": response.body}
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert f"/tat {word}" in answer["text"] and "Nothing was" in answer["text"]
    assert "<!channel>" not in answer["text"]
    assert [count_rows(empty_database, t) for t in TABLES] == [0, 0, 0]
