"""The compact place index cache: the same tables as the packages give, made once, safely, and all
the bot needs (it never imports `zipcodes` or `us`)."""
import subprocess
import sys
import textwrap

import pytest

from domain import place_cache, places
from domain.place_build import package_tables
from domain.place_cache import cache_key, read
from domain.place_index import _index


@pytest.fixture(scope="module")
def derived():
    """The tables derived from the packages right now, in this process."""
    return package_tables()


def test_every_zip_code_has_the_county_the_packages_give(derived):
    cached = _index().zip_fips
    assert len(derived.zip_fips) > 41_000
    assert dict(cached.items()) == derived.zip_fips
    assert {code: cached.get(code) for code in derived.zip_fips} == derived.zip_fips
    assert [cached.get(code) for code in ("00000", "99999", "6810", "681020", "abcde", "６８１０２")] == [None] * 6
    assert dict(_index().zip_count) == dict(derived.zip_count)


def test_every_zip_code_resolves_to_the_county_the_packages_give(derived):
    wrong = [code for code, fips in derived.zip_fips.items() if places.resolve(code).county.fips != fips]
    assert wrong == []


def test_every_county_is_the_same_as_the_packages_give(derived):
    cached = _index()
    assert cached.states == derived.states
    assert cached.state_by_key == derived.state_by_key
    assert cached.state_name_keys == derived.state_name_keys
    assert cached.counties == derived.counties
    assert sum(map(len, cached.counties.values())) == 3143
    assert cached.county_by_fips == derived.county_by_fips
    assert cached.by_full == derived.by_full
    assert cached.by_base == derived.by_base
    assert cached.county_choices == derived.county_choices
    assert cached.national_choices == derived.national_choices


def test_every_postal_city_has_the_counties_and_zip_counts_the_packages_give_in_the_same_order(derived):
    cached = _index()
    assert len(derived.towns) > 39_000
    assert {key: list(town) for key, town in cached.towns.items()} == \
        {key: town.most_common() for key, town in derived.towns.items()}
    assert {key: set(abbrs) for key, abbrs in cached.states_naming.items()} == derived.states_naming
    assert cached.state_choices == derived.state_choices


def test_the_bot_loads_places_without_importing_zipcodes_or_us():
    places.warm_up()  # the cache exists from here on
    program = textwrap.dedent("""
        import sys
        from domain import places
        places.warm_up()
        print(places.resolve("Omaha, NE").county.label, "zipcodes" in sys.modules, "us" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          cwd=place_cache.ROOT, check=True)
    assert done.stdout.split() == ["Douglas", "County,", "NE", "False", "False"]


def test_processes_starting_together_on_an_empty_cache_folder_make_one_whole_cache_file_once(tmp_path):
    program = textwrap.dedent("""
        import logging, sys
        from pathlib import Path
        from domain import place_cache, place_index
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        tables = place_index._loaded(place_cache.cached_tables(Path(sys.argv[1])))
        print(len(tables.zip_fips), len(tables.towns), "zipcodes" in sys.modules)
    """)
    stale = tmp_path / "place_index-0123456789abcdef0123.marshal"  # of packages installed before
    stale.write_bytes(b"old")
    starting = [subprocess.Popen([sys.executable, "-c", program, str(tmp_path)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, cwd=place_cache.ROOT) for _ in range(2)]
    outputs, logs = zip(*(process.communicate(timeout=120) for process in starting), strict=True)
    assert [process.returncode for process in starting] == [0, 0]
    expected = [str(len(_index().zip_fips)), str(len(_index().towns)), "False"]
    assert [output.split() for output in outputs] == [expected, expected]
    assert "".join(logs).count("building the place index cache") == 1
    key = cache_key()
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"place_index-{key}.marshal", "place_index.lock"]
    assert read(tmp_path / f"place_index-{key}.marshal", key)["towns"] == _index().towns


def test_a_damaged_or_foreign_cache_file_is_notread(tmp_path):
    key = cache_key()
    whole = (place_cache.CACHE_DIR / f"place_index-{key}.marshal").read_bytes()
    path = tmp_path / "cache.marshal"
    assert read(path, key) is None  # missing
    for damaged in (whole[: len(whole) // 2], b"", b"\x00garbage"):
        path.write_bytes(damaged)
        assert read(path, key) is None
    path.write_bytes(whole)
    assert read(path, key) is not None
    assert read(path, "another-key") is None


def test_the_cache_key_changes_with_what_the_index_is_derived_from(monkeypatch):
    monkeypatch.delenv("DC_STATEHOOD", raising=False)
    key = cache_key()
    assert cache_key() == key
    monkeypatch.setenv("DC_STATEHOOD", "1")  # `us` then counts DC among the states
    assert cache_key() != key
