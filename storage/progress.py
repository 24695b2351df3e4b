"""Reading and writing phase-2 figures: trainings, distribution points, reports, milestones, hotline
figures. Every query filters by the Slack team the rows belong to. Functions take the session
first and never commit."""
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage import introductions as introductions_made
from storage.db import lower_as
from storage.models import (
    CelebrationOptOut,
    DistributionPoint,
    HotlineFigure,
    Milestone,
    Report,
    Stakeholder,
    Training,
)


def add_training(session: Session, team: str, who: Stakeholder, count: int, audience: str, program: str,
                 on: date, at: datetime) -> Training:
    training = Training(team_id=team, stakeholder_id=who.id, logged_by=who.slack_user_id,
                        organization=who.organization, state=who.state, count=count, audience=audience,
                        program=program, trained_on=on, created_at=at)
    session.add(training)
    session.flush()
    return training


def training(session: Session, team: str, training_id: int) -> Training | None:
    return session.scalar(select(Training).where(Training.team_id == team, Training.id == training_id))


def undo_training(session: Session, team: str, training_id: int, user: str, since: datetime,
                  token: str | None = None) -> bool:
    """Delete a training its logger undoes, as a compare-and-set: False if it is gone, not theirs or too old
    (or, given its token, another training that has its id since)."""
    gone = session.execute(delete(Training).where(
        Training.team_id == team, Training.id == training_id, Training.logged_by == user,
        Training.created_at >= since, *((Training.token == token,) if token else ())
    ).execution_options(synchronize_session=False))
    return gone.rowcount == 1


def trained_total(session: Session, team: str, state: str, organization: str | None = None) -> int:
    """People trained in a state's coalition, or by one organization of it."""
    query = select(func.coalesce(func.sum(Training.count), 0)).where(Training.team_id == team,
                                                                     Training.state == state)
    if organization is not None:
        folded = lower_as(session.get_bind().dialect.name, organization)   # "Öl GmbH" on SQLite too
        query = query.where(func.lower(Training.organization) == folded)
    return int(session.scalar(query))


def month_of(session: Session, column):
    """A date column as its month, "YYYY-MM", computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def trained_by_month(session: Session, team: str, state: str) -> list[tuple[str, str, str, int]]:
    """People trained in a state, summed by the database per program, audience and month:
    (program, audience, "YYYY-MM", people) rows, as many as there are such groups, not trainings."""
    month = month_of(session, Training.trained_on).label("month")
    rows = session.execute(select(Training.program, Training.audience, month, func.sum(Training.count))
                           .where(Training.team_id == team, Training.state == state)
                           .group_by(Training.program, Training.audience, month))
    return [(program, audience, str(month), int(people)) for program, audience, month, people in rows]


def set_distribution(session: Session, team: str, who: Stakeholder, on: bool, at: datetime) -> bool:
    """Mark or unmark a distribution point; False when it already was as asked."""
    existing = session.get(DistributionPoint, (team, who.id))
    if on and existing is None:
        session.add(DistributionPoint(team_id=team, stakeholder_id=who.id, state=who.state, since=at))
        session.flush()
        return True
    if not on and existing is not None:
        session.delete(existing)
        session.flush()
        return True
    return False


def is_distribution_point(session: Session, team: str, who: Stakeholder) -> bool:
    return session.get(DistributionPoint, (team, who.id)) is not None


def add_report(session: Session, team: str, who: Stakeholder, made_to: str, on: date, at: datetime) -> Report:
    report = Report(team_id=team, stakeholder_id=who.id, state=who.state, made_to=made_to, reported_on=on,
                    created_at=at)
    session.add(report)
    session.flush()
    return report


def reports_by_month(session: Session, team: str, state: str) -> list[tuple[str, str, int]]:
    """Reports made in a state, counted by the database per destination and month: (made_to, "YYYY-MM", how many)."""
    month = month_of(session, Report.reported_on).label("month")
    rows = session.execute(select(Report.made_to, month, func.count())
                           .where(Report.team_id == team, Report.state == state)
                           .group_by(Report.made_to, month))
    return [(made_to, str(month), int(made)) for made_to, month, made in rows]


def add_milestone(session: Session, team: str, state: str, kind: str, on: date, note: str | None, by: str,
                  at: datetime) -> Milestone:
    milestone = Milestone(team_id=team, state=state, kind=kind, reached_on=on, note=note, recorded_by=by,
                          created_at=at)
    session.add(milestone)
    session.flush()
    return milestone


def milestones(session: Session, team: str, state: str) -> list[Milestone]:
    return list(session.scalars(select(Milestone).where(Milestone.team_id == team, Milestone.state == state)
                                .order_by(Milestone.reached_on, Milestone.id)))


def record_hotline_figure(session: Session, team: str, state: str, period: str, count: int, source: str,
                          by: str, at: datetime) -> bool:
    """Store the official figure for a period, replacing an earlier one; True when it replaced one."""
    existing = session.scalar(select(HotlineFigure).where(
        HotlineFigure.team_id == team, HotlineFigure.state == state, HotlineFigure.period == period
    ).with_for_update())
    if existing is None:
        session.add(HotlineFigure(team_id=team, state=state, period=period, count=count, source=source,
                                  recorded_by=by, recorded_at=at))
    else:
        existing.count, existing.source, existing.recorded_by, existing.recorded_at = count, source, by, at
    session.flush()
    return existing is not None


def hotline_figures(session: Session, team: str, state: str) -> list[HotlineFigure]:
    return list(session.scalars(select(HotlineFigure).where(HotlineFigure.team_id == team,
                                                            HotlineFigure.state == state)
                                .order_by(HotlineFigure.period)))


def distribution_points(session: Session, team: str, state: str) -> int:
    return int(session.scalar(select(func.count()).select_from(DistributionPoint).where(
        DistributionPoint.team_id == team, DistributionPoint.state == state)))


def stakeholders_by_sector(session: Session, team: str, state: str) -> dict[str, int]:
    """The workspace's approved stakeholders of a state by sector."""
    rows = session.execute(select(Stakeholder.sector, func.count()).where(
        Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.status == "approved",
    ).group_by(Stakeholder.sector))
    return {sector: count for sector, count in rows}


def waiting(session: Session, team: str, state: str) -> int:
    """The workspace's registrations of a state waiting for a decision."""
    return session.scalar(select(func.count()).select_from(Stakeholder).where(
        Stakeholder.team_id == team, Stakeholder.state == state, Stakeholder.status == "pending"))


def introductions(session: Session, team: str, state: str) -> int:
    """Site–officer introductions made in a state."""
    return introductions_made.count_in_state(session, team, state)


def opted_out(session: Session, team: str, state: str, organization: str) -> bool:
    return session.get(CelebrationOptOut, (team, state, organization.lower())) is not None


def set_celebrations(session: Session, team: str, state: str, organization: str, on: bool, by: str) -> None:
    existing = session.get(CelebrationOptOut, (team, state, organization.lower()))
    if on and existing is not None:
        session.delete(existing)
    elif not on and existing is None:
        session.add(CelebrationOptOut(team_id=team, state=state, organization=organization.lower(), by=by))
    session.flush()
