"""The registration form fits its hints to the sector and state chosen, in Slack and as builders."""
import pytest

from domain import places
from domain.sectors import Sector
from handlers.registration_blocks import form_view, place_hint
from localslack import payloads
from tests.test_registration import SHERIFF


def opened_form(running, user: str) -> dict:
    """The form as Slack holds it once opened: with its id and hash."""
    running.command(user, "register")
    opened = running.slack.wait_for("views.open")[0].response["view"]
    running.bot.later.wait_idle()   # the bot notes the form it opened for the person (a refit acts only on such)
    return opened


def choose(running, user: str, view: dict, answers: dict, block_id: str) -> dict:
    """Pick a dropdown's answer in the open form; return the form as the bot updated it."""
    before = len(running.slack.calls_to("views.update"))
    assert running.send(payloads.view_action(user, view, answers, block_id)).status == 200
    updated = running.slack.wait_for("views.update", count=before + 1)[-1]
    assert (updated.params["view_id"], updated.params["hash"]) == (view["id"], view["hash"])
    return updated.response["view"]


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def initial(view: dict, block_id: str) -> str | None:
    element = block(view, block_id)["element"]
    return element.get("initial_value") or (element.get("initial_option") or {}).get("value")


def test_choosing_law_enforcement_and_a_state_offers_statewide_and_that_states_counties(running):
    view = opened_form(running, SHERIFF)
    assert "statewide" not in block(view, "place")["hint"]["text"]
    typed = {"name": "Dana Deputy", "phone": "(402) 444-6000", "sector": "law_enforcement"}

    view = choose(running, SHERIFF, view, typed, "sector")
    view = choose(running, SHERIFF, view, {**typed, "state": "LA"}, "state")

    hint = block(view, "place")["hint"]["text"]
    assert "statewide" in hint and "Acadia Parish" in hint
    assert (initial(view, "name"), initial(view, "phone"), initial(view, "sector"), initial(view, "state")) == (
        "Dana Deputy", "(402) 444-6000", "law_enforcement", "LA")


def test_choosing_truck_stop_makes_the_site_name_required_and_drops_statewide(running):
    view = opened_form(running, SHERIFF)
    view = choose(running, SHERIFF, view, {"sector": "truck_stop", "state": "NE", "title": "Owner"}, "sector")
    assert block(view, "site_name")["optional"] is False
    assert "statewide" not in block(view, "place")["hint"]["text"]
    assert "Adams County" in block(view, "place")["hint"]["text"] and initial(view, "title") == "Owner"


@pytest.mark.parametrize("sector, state, says, never", [
    (Sector.LAW_ENFORCEMENT, "NE", 'Adams County, Antelope County; or "statewide"', None),
    (Sector.ATTORNEY_GENERAL, None, '"statewide"', "like"),
    (Sector.TRUCK_STOP, "LA", "site's address, like Acadia Parish", "statewide"),
    (Sector.TRUCKING_COMPANY, "NE", "like Adams County", "statewide"),
    (None, None, "city or ZIP code", "statewide"),
])
def test_the_place_hint_fits_the_sector_and_state(sector, state, says, never):
    hint = place_hint(sector, places.find_state(state) if state else None)
    assert says in hint and (never is None or never not in hint)


def test_the_site_name_says_when_it_is_required():
    for sector in Sector:
        site = block(form_view({"sector": sector.value}, editing=False), "site_name")
        assert "Required for truck stops and bus terminals" in site["hint"]["text"]
        assert site["optional"] is not sector.has_site


def test_a_form_for_editing_stays_one_after_being_refitted():
    assert form_view({}, editing=True)["title"]["text"] == "Edit your registration"
    assert form_view({}, editing=True)["private_metadata"] == "edit"
