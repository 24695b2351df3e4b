"""`python bot.py import FILE --meeting`: every attendee of the build meeting recorded as trained there,
one person each, in their sector's program, dated the state's coalition meeting; once, however often the
list is imported; and counted in `/tat progress`."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from domain import coalitions, progress
from domain.meeting import trained_in
from domain.sectors import Sector
from localslack import payloads
from storage.db import engine_for, migrate, session_factory
from storage.models import Training
from tests import test_import
from tests.conftest import ADMIN, count_rows
from tests.test_import import GOOD, HEADER, run

environment = test_import.environment   # the import's fixture: Slack users, settings, an empty database
MEETING = date(2026, 3, 2)
TEAM = payloads.TEAM["id"]
BUS = ("Bea Bus,bea@schoolbus.example,pupil_transportation,Lincoln Public Schools Transportation,,402-555-0111,NE,"
       "Lancaster County,,,")


def set_up_coalition(url: str, state: str = "NE") -> None:
    engine = engine_for(url)
    migrate(engine)
    with session_factory(engine).begin() as session:
        setup = coalitions.Setup(state, MEETING, "C0NECOAL01", "America/Chicago", ("U0AGLEAD01",), None, (1, 3, 6))
        coalitions.save(session, TEAM, setup, ADMIN, datetime.now(UTC))
    engine.dispose()


def trainings(url: str) -> list[tuple]:
    engine = engine_for(url)
    with session_factory(engine)() as session:
        found = [(t.team_id, t.organization, t.state, t.count, t.audience, t.program, t.trained_on,
                  t.stakeholder_id is not None, t.logged_by)
                 for t in session.scalars(select(Training).order_by(Training.organization))]
    engine.dispose()
    return found


def figures(url: str):
    engine = engine_for(url)
    with session_factory(engine)() as session:
        found = progress.figures(session, TEAM, "NE")
    engine.dispose()
    return found


def test_each_attendee_is_recorded_as_trained_at_the_meeting_once_and_progress_counts_them(
        environment, tmp_path, capsys):
    set_up_coalition(environment)
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + "\n".join([*GOOD, BUS]) + "\n")

    assert run("import", listed, "--meeting") == 0
    said = capsys.readouterr().out
    assert "Recorded 5 attendee(s) as trained at the build meeting (NE on 2026-03-02): BOTL 1, LE 2, TAT 2; " \
           "0 recorded before." in said
    assert trainings(environment) == [
        (TEAM, "Big Rig Plaza LLC", "NE", 1, "staff", "TAT", MEETING, True, "meeting"),
        (TEAM, "Douglas County Sheriff", "NE", 1, "officers", "LE", MEETING, True, "meeting"),
        (TEAM, "Lincoln Public Schools Transportation", "NE", 1, "staff", "BOTL", MEETING, False, "meeting"),
        (TEAM, "Nebraska State Patrol", "NE", 1, "officers", "LE", MEETING, True, "meeting"),
        (TEAM, "Prairie Freight", "NE", 1, "staff", "TAT", MEETING, False, "meeting"),   # not in Slack, trained
    ]
    found = figures(environment)
    assert found.trained == 5 and found.by_program == {"TAT": 2, "LE": 2, "BOTL": 1}
    assert found.trained_per_month == {"TAT": {"2026-03": 2}, "LE": {"2026-03": 2}, "BOTL": {"2026-03": 1}}

    assert run("import", listed, "--meeting", "--approved") == 0
    assert "Recorded 0 attendee(s) as trained at the build meeting (NE on 2026-03-02); 5 recorded before." in \
        capsys.readouterr().out
    assert count_rows(environment, "trainings") == 5 and count_rows(environment, "meeting_attendance") == 5


def test_without_the_states_coalition_nothing_is_imported_and_it_says_so(environment, tmp_path, capsys):
    set_up_coalition(environment, "IA")
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + "\n".join(GOOD) + "\n")
    assert run("import", listed, "--meeting") == 1
    said = capsys.readouterr().out
    assert "Nothing was imported" in said and "none is set up for NE" in said and "/tat setup" in said
    assert count_rows(environment, "stakeholders") == 0 and count_rows(environment, "trainings") == 0


def test_an_import_without_meeting_records_no_training(environment, tmp_path, capsys):
    set_up_coalition(environment)
    listed = tmp_path / "meeting.csv"
    listed.write_text(HEADER + "\n".join(GOOD) + "\n")
    assert run("import", listed) == 0
    assert "as trained" not in capsys.readouterr().out
    assert count_rows(environment, "trainings") == 0


@pytest.mark.parametrize("sector, trained", [
    (Sector.TRUCKING_COMPANY, ("staff", "TAT")), (Sector.TRUCK_STOP, ("staff", "TAT")),
    (Sector.BUS_COMPANY, ("staff", "BOTL")), (Sector.PUPIL_TRANSPORTATION, ("staff", "BOTL")),
    (Sector.BUS_TERMINAL, ("staff", "BOTL")), (Sector.LAW_ENFORCEMENT, ("officers", "LE")),
    (Sector.ATTORNEY_GENERAL, ("officers", "LE")), (Sector.ASSOCIATION, ("staff", "TAT")),
    (Sector.VICTIM_SERVICES, ("staff", "TAT")),
])
def test_the_meeting_trains_each_sector_in_its_program(sector, trained):
    assert trained_in(sector) == trained
