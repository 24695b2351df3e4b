"""Contacts stay current: each approved law enforcement and victim-service contact is asked once a
year whether their details still hold.

A contact is due a question a year after they were approved or last confirmed their details; the
clock's job asks at 10:00 in the coalition's time zone on a working day, once (a compare-and-set).
Confirm records the day; saving their registration form confirms too. One who leaves the question
unanswered for 30 days is shown in `/tat contact` as unconfirmed since the day their details were
last known good, and the state's leads are told, once per question.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain import followups, localtime, notices
from domain.notices import ContactQuestion, UnconfirmedContacts
from domain.registration import CONTACT_SECTORS, Status
from storage import coalitions, stakeholders
from storage import confirmations as store
from storage.models import Coalition

YEAR = timedelta(days=365)
ANSWER_WITHIN = timedelta(days=30)


def ask_due(session: Session, at: datetime) -> int:
    """Owe every contact who is due one their yearly question; how many were queued."""
    queued = 0
    for coalition in coalitions.every(session):
        for standing in store.due_questions(session, coalition.team_id, coalition.state, at - YEAR):
            if asking_time(standing.baseline + YEAR, coalition.time_zone) > at:
                continue
            round_ = store.ask(session, coalition.team_id, standing.who.id, standing.baseline, at)
            if round_:
                question = ContactQuestion(coalition.team_id, standing.who.id, round_, standing.who.slack_user_id)
                queued += notices.queue(session, coalition.team_id, question, not_before=at)
    return queued


def asking_time(due: datetime, zone: str) -> datetime:
    """The first 10:00 in the zone on a working day (Monday to Friday) at or after `due`."""
    return localtime.next_morning(due, zone)


def tell_leads(session: Session, at: datetime) -> int:
    """Tell each state's leads which contacts left their question unanswered for 30 days (each
    question once); how many messages were queued."""
    queued = 0
    for coalition in coalitions.every(session):
        late = store.unanswered(session, coalition.team_id, coalition.state, at - ANSWER_WITHIN, untold=True)
        told = store.mark_told(session, coalition.team_id, [(s.who.id, s.round) for s in late])
        if told:
            queued += notices.queue_all(session, coalition.team_id, [
                UnconfirmedContacts(coalition.team_id, coalition.state, lead, tuple(told)) for lead in coalition.leads],
                not_before=at)
    return queued


def unconfirmed(session: Session, team: str, state: str, ids: list[int], at: datetime) -> dict[int, date]:
    """Of these contacts of a state, those shown as unconfirmed now: the day (in the state's time)
    their details were last known good."""
    since = store.unconfirmed_since(session, team, ids, at - ANSWER_WITHIN)
    return {stakeholder_id: local_day(moment, state) for stakeholder_id, moment in since.items()}


def unconfirmed_in(session: Session, coalition: Coalition, at: datetime) -> list[tuple[object, date]]:
    """A coalition's contacts shown as unconfirmed now, by name, with the day they were last known good."""
    late = store.unanswered(session, coalition.team_id, coalition.state, at - ANSWER_WITHIN)
    return [(s.who, local_day(s.baseline, coalition.state)) for s in late]


def still_unconfirmed(session: Session, team: str, pairs: list[tuple[int, int]]) -> list[tuple[object, date]]:
    """Of these (contact, round) pairs, the contacts whose question is still open and unanswered."""
    found = []
    for stakeholder_id, round_ in pairs:
        who = stakeholders.by_id(session, team, stakeholder_id)
        asked = store.question(session, team, stakeholder_id)
        if who is not None and who.status == Status.APPROVED and asked and asked[:2] == (round_, True):
            found.append((who, local_day(asked[2], who.state)))
    return found


def open_question(session: Session, notice: ContactQuestion):
    """The contact a question is for, while it is still theirs to answer; else None."""
    who = stakeholders.by_id(session, notice.team_id, notice.stakeholder_id)
    if who is None or who.status != Status.APPROVED or who.slack_user_id != notice.user:
        return None
    asked = store.question(session, notice.team_id, who.id)
    return who if asked and asked[:2] == (notice.round, True) else None


def confirm(session: Session, team: str, user: str, at: datetime, stakeholder_id: int | None = None):
    """The contact says their details hold: recorded as of `at`. Only for their own registration (an
    approved contact's); the registration, or None when it is not theirs to confirm."""
    who = stakeholders.by_slack_user(session, team, user)
    if who is None or who.status != Status.APPROVED or who.sector not in CONTACT_SECTORS:
        return None
    if stakeholder_id is not None and stakeholder_id != who.id:
        return None
    store.confirm(session, team, who.id, at)
    return who


def local_day(moment: datetime, state: str) -> date:
    """The day of a moment in the state's main time zone."""
    zones = followups.zones_of(state)
    return moment.astimezone(ZoneInfo(zones[0])).date() if zones else moment.date()
