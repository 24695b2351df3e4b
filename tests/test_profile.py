"""The registration form, checked field by field: table tests, no Slack."""
import pytest

from domain.profile import Invalid, normalise_exit, normalise_interstate, normalise_phone, parse_profile
from domain.sectors import Sector

FORM = {"name": "Sam  Stone", "sector": "truck_stop", "organization": "Big Rig Plaza",
        "phone": "402-555-0100", "email": "sam@bigrig.example", "state": "NE", "place": "Omaha",
        "site_name": "Big Rig Plaza"}


@pytest.mark.parametrize("typed, stored", [
    ("402-555-0100", "(402) 555-0100"),
    ("(402) 555 0100", "(402) 555-0100"),
    ("+1 402.555.0100", "(402) 555-0100"),
    ("14025550100", "(402) 555-0100"),
    ("402-555-0100 x12", "(402) 555-0100 x12"),
    ("402 555 0100 ext. 7", "(402) 555-0100 x7"),
    ("402.555.0100", "(402) 555-0100"),
    ("(402) 444-6000 x123", "(402) 444-6000 x123"),
])
def test_phone_numbers_are_stored_in_one_form(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", [
    "555-0100", "402-555-01000", "call me", "102-555-0100", "402-555-0100 ask for Bob", "",
    "402-055-0100", "402-911-0000", "402-411-1234", "+44 20 7946 0958", "+1 604 555 0100", "1-800-FLOWERS"])
def test_phone_numbers_that_cannot_be_dialled_are_refused(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed)


@pytest.mark.parametrize("typed, stored", [
    ("80", "I-80"), ("i80", "I-80"), ("I-35e", "I-35E"), ("Interstate 29", "I-29")])
def test_interstates(typed, stored):
    assert normalise_interstate(typed) == stored


@pytest.mark.parametrize("typed, stored", [("440", "440"), ("Exit 440a", "440A"), ("#12", "12")])
def test_exits(typed, stored):
    assert normalise_exit(typed) == stored


def test_a_complete_truck_stop_form_gives_its_county():
    profile = parse_profile(FORM)
    assert (profile.name, profile.sector, profile.county_fips, profile.jurisdiction) == (
        "Sam Stone", Sector.TRUCK_STOP, "31055", ())


def test_law_enforcement_may_cover_the_whole_state():
    profile = parse_profile({**FORM, "sector": "law_enforcement", "place": "Statewide", "site_name": ""})
    assert profile.statewide and profile.jurisdiction == () and profile.site_name is None


@pytest.mark.parametrize("change, field, says", [
    ({"name": ""}, "name", "fill this in"),
    ({"sector": "pirate"}, "sector", "listed sectors"),
    ({"email": "sam@"}, "email", "name@agency.gov"),
    ({"state": "Atlantis"}, "state", "US state"),
    ({"place": "Nebraska"}, "place", "name your county"),
    ({"place": "Gotham"}, "place", "No county in Nebraska"),
    ({"place": "Omahaa"}, "place", 'No place in Nebraska is called "Omahaa" — did you mean Omaha (Douglas County)?'),
    ({"place": "Dougals County"}, "place", "did you mean Douglas County?"),
    ({"site_name": ""}, "site_name", "name of your truck stop"),
    ({"exit": "the big one"}, "exit", "440A"),
    ({"name": "x" * 121}, "name", "120 characters or fewer"),
])
def test_each_problem_is_named_on_its_field(change, field, says):
    with pytest.raises(Invalid) as raised:
        parse_profile({**FORM, **change})
    assert list(raised.value.errors) == [field]
    assert says in raised.value.errors[field]


@pytest.mark.parametrize("typed, says", [
    ("Sam\x00Stone", "hidden control character"),
    ("Sam\tStone", "hidden control character"),
    ("\x1b[31mSam", "hidden control character"),
    ("Sam \u202eenotS", "text-direction"),
    ("\u2066Sam\u2069", "text-direction"),
    ("\u200b\u200c\u200d", "visible letters"),
    ("\u2060\ufeff\u00ad", "visible letters"),
    ("\u3000 \u200b", "visible letters"),
])
def test_names_with_hidden_or_no_visible_characters_are_refused(typed, says):
    with pytest.raises(Invalid) as raised:
        parse_profile({**FORM, "name": typed})
    assert list(raised.value.errors) == ["name"] and says in raised.value.errors["name"]


@pytest.mark.parametrize("field", ["organization", "title", "site_name", "place", "phone", "email", "exit"])
def test_every_text_field_refuses_control_and_invisible_text(field):
    for typed in ("a\x00b", "\u202eb", "\u200b"):
        with pytest.raises(Invalid) as raised:
            parse_profile({**FORM, field: typed})
        assert list(raised.value.errors) == [field], typed


def test_accents_and_apostrophes_are_fine():
    assert parse_profile({**FORM, "name": "José O'Brien-Núñez"}).name == "José O'Brien-Núñez"


def test_the_example_county_is_one_of_the_chosen_state():
    with pytest.raises(Invalid) as raised:
        parse_profile({**FORM, "state": "LA", "place": "Gotham"})
    assert "like Acadia Parish" in raised.value.errors["place"]


def test_several_problems_are_named_together():
    with pytest.raises(Invalid) as raised:
        parse_profile({"sector": "truck_stop"})
    assert {"name", "organization", "phone", "email", "state", "place", "site_name"} == set(raised.value.errors)
