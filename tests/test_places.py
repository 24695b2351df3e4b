"""Table tests for reading places: states, counties, ZIP codes, cities and typos."""
import pytest
import zipcodes

from domain.place_overrides import ZIP_COUNTY_OVERRIDES
from domain.places import (
    County,
    Place,
    State,
    all_states,
    counties_of,
    county_by_fips,
    find_state,
    resolve,
    resolve_jurisdiction,
)


def labels(place: Place) -> list[str]:
    """The candidates of a place, as labels."""
    return [c.label if isinstance(c, County) else c.name for c in place.candidates]


@pytest.mark.parametrize("text, state, expected", [
    ("Douglas County, NE", None, "Douglas County, NE"),
    ("Douglas, NE", None, "Douglas County, NE"),
    ("douglas county nebraska", None, "Douglas County, NE"),
    ("DOUGLAS CO. NE", None, "Douglas County, NE"),
    ("Douglas County, N.E.", None, "Douglas County, NE"),
    ("Omaha, NE", None, "Douglas County, NE"),
    ("omaha nebraska", None, "Douglas County, NE"),
    ("Omaha", "NE", "Douglas County, NE"),
    ("Douglas", "NE", "Douglas County, NE"),
    ("Douglas Co", "NE", "Douglas County, NE"),
    ("68102", None, "Douglas County, NE"),
    ("68102-1234", None, "Douglas County, NE"),
    (" 68102 ", "NE", "Douglas County, NE"),
    ("Dougals County, NE", None, "Douglas County, NE"),
    ("Douglas County, Nebraksa", None, "Douglas County, NE"),
    ("douglas nebraksa", None, "Douglas County, NE"),
    ("Acadia Parish, LA", None, "Acadia Parish, LA"),
    ("Acadia, Louisiana", None, "Acadia Parish, LA"),
    ("Anchorage, AK", None, "Anchorage Municipality, AK"),
    ("Juneau, AK", None, "Juneau City and Borough, AK"),
    ("Virginia Beach, VA", None, "Virginia Beach city, VA"),
    ("Richmond city, VA", None, "Richmond city, VA"),
    ("Richmond County, VA", None, "Richmond County, VA"),
    ("City of Richmond, Virginia", None, "Richmond city, VA"),
    ("St. Louis County, MO", None, "St. Louis County, MO"),
    ("Saint Louis County, Missouri", None, "St. Louis County, MO"),
    ("St Louis city", None, "St. Louis city, MO"),
    ("Ste. Genevieve, MO", None, "Ste. Genevieve County, MO"),
    ("Sainte Genevieve County", None, "Ste. Genevieve County, MO"),
    ("Prince George's County, MD", None, "Prince George's County, MD"),
    ("Prince George’s County, MD", None, "Prince George's County, MD"),
    ("Prince Georges MD", None, "Prince George's County, MD"),
    ("Miami-Dade", None, "Miami-Dade County, FL"),
    ("Miami Dade County FL", None, "Miami-Dade County, FL"),
    ("Dona Ana County, NM", None, "Doña Ana County, NM"),
    ("LaPorte County, IN", None, "LaPorte County, IN"),
    ("La Porte, IN", None, "LaPorte County, IN"),
    ("Washington, DC", None, "District of Columbia, DC"),
    ("Washington DC", None, "District of Columbia, DC"),
    ("DC", None, "District of Columbia, DC"),
    ("District of Columbia", None, "District of Columbia, DC"),
    ("20001", None, "District of Columbia, DC"),
    ("Carson City", None, "Carson City, NV"),
    ("Kansas City, MO", None, "Jackson County, MO"),
    ("Kansas City Kansas", None, "Wyandotte County, KS"),
    ("Denver Co", None, "Denver County, CO"),
    ("Colorado Springs CO", None, "El Paso County, CO"),
    ("Brooklyn, NY", None, "Kings County, NY"),
    ("New York, NY", None, "New York County, NY"),
    ("Cook County IL", None, "Cook County, IL"),
    ("Washington", "OR", "Washington County, OR"),
    ("Fairfield County, CT", None, "Fairfield County, CT"),
    ("Misoula County", None, "Missoula County, MT"),
    ("Anchorage", None, "Anchorage Municipality, AK"),
    ("Omaha, NE 68102", None, "Douglas County, NE"),
    ("Omaha, Nebraska 99999", None, "Douglas County, NE"),
    ("Douglas County, NE, USA", None, "Douglas County, NE"),
    ("City of Industry, CA", None, "Los Angeles County, CA"),
    ("James City, VA", None, "James city County, VA"),
    ("69212", None, "Todd County, SD"),
])
def test_text_naming_one_county_resolves_to_it(text, state, expected):
    place = resolve(text, state)
    assert place.is_county and not place.is_ambiguous and place.found
    assert place.county.label == expected
    assert place.state.abbr == place.county.state


