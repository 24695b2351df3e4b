"""ZIP county names in `zipcodes` that do not join to a `us` county by name."""

# (ZIP's state, county name as `zipcodes` spells it) -> 5-digit FIPS of the `us` county.
# Everything else joins by normalised name (accents, spacing, "St."/"Saint", suffixes such as
# "County", "Parish", "city", "Census Area", and "Municipality of X" / "City and Borough of X").
# Measured on zipcodes 3.0.0: these 8 rows are every ZIP (of the 50 states and DC) that carries
# a county name and still fails that join.
ZIP_COUNTY_OVERRIDES: dict[tuple[str, str], str] = {
    # Renamed in 2008; `us` has the new name.
    ("AK", "Prince of Wales-Outer Ketchikan Borough"): "02198",  # Prince of Wales-Hyder Census Area
    # ZIPs that cross a state line: the county named is in the neighbouring state.
    ("GA", "Cleburne County"): "01029",  # Cleburne County, AL
    ("ND", "McPherson County"): "46089",  # McPherson County, SD
    ("NE", "Todd County"): "46121",  # Todd County, SD
    ("OR", "Modoc County"): "06049",  # Modoc County, CA
    ("PA", "Monongalia County"): "54061",  # Monongalia County, WV
    ("VA", "McDowell County"): "54047",  # McDowell County, WV
    # 25410 Bakerton, WV: its coordinates lie south of the Potomac, in Jefferson County, WV,
    # across the river from Washington County, MD.
    ("WV", "Washington County"): "54037",  # Jefferson County, WV
}
