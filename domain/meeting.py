"""The build meeting trains every attendee (phase 1, goal 2): `python bot.py import FILE --meeting`
records each attendee's organization as trained there, one person each, dated the state's coalition
meeting (set in `/tat setup`), with the program of its sector. Each attendee is recorded once per
state (by e-mail), so importing the same list again records nothing new; `/tat progress` counts
them as it counts any training.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.sectors import Sector
from storage import attendance, coalitions

# What the meeting trains each sector's attendee in: TAT for trucking, BOTL for buses, LE for officers.
PROGRAMS = {
    Sector.TRUCKING_COMPANY: "TAT", Sector.TRUCK_STOP: "TAT",
    Sector.BUS_COMPANY: "BOTL", Sector.PUPIL_TRANSPORTATION: "BOTL", Sector.BUS_TERMINAL: "BOTL",
    Sector.LAW_ENFORCEMENT: "LE", Sector.ATTORNEY_GENERAL: "LE",
}
OFFICERS = (Sector.LAW_ENFORCEMENT, Sector.ATTORNEY_GENERAL)


@dataclass
class Recorded:
    """What an import recorded of the meeting: each state's meeting date, the new trainings by
    program, and how many attendees were recorded before."""

    meetings: dict[str, date] = field(default_factory=dict)
    by_program: Counter = field(default_factory=Counter)
    already: int = 0

    @property
    def new(self) -> int:
        return sum(self.by_program.values())


def trained_in(sector: Sector) -> tuple[str, str]:
    """An attendee's audience and program: officers in law enforcement training, everyone else as staff
    in their sector's program (TAT where none is named)."""
    return ("officers" if sector in OFFICERS else "staff"), PROGRAMS.get(sector, "TAT")


def states_without_coalition(session: Session, team: str, states: set[str]) -> list[str]:
    """The states of the list whose coalition (and so its meeting's date) is not set up in this workspace."""
    return sorted(state for state in states if coalitions.by_state(session, team, state) is None)


def record(session: Session, team: str, chunks, at: datetime) -> Recorded:
    """Record every attendee (chunks of (line, profile, status)) as trained at their state's meeting, once."""
    recorded = Recorded()
    for chunk in chunks:
        attendees = []
        for _, profile, _ in chunk:
            if profile.state not in recorded.meetings:
                recorded.meetings[profile.state] = coalitions.by_state(session, team, profile.state).meeting_date
            audience, program = trained_in(profile.sector)
            attendees.append({"state": profile.state, "email": profile.email, "organization": profile.organization,
                              "audience": audience, "program": program,
                              "trained_on": recorded.meetings[profile.state]})
        fresh = attendance.record(session, team, attendees, at)
        recorded.by_program.update(a["program"] for a in fresh)
        recorded.already += len(attendees) - len(fresh)
    return recorded