@pytest.mark.parametrize("text, state, expected", [
    ("Nebraska", None, "NE"),
    ("NE", None, "NE"),
    ("nebraska.", None, "NE"),
    ("Nebraksa", None, "NE"),
    ("Nebraska", "NE", "NE"),
    ("Washington", None, "WA"),
    ("New Hampshre", None, "NH"),
    ("west virginia", None, "WV"),
    ("Calif.", None, "CA"),
])
def test_text_naming_a_whole_state_resolves_to_the_state(text, state, expected):
    place = resolve(text, state)
    assert place.is_state and place.found and not place.is_county
    assert place.state.abbr == expected


@pytest.mark.parametrize("text, state, expected", [
    ("Douglas", None, ["Douglas County, NE", "Douglas County, CO", "Douglas County, OR"]),
    ("Douglas County", None, ["Douglas County, NE", "Douglas County, CO"]),
    ("Dougals", None, ["Douglas County, NE", "Douglas County, MN"]),
    ("Omaha", None, ["Douglas County, NE", "Boone County, AR"]),
    ("St Louis County", None, ["St. Louis County, MN", "St. Louis County, MO"]),
    ("Kansas City", None, ["Jackson County, MO", "Wyandotte County, KS"]),
    ("Harrisn, TX", None, ["Harrison County, TX", "Harris County, TX"]),
    ("Douglas Co", None, ["Douglas County, NE", "Douglas County, CO"]),
    ("Lincoln", None, ["Lancaster County, NE", "Lincoln County, NE"]),
    ("Harrisn", "TX", ["Harrison County, TX", "Harris County, TX"]),
])
def test_ambiguous_text_offers_candidates_never_a_guess(text, state, expected):
    place = resolve(text, state)
    assert place.is_ambiguous and not place.found and place.county is None
    assert 1 < len(place.candidates) <= 8
    assert set(expected) <= set(labels(place))
    assert labels(place)[0] == expected[0]


@pytest.mark.parametrize("text, chosen, city, offered", [
    ("Lincoln, NE", "Lancaster County, NE", "Lincoln, NE", ["Lincoln County, NE"]),
    ("lincoln nebraska", "Lancaster County, NE", "Lincoln, NE", ["Lincoln County, NE"]),
    ("Houston, TX", "Harris County, TX", "Houston, TX", ["Houston County, TX"]),
    ("Des Moines, IA", "Polk County, IA", "Des Moines, IA", ["Des Moines County, IA"]),
    ("Richmond, VA", "Richmond city, VA", "", ["Richmond County, VA"]),   # the city is a county itself
    ("Baltimore, MD", "Baltimore city, MD", "", ["Baltimore County, MD"]),
    ("Saint Louis, MO", "St. Louis city, MO", "", ["St. Louis County, MO"]),
    ("Fairfax, VA", "Fairfax County, VA", "", ["Fairfax city, VA"]),   # the postal city of Fairfax: the county
    ("Douglas, NE", "Douglas County, NE", "", ["Douglas, NE (Otoe County)"]),   # the county is the bigger place
    ("Omaha, NE", "Douglas County, NE", "Omaha, NE", []),
    ("Lincoln County, NE", "Lincoln County, NE", "", []),   # "county" typed: the county, nothing else
    ("Lincoln city, NE", "Lancaster County, NE", "Lincoln, NE", []),
    ("Douglas County, NE", "Douglas County, NE", "", []),
])
def test_a_city_named_exactly_wins_and_the_county_of_its_name_is_offered_beside_it(text, chosen, city, offered):
    place = resolve(text)
    assert place.county.label == chosen and not place.is_ambiguous and not place.guessed
    assert place.city == city
    assert [other.called for other in place.alternatives] == offered


