"""What each notice the bot owes shows, gathered from the database when it is sent.

The sender asks `gather(session, notice)` in the transaction that claimed the message and hands
what it finds to the notice's renderer (handlers/notices.py), which runs no query of its own.
None means the notice no longer applies (the request was decided, the person left, the plan
changed since), and the message is dropped.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from domain import confirmations, followups, notices, places
from domain import progress as figures_of
from domain.registration import Status
from storage import coalitions, contact_changes, progress, stakeholders
from storage import resources as materials
from storage.models import Coalition, Stakeholder, Training


@dataclass(frozen=True)
class Introduced:
    site: Stakeholder
    officers: list[Stakeholder]
    where: str   # the site's county, or its state


@dataclass(frozen=True)
class Changed:
    who: Stakeholder
    changes: list[tuple[str, str, str]]   # (field, old, new)


@dataclass(frozen=True)
class Logged:
    training: Training
    organization: str
    totals: tuple[int, int]   # the organization's, the coalition's


@dataclass(frozen=True)
class Nudged:
    coalition: Coalition
    figures: figures_of.Figures   # as of the follow-up's instant


@dataclass(frozen=True)
class Asked:
    coalition: Coalition
    who: Stakeholder


@dataclass(frozen=True)
class Digest:
    coalition: Coalition
    asked: list[Stakeholder]
    days: tuple[date, date]


@dataclass(frozen=True)
class Pictured:
    """A sent message's picture: that message's notice and what it shows now."""

    notice: notices.Notice
    shown: object


def registrant(session: Session, notice) -> Stakeholder | None:
    return stakeholders.by_id(session, None, notice.stakeholder_id)


def still_pending(session: Session, notice: notices.ApprovalRequest) -> Stakeholder | None:
    who = stakeholders.by_id(session, None, notice.stakeholder_id)
    if who is None or who.revision != notice.revision or who.status != Status.PENDING:
        return None   # decided, or changed since: an admin may only approve what they are shown
    return who


def introduced(session: Session, notice: notices.Introduction) -> Introduced | None:
    site = stakeholders.by_id(session, None, notice.site_id)
    officers = [o for o in map(lambda i: stakeholders.by_id(session, None, i), notice.officer_ids)
                if o is not None and o.status == Status.APPROVED]
    if site is None or site.status != Status.APPROVED or not officers:
        return None   # no longer approved: nobody is introduced to them
    county = places.county_by_fips(site.county_fips) if site.county_fips else None
    return Introduced(site, officers, county.label if county else site.state)


def changed(session: Session, notice: notices.ContactChanged) -> Changed | None:
    changes = contact_changes.by_ids(session, list(notice.change_ids))
    who = changes and stakeholders.by_id(session, None, changes[0].stakeholder_id)
    return Changed(who, [(c.field, c.old_value, c.new_value) for c in changes]) if who else None


def _training(session: Session, notice) -> Training | None:
    row = session.get(Training, notice.training_id)
    if row is None or (notice.token and row.token != notice.token):
        return None   # undone (its id may be another training's now)
    return row


def logged(session: Session, notice: notices.TrainingLogged) -> Logged | None:
    row = _training(session, notice)
    if row is None:
        return None
    who = stakeholders.by_slack_user(session, row.team_id, row.logged_by)
    totals = (progress.trained_total(session, row.team_id, row.state, row.organization),
              progress.trained_total(session, row.team_id, row.state))
    return Logged(row, who.organization if who else row.organization, totals)


def celebrated(session: Session, notice: notices.TrainingCelebration) -> Training | None:
    row = _training(session, notice)
    if row is None or progress.opted_out(session, row.team_id, row.state, row.organization):
        return None
    return row


def nudged(session: Session, notice: notices.FollowupNudge) -> Nudged | None:
    coalition = coalitions.by_id(session, notice.coalition_id)
    if coalition is None or coalition.revision != notice.revision or notice.months not in coalition.offsets:
        return None   # re-planned since: the current plan's post replaces this one
    at = followups.followup_at(coalition.meeting_date, notice.months, coalition.time_zone)
    return Nudged(coalition, figures_of.figures(session, coalition.team_id, coalition.state, at))


def asked(session: Session, notice: notices.CheckIn) -> Asked | None:
    coalition = coalitions.by_id(session, notice.coalition_id)
    who = stakeholders.by_id(session, None, notice.stakeholder_id)
    if coalition is None or who is None or who.status != Status.APPROVED or who.state != coalition.state \
            or notice.months not in coalition.offsets:
        return None   # no longer theirs to answer, or the follow-up was dropped from the plan
    return Asked(coalition, who)


def reminded(session: Session, notice: notices.CheckInReminder) -> Asked | None:
    check_in = notices.CheckIn(notice.coalition_id, notice.months, notice.stakeholder_id, notice.user)
    if not any(r.sent_at for r in coalitions.outbox_rows(session, check_in.key)):
        return None   # the check-in itself never went out
    found = asked(session, check_in)
    if found and coalitions.answer_of(session, found.coalition.team_id, found.coalition.id, notice.months,
                                      notice.stakeholder_id):
        return None   # answered by now
    return found


def coalition_of(session: Session, notice: notices.LeadAlert) -> Coalition | None:
    return coalitions.by_id(session, notice.coalition_id)


def questioned(session: Session, notice: notices.ContactQuestion) -> Stakeholder | None:
    return confirmations.open_question(session, notice)


def left(session: Session, notice: notices.MemberLeft) -> Stakeholder | None:
    who = stakeholders.by_id(session, notice.team_id, notice.stakeholder_id)
    if who is None or who.status != Status.DEACTIVATED or who.revision != notice.revision:
        return None   # back in Slack since: an approver hears of them instead
    return who


def unconfirmed(session: Session, notice: notices.UnconfirmedContacts) -> list[tuple[object, date]] | None:
    return confirmations.still_unconfirmed(session, notice.team_id, [tuple(p) for p in notice.contacts]) or None


def digest(session: Session, notice: notices.MaterialsDigest) -> Digest | None:
    coalition = coalitions.by_id(session, notice.coalition_id)
    if coalition is None or notice.lead not in coalition.leads:
        return None
    since, until = notice.window()
    asked_for = materials.materials_asked(session, coalition.team_id, coalition.id, since, until)
    return Digest(coalition, asked_for, notice.days(coalition.time_zone)) if asked_for else None


def pictured(session: Session, notice: notices.PictureOf) -> Pictured | None:
    sent = notices.from_row(notice.of_kind, notice.of_params)
    if sent is None:
        raise notices.UnknownKind(notice.of_kind)
    shown = gather(session, sent)
    return Pictured(sent, shown) if shown is not None else None


GATHER: dict[str, Callable[[Session, notices.Notice], object | None]] = {
    notices.RegistrationSaved.kind: registrant,
    notices.ApprovalRequest.kind: still_pending,
    notices.DecisionNews.kind: registrant,
    notices.RequestSettled.kind: registrant,
    notices.Introduction.kind: introduced,
    notices.ContactChanged.kind: changed,
    notices.TrainingLogged.kind: logged,
    notices.TrainingCelebration.kind: celebrated,
    notices.FollowupNudge.kind: nudged,
    notices.CheckIn.kind: asked,
    notices.CheckInReminder.kind: reminded,
    notices.LeadAlert.kind: coalition_of,
    notices.ContactQuestion.kind: questioned,
    notices.MemberLeft.kind: left,
    notices.UnconfirmedContacts.kind: unconfirmed,
    notices.MaterialsDigest.kind: digest,
    notices.PictureOf.kind: pictured,
}


def gather(session: Session, notice: notices.Notice) -> object | None:
    """What this notice shows as of now; None once it no longer applies."""
    if notice.kind not in GATHER:
        raise notices.UnknownKind(notice.kind)
    return GATHER[notice.kind](session, notice)


def gather_row(session: Session, kind: str, params: dict) -> tuple[notices.Notice, object | None]:
    """A queued row's notice and what it shows (for the sender); raises UnknownKind for a kind not known here."""
    notice = notices.from_row(kind, params)
    if notice is None:
        raise notices.UnknownKind(kind)
    return notice, gather(session, notice)

