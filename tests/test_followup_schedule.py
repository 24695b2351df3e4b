"""When follow-ups fall: a table of meetings, offsets and time zones, with month ends, weekends and DST."""
from datetime import UTC, date, datetime

import pytest

from domain import checklist, followups
from domain.followups import followup_at, followup_day, parse_offsets, working_days_after, zones_of
from domain.progress import Figures

# meeting, months, zone, the follow-up instant in UTC
SCHEDULE = [
    (date(2026, 1, 14), 1, "America/Chicago", datetime(2026, 2, 16, 16, 0, tzinfo=UTC)),   # Sat 14 Feb → Mon 16
    (date(2026, 1, 31), 1, "America/Chicago", datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),    # Feb 28 is a Saturday
    (date(2027, 1, 31), 1, "America/New_York", datetime(2027, 3, 1, 15, 0, tzinfo=UTC)),   # Sun 28 Feb → Mon 1 Mar
    (date(2027, 11, 30), 3, "America/Chicago", datetime(2028, 2, 29, 16, 0, tzinfo=UTC)),  # a leap-year month end
    (date(2026, 8, 31), 6, "America/Chicago", datetime(2027, 3, 1, 16, 0, tzinfo=UTC)),    # Feb 28 2027 a Sunday
    (date(2026, 2, 9), 1, "America/Chicago", datetime(2026, 3, 9, 15, 0, tzinfo=UTC)),     # CDT began 8 March
    (date(2026, 2, 7), 1, "America/Chicago", datetime(2026, 3, 9, 15, 0, tzinfo=UTC)),     # Sat 7 Mar → DST Monday
    (date(2026, 10, 2), 1, "America/Denver", datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),    # MST again from 1 Nov
    (date(2026, 5, 4), 3, "America/Phoenix", datetime(2026, 8, 4, 17, 0, tzinfo=UTC)),     # Arizona keeps MST
    (date(2026, 4, 6), 1, "Pacific/Honolulu", datetime(2026, 5, 6, 20, 0, tzinfo=UTC)),
    (date(2026, 3, 2), 6, "America/Anchorage", datetime(2026, 9, 2, 18, 0, tzinfo=UTC)),
    (date(2026, 6, 15), 1, "America/New_York", datetime(2026, 7, 15, 14, 0, tzinfo=UTC)),  # a plain Wednesday
]


@pytest.mark.parametrize("meeting, months, zone, expected", SCHEDULE)
def test_a_follow_up_is_at_ten_local_on_a_weekday_months_after_the_meeting(meeting, months, zone, expected):
    assert followup_at(meeting, months, zone) == expected


@pytest.mark.parametrize("meeting, months, day", [
    (date(2026, 1, 31), 1, date(2026, 3, 2)),     # 28 Feb (Sat) → Monday
    (date(2026, 3, 31), 1, date(2026, 4, 30)),    # April has 30 days
    (date(2026, 12, 31), 6, date(2027, 6, 30)),
    (date(2026, 1, 30), 1, date(2026, 3, 2)),
    (date(2026, 5, 4), 1, date(2026, 6, 4)),
])
def test_month_ends_stay_month_ends_and_weekends_move_to_monday(meeting, months, day):
    assert followup_day(meeting, months) == day and day.weekday() < 5


@pytest.mark.parametrize("start, zone, expected", [
    (datetime(2026, 3, 4, 16, 0, tzinfo=UTC), "America/Chicago", datetime(2026, 3, 9, 15, 0, tzinfo=UTC)),  # DST
    (datetime(2026, 6, 1, 14, 0, tzinfo=UTC), "America/New_York", datetime(2026, 6, 4, 14, 0, tzinfo=UTC)),  # Mon→Thu
    (datetime(2026, 10, 30, 16, 0, tzinfo=UTC), "America/Denver", datetime(2026, 11, 4, 17, 0, tzinfo=UTC)),
])
def test_a_reminder_comes_three_working_days_later_at_the_same_local_time(start, zone, expected):
    assert working_days_after(start, 3, zone) == expected


@pytest.mark.parametrize("state, zones", [
    ("NE", ["America/Chicago", "America/Denver"]),
    ("TN", ["America/Chicago", "America/New_York"]),
    ("IA", ["America/Chicago"]),
    ("ZZ", []),
])
def test_a_state_defaults_to_its_capitals_time_zone_and_lists_its_others(state, zones):
    assert zones_of(state) == zones


@pytest.mark.parametrize("typed, months", [("", [1, 3, 6]), ("1, 3, 6", [1, 3, 6]), ("2 4", [2, 4]),
                                           ("6,1,3,3", [1, 3, 6])])
def test_offsets_are_read_as_months(typed, months):
    assert parse_offsets(typed) == months


@pytest.mark.parametrize("typed", ["one, three", "0", "1, 30", "1 2 3 4 5 6 7"])
def test_bad_offsets_say_what_is_right(typed):
    with pytest.raises(ValueError, match="like 1, 3, 6"):
        parse_offsets(typed)


def test_each_stage_has_a_checklist_and_a_next_step():
    for months in (1, 2, 3, 4, 6, 9, 12):
        assert checklist.checklist(months) and followups.next_step(months)


def figures(**shown) -> Figures:
    """A coalition's figures: nothing yet, but what is given."""
    nothing = dict(state="NE", by_sector={}, introductions=0, trained=0, by_program={}, by_audience={},
                   distribution_points=0, reports={}, hotline=[], milestones=[], next_followup=None,
                   build_meeting=None)
    return Figures(**{**nothing, **shown})


STARTED = dict(by_sector={"truck_stop": 1, "law_enforcement": 1}, introductions=1, trained=25,
               by_program={"TAT": 25}, by_audience={"employees": 25}, distribution_points=1)


@pytest.mark.parametrize("months, shown, ticks", [
    (1, {}, [False, False, False, False]),
    (1, STARTED, [True, True, True, True]),
    (1, {**STARTED, "waiting": 2}, [False, True, True, True]),          # not everyone approved yet
    (1, {**STARTED, "by_program": {"LE": 25}}, [True, True, False, True]),   # officers only: no industry training
    (2, STARTED, [True, True, True, True]),                              # counts as the 1-month stage
    (3, STARTED, [False, False, False, False]),
    (3, {**STARTED, "by_program": {"TAT": 20, "LE": 5},
         "milestones": [("mve_materials", date(2026, 3, 1), None), ("mve_executive_order", date(2026, 3, 2), None)]},
     [True, True, False, True]),
    (6, {**STARTED, "milestones": [("cdl_mandate", date(2026, 5, 1), None)]}, [False, True, False, False]),
    (12, STARTED, [True, True, False]),
])
def test_the_checklist_ticks_what_the_figures_show(months, shown, ticks):
    assert [done for _, done in checklist.ticked(months, figures(**shown))] == ticks