@pytest.mark.parametrize("text, state, guessed, chosen, city, offered", [
    ("Omahaa, NE", None, "Omahaa", "Douglas County, NE", "Omaha, NE", []),
    ("omahaa nebraska", None, "omahaa", "Douglas County, NE", "Omaha, NE", []),
    ("Lincon, NE", None, "Lincon", "Lancaster County, NE", "Lincoln, NE", ["Lincoln County, NE"]),
    ("Dougals County, NE", None, "Dougals County", "Douglas County, NE", "", []),
    ("Richmnd", "VA", "Richmnd", "Richmond city, VA", "", ["Richmond County, VA"]),
    ("Misoula County", None, "Misoula County", "Missoula County, MT", "", []),
    ("Nebraksa", None, "Nebraksa", None, "", []),
])
def test_a_name_taken_to_be_a_close_one_says_so(text, state, guessed, chosen, city, offered):
    place = resolve(text, state)
    assert place.found and place.guessed == guessed and place.city == city
    assert (place.county.label if place.county else None) == chosen
    assert [other.called for other in place.alternatives] == offered


@pytest.mark.parametrize("text", ["Douglas County, NE", "Omaha, NE", "68102", "Nebraska", "Lincoln, NE"])
def test_a_name_read_exactly_is_no_guess(text):
    assert resolve(text).guessed == ""


@pytest.mark.parametrize("text, state", [
    ("", None),
    ("   ", None),
    ("asdfgh", None),
    ("xyz nebraska", None),
    ("99999", None),
    ("00000-0000", None),
    ("Douglas, IA", "NE"),
    ("Douglas County, Iowa", "NE"),
    ("68102", "IA"),
    ("Iowa", "NE"),
    ("Omaha", "IA"),
    ("Douglas", "XX"),
    ("Lake Tahoe", None),
    ("!!!", None),
    ("county", None),
    ("Parish", None),
    ("69212", "NE"),
    ("Des Moines, IA 50309", "NE"),
])
def test_garbage_unknown_or_conflicting_text_finds_nothing(text, state):
    assert resolve(text, state) == Place()


@pytest.mark.parametrize("text, expected", [
    ("NE", "NE"), ("ne", "NE"), ("Nebraska", "NE"), ("nebraska.", "NE"), ("N.E.", "NE"),
    ("Nebraksa", "NE"), ("Neb.", "NE"), ("new york", "NY"), ("District of Columbia", "DC"),
    ("Washington DC", "DC"), ("Virgina", "VA"), ("Nort Dakota", "ND"),
])
def test_find_state_reads_abbreviations_names_and_typos(text, expected):
    assert find_state(text).abbr == expected


@pytest.mark.parametrize("text", ["", "Douglas", "xyz nebraska", "Dakota", "PR", "Guam", "Omaha"])
def test_find_state_finds_nothing_far_from_a_state(text):
    assert find_state(text) is None


def test_all_states_are_the_50_states_and_dc_sorted_by_name():
    states = all_states()
    assert len(states) == 51
    assert [s.name for s in states] == sorted(s.name for s in states)
    assert {"DC", "NE", "AK", "HI"} <= {s.abbr for s in states}
    assert not {"PR", "GU", "VI"} & {s.abbr for s in states}
    assert State("NE", "Nebraska", "31", "America/Chicago") in states


def test_counties_of_the_states_total_3143_sorted_by_name():
    per_state = {s.abbr: counties_of(s.abbr) for s in all_states()}
    assert sum(map(len, per_state.values())) == 3143
    assert all([c.name for c in cs] == sorted(c.name for c in cs) for cs in per_state.values())
    assert len(per_state["NE"]) == 93 and len(per_state["CT"]) == 8 and len(per_state["DC"]) == 1
    assert counties_of("XX") == []


@pytest.mark.parametrize("fips, label", [
    ("31055", "Douglas County, NE"), ("11001", "District of Columbia, DC"),
    ("51760", "Richmond city, VA"), ("02020", "Anchorage Municipality, AK"),
])
def test_county_by_fips(fips, label):
    assert county_by_fips(fips).label == label


@pytest.mark.parametrize("fips", ["99999", "", "31"])
def test_county_by_fips_unknown(fips):
    assert county_by_fips(fips) is None


def test_every_county_resolves_from_its_name_and_state_abbreviation():
    wrong = [c.label for s in all_states() for c in counties_of(s.abbr)
             if resolve(f"{c.name}, {c.state}").county != c]
    assert wrong == []


def test_every_county_resolves_from_its_name_and_state_name_without_commas():
    wrong = [c.label for s in all_states() for c in counties_of(s.abbr)
             if resolve(f"{c.name} {s.name}").county != c]
    assert wrong == []


