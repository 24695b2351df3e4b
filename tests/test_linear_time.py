"""No input costs more than a bounded amount of work: every parser of typed text, fed 100 KB built to
make a regular expression backtrack, answers within a small multiple of what 100 characters cost.

Costs are CPU seconds of this process (time.process_time), the least of several rounds, and only
ever compared with each other in the same run: never with a fixed time."""
import json
import time
from datetime import date

import pytest

from domain import coalitions, followups, language, places, profile, progress, spreadsheet, trainings
from domain.csvfile import Table
from domain.profile import Invalid
from domain.trainings import Usage
from handlers.contact import split_page
from handlers.intake import too_long_answers
from localslack import payloads
from tests.test_registration import MANAGER, TRUCK_STOP, open_form

TODAY = date(2026, 5, 4)
BIG = 100_000
SMALL = 100
FEW_TIMES = 10   # "a small multiple": linear growth would be 1,000 times, the cubic pattern far more

# Each pattern, repeated to any length: runs of separators, near-misses and long words, the shapes
# that make a backtracking pattern (`(.*[a-z].*?)[\s,]+(\d{5})`, `\s*-?\s*`, `(.*?)\s*page`) explode.
PATTERNS = {
    "letters then commas": lambda n: "a" * (n // 2) + "," * (n - n // 2),
    "letters then spaces": lambda n: "a" * (n // 2) + " " * (n - n // 2 - 1) + "!",
    "one long word": lambda n: "x" * n,
    "digits": lambda n: "1" * n,
    "near-miss ZIP codes": lambda n: ("Omaha, NE 6810 " * (n // 15 + 1))[:n],
    "near-miss pages": lambda n: ("page x " * (n // 7 + 1))[:n],
    "many short parts": lambda n: ("a1, " * (n // 4 + 1))[:n],
    "dashes and spaces": lambda n: "i" + " -" * ((n - 2) // 2) + "x",
    "dots after an at": lambda n: "a@" + "a." * ((n - 2) // 2),
}


def _registration(text: str) -> dict:
    return {**TRUCK_STOP, "state": "NE", "sector": "truck_stop", "place": text, "phone": text, "email": text,
            "interstate": text, "exit": text, "name": text}


def _import_row(text: str) -> list:
    """A row of a registration list as it is checked on import, with `text` in several cells."""
    row = {"name": "Ann", "email": text, "sector": "truck_stop", "organization": "Org", "phone": text,
           "state": "NE", "counties": text, "site": "Site", "interstate": text, "exit": text}
    table = Table(list(row), iter([(2, list(row.values()))]), "utf-8")
    return spreadsheet._check_chunk(list(spreadsheet._rows(table, spreadsheet.Checked())))


def _setup(text: str) -> dict:
    return {"state": text, "meeting_date": text, "channel": text, "time_zone": text, "leads": [text],
            "lead_agencies": text, "offsets": text}


def _form(text: str) -> dict:
    view = {"blocks": [{"type": "input", "block_id": "place", "element": {"type": "plain_text_input",
                                                                          "action_id": "value", "max_length": 200}}],
            "state": {"values": {"place": {"value": {"type": "plain_text_input", "value": text}}}}}
    return view


PARSERS = {   # what a person's text reaches: each a call that may answer or refuse, never hang
    "a place": lambda t: places.resolve(t),
    "a place in a state": lambda t: places.resolve(t, "NE"),
    "a jurisdiction": lambda t: places.resolve_jurisdiction(t, "NE"),
    "a state": lambda t: places.find_state(t),
    "/tat contact's page": split_page,
    "/tat trained": lambda t: trainings.parse_training(t, "truck_stop", TODAY),
    "the trained form's count": trainings.parse_count,
    "the trained form's date": lambda t: trainings.parse_date(t, TODAY),
    "/tat reported": lambda t: progress.parse_reported(t, TODAY),
    "/tat hotline": lambda t: progress.parse_hotline("2026 12 " + t, TODAY),
    "/tat hotline's period": lambda t: progress.parse_hotline(t + " 12", TODAY),
    "the setup form": lambda t: coalitions.parse_setup(_setup(t)),
    "the setup form's follow-ups": followups.parse_offsets,
    "the registration form": lambda t: profile.parse_profile(_registration(t)),
    "a phone number": profile.normalise_phone,
    "an e-mail address": profile.normalise_email,
    "an interstate": profile.normalise_interstate,
    "an exit": profile.normalise_exit,
    "import cells": _import_row,
    "a form's answers": lambda t: too_long_answers(_form(t)),
}


def cost(parse, text: str) -> float:
    """CPU seconds one call takes: the least, over three rounds, of a round's average."""
    calls, best = 1, float("inf")
    while True:   # enough calls in a round to be measured well
        start = time.process_time()
        for _ in range(calls):
            _answer(parse, text)
        if time.process_time() - start > 0.002 or calls >= 512:
            break
        calls *= 4
    for _ in range(3):
        start = time.process_time()
        for _ in range(calls):
            _answer(parse, text)
        best = min(best, (time.process_time() - start) / calls)
    return max(best, 1e-7)


def _answer(parse, text: str):
    try:
        return parse(text)
    except (Usage, Invalid, ValueError):
        return None


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("parser", PARSERS)
def test_a_hundred_kilobytes_cost_no_more_than_a_few_times_a_hundred_characters(parser, pattern):
    places.warm_up()
    parse, make = PARSERS[parser], PATTERNS[pattern]
    small, big = cost(parse, make(SMALL)), cost(parse, make(BIG))
    assert big <= FEW_TIMES * small, f"{parser}, {pattern}: 100 KB cost {big / small:,.0f} times 100 characters"


def test_the_language_note_reads_a_whole_message_in_time_that_grows_with_its_length():
    """Messages are up to 40,000 characters long: all of one is read, in linear time (ten times the
    text, about ten times the work; a quadratic pattern would be a hundred)."""
    for make in (lambda n: "child" + " " * (n - 5), lambda n: ("child -" * n)[:n], lambda n: ("sex " * n)[:n]):
        short, long = cost(language.flagged_terms, make(4000)), cost(language.flagged_terms, make(40000))
        assert long <= 30 * short
    assert language.flagged_terms("x " * 19990 + "hooker") == [language.HOOKER]


def test_places_still_read_a_zip_code_at_the_end_of_an_address():
    assert places.resolve("Omaha, NE 68102").county.name == "Douglas County"
    assert places.resolve("1200 Farnam St, Omaha NE 68102-1234").county.name == "Douglas County"
    assert places.resolve("68102 1234").county.name == "Douglas County"
    assert places.resolve("Douglas County, NE, 00000").county.name == "Douglas County"   # no such ZIP: the name
    assert places.resolve("NE68102").county is None


def test_a_command_longer_than_slack_sends_is_refused_politely(running):
    response = running.command("U0MANAGER1", "contact " + "a" * 2500 + "," * 2500)
    answer = json.loads(response.body)
    assert response.status == 200 and answer["response_type"] == "ephemeral"
    assert "5,008 characters" in answer["text"] and "Nothing was done" in answer["text"]
    assert running.slack.calls == []


def test_an_answer_longer_than_its_form_allows_is_refused_inline(running, empty_database):
    from tests.conftest import count_rows

    view = open_form(running, MANAGER)
    response = running.send(payloads.view_submission(MANAGER, view, {**TRUCK_STOP, "phone": "4" * 41}))
    answer = json.loads(response.body)
    assert answer == {"response_action": "errors", "errors": {"phone": "Please keep this to 40 characters or fewer."}}
    assert count_rows(empty_database, "stakeholders") == 0


def elapsed(send) -> float:
    start = time.perf_counter()
    send()
    return time.perf_counter() - start


def test_the_place_that_froze_the_bot_is_answered_as_fast_as_any_registration(running, empty_database):
    view = open_form(running, MANAGER)
    hostile = {**TRUCK_STOP, "place": "a" * 1500 + "," * 1500}
    took = elapsed(lambda: running.send(payloads.view_submission(MANAGER, view, hostile)))
    usual = elapsed(lambda: running.send(payloads.view_submission(MANAGER, view, {**TRUCK_STOP, "place": "Omaha"})))
    answered = json.loads(running.send(payloads.view_submission(MANAGER, view, hostile)).body)
    assert "No county in Nebraska matches" in answered["errors"]["place"]
    assert took <= FEW_TIMES * usual