def bare_name(county: County) -> str:
    """The county's name without its type: "Douglas", "Juneau", "Richmond"."""
    kinds = (" City and Borough", " Census Area", " County", " Parish", " Borough", " Municipality", " city")
    for kind in kinds:
        if county.name.endswith(kind):
            return county.name.removesuffix(kind)
    return county.name


def test_every_county_is_found_or_offered_from_its_bare_name_and_state():
    missing = [c.label for s in all_states() for c in counties_of(s.abbr)
               if c not in (place := resolve(f"{bare_name(c)}, {s.abbr}")).candidates
               and place.county != c and c not in [other.county for other in place.alternatives]]
    assert missing == []


def test_every_county_resolves_within_its_state_from_its_name_alone():
    wrong = [c.label for s in all_states() for c in counties_of(s.abbr)
             if resolve(c.name, s.abbr).county != c]
    assert wrong == []


def test_almost_every_active_standard_zip_resolves_to_a_county():
    states = {s.abbr for s in all_states()}
    rows = [r for r in zipcodes.list_all()
            if r["active"] and r["zip_code_type"] == "STANDARD" and r["state"] in states]
    resolved = [r for r in rows if resolve(r["zip_code"]).is_county]
    assert len(rows) > 29_000
    assert len(resolved) / len(rows) >= 0.995


def test_zip_resolves_to_the_county_zipcodes_names():
    for row in zipcodes.filter_by(state="NE"):
        if row["county"]:
            assert resolve(row["zip_code"]).county.name == row["county"]


def test_zip_overrides_point_at_real_counties():
    for (state, name), fips in ZIP_COUNTY_OVERRIDES.items():
        county = county_by_fips(fips)
        assert county is not None
        assert name.split()[0] in county.name or state == "WV"


@pytest.mark.parametrize("text, state, counties, statewide, problems", [
    ("Douglas, Sarpy", "NE", ["Douglas County", "Sarpy County"], False, []),
    ("Douglas County; sarpy", "NE", ["Douglas County", "Sarpy County"], False, []),
    ("Douglas and Sarpy counties", "NE", ["Douglas County", "Sarpy County"], False, []),
    ("Douglas, douglas county, DOUGLAS", "NE", ["Douglas County"], False, []),
    ("Douglas County, NE", "NE", ["Douglas County"], False, []),
    ("Lewis and Clark", "MT", ["Lewis and Clark County"], False, []),
    ("Washington, Iowa", "WI", ["Washington County", "Iowa County"], False, []),
    ("Richmond city", "VA", ["Richmond city"], False, []),
    ("Acadia, Lafayette Parish", "LA", ["Acadia Parish", "Lafayette Parish"], False, []),
    ("statewide", "NE", [], True, []),
    ("State Wide", "NE", [], True, []),
    ("entire state", "NE", [], True, []),
    ("ALL", "NE", [], True, []),
    ("Nebraska", "NE", [], True, []),
    ("", "NE", [], False, []),
    ("Dougals", "NE", [], False, ['No county "Dougals" in Nebraska — did you mean Douglas?']),
    ("Douglas, Dougals", "NE", ["Douglas County"], False,
     ['No county "Dougals" in Nebraska — did you mean Douglas?']),
    ("Omaha", "NE", [], False, ['No county "Omaha" in Nebraska — did you mean Douglas or Nemaha?']),
    ("xyzzy", "NE", [], False, ['No county "xyzzy" in Nebraska.']),
    ("Richmond", "VA", [], False, ['"Richmond" could be more than one county in Virginia — '
                                   'did you mean Richmond city or Richmond County?']),
    ("Douglas, IA", "NE", ["Douglas County"], False,
     ['"IA" is another state: name counties of Nebraska only.']),
    ("Douglas", "XX", [], False, ['There is no state "XX".']),
])
def test_jurisdiction(text, state, counties, statewide, problems):
    found, is_statewide, trouble = resolve_jurisdiction(text, state)
    assert [c.name for c in found] == counties
    assert is_statewide is statewide
    assert trouble == problems


def test_place_properties():
    county = County("31055", "Douglas County", "NE")
    nebraska = State("NE", "Nebraska", "31", "America/Chicago")
    assert county.label == "Douglas County, NE"
    assert (Place(county, nebraska).is_county, Place(county, nebraska).is_state) == (True, False)
    assert (Place(state=nebraska).is_state, Place(state=nebraska).found) == (True, True)
    assert (Place(candidates=(county,)).is_ambiguous, Place(candidates=(county,)).found) == (True, False)
    assert not Place().found and not Place().is_ambiguous
