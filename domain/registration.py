"""Registering stakeholders and deciding on them: who is approved, and when admins must be asked."""
import logging
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from domain import approvals, introductions, notices
from domain.notices import ApprovalRequest, ContactChanged, DecisionNews, RegistrationSaved, RequestSettled
from domain.profile import Profile
from domain.sectors import Sector
from storage import approvals as approvals_store
from storage import coalitions, contact_changes, outbox, stakeholders
from storage.db import now_in
from storage.models import Stakeholder

log = logging.getLogger(__name__)

# A change to any of these makes an approved registration pending again: they decide who a
# person is shown as, and to whom.
IDENTITY = ("name", "sector", "organization", "state", "county_fips", "jurisdiction", "statewide")


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    DEACTIVATED = "deactivated"   # deactivated in Slack: out of the directory (domain/members.py)


# An approved contact may change these without a new approval; the admins are told, and it is audited.
CONTACT = ("phone", "email")
CONTACT_SECTORS = (Sector.LAW_ENFORCEMENT, Sector.ATTORNEY_GENERAL, Sector.VICTIM_SERVICES)


@dataclass(frozen=True)
class Registered:
    stakeholder: Stakeholder
    is_new: bool
    ask_admins: bool
    newly_approved: bool = False                        # an admin registering is approved at once
    was_waiting: bool = False                           # pending before this edit (its one entry is updated)
    contact_changes: tuple[tuple[str, str, str], ...] = ()   # (field, old, new) of an approved contact


class Verdict(StrEnum):
    DECIDED = "decided"
    OWN = "own"              # nobody decides about themselves, admin or lead
    NOT_ADMIN = "not_admin"
    GONE = "gone"
    STALE = "stale"
    ALREADY = "already"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    stakeholder: Stakeholder | None = None


def register(session: Session, user_id: str, profile: Profile, admins: frozenset[str], form: str,
             team_id: str, at: datetime | None = None) -> Registered:
    """Create or edit the caller's profile, decide whether admins must approve it, and owe the
    registrant a note (once per `form`: a replayed form is the same note); a registration to approve
    reaches the admins (and the approved leads of the state's coalition in the workspace) in each
    one's message of waiting registrations (domain/approvals.py): one entry a person, however often
    they edit it."""
    at = at or now_in(session)
    done = _save(session, team_id, user_id, profile, admins)
    who = done.stakeholder
    owed: list[notices.Notice] = [RegistrationSaved(who.id, user_id, form, done.ask_admins, done.is_new,
                                                                   who.token or "")]
    if done.newly_approved:
        introductions.on_approved(session, team_id, who)
    if done.contact_changes:
        _tell_contact_changes(session, team_id, who, done.contact_changes, admins)
    if done.ask_admins:
        if not done.is_new:
            outbox.cancel_unsent(session, ApprovalRequest.prefix(who.id), now_in(session))   # older revisions
        approvals.owe(session, team_id, approvers_of(session, admins, team_id, who), admins, at,
                      arriving=0 if done.was_waiting else 1)
        if not admins:
            log.warning("stakeholder %s awaits approval but TAT_ADMINS is empty", who.id)
    notices.queue_all(session, team_id, owed)
    return done


def ask_admins(session: Session, who: Stakeholder, admins: frozenset[str], is_new: bool,
               at: datetime | None = None) -> int:
    """This registration waits for the admins (and the state's approved coalition leads) of the person's
    workspace: it appears in each one's message of waiting registrations; how many messages were newly
    owed."""
    return approvals.owe(session, who.team_id, approvers_of(session, admins, who.team_id, who), admins,
                         at or now_in(session), arriving=1)


def approvers(session: Session, admins: frozenset[str], team_id: str | None, state: str) -> frozenset[str]:
    """Who may approve a registration in a state: TAT_ADMINS, and that state's coalition leads while
    they are approved members themselves (a lead waiting for approval sees nobody's details)."""
    leads = coalitions.leads_of(session, team_id, state)
    members = (stakeholders.by_slack_user(session, team_id or "", lead) for lead in leads)
    approved = {who.slack_user_id for who in members if who is not None and who.status == Status.APPROVED}
    return admins | frozenset(approved)


def approvers_of(session: Session, admins: frozenset[str], team_id: str | None, who: Stakeholder) -> frozenset[str]:
    """Who may decide on this person's registration: never the person themselves."""
    return approvers(session, admins, team_id, who.state) - {who.slack_user_id}


def offer_waiting(session: Session, team_id: str, admins: frozenset[str], at: datetime | None = None) -> int:
    """The workspace's registrations that wait reach every admin configured now who never had a message
    of them there (one made while TAT_ADMINS was empty, say)."""
    fresh = [admin for admin in sorted(admins) if not approvals_store.has_any(session, team_id, admin)
             and stakeholders.pending_count(session, team_id, excluding=admin)]
    return approvals.owe(session, team_id, fresh, admins, at or now_in(session),
                         arriving=stakeholders.pending_count(session, team_id))


def _save(session: Session, team_id: str, user_id: str, profile: Profile, admins: frozenset[str]) -> Registered:
    who, is_new = stakeholders.claim_user(session, team_id, user_id)  # locked: edits at once take turns
    before = None if is_new else _identity(who)
    contact_before = {name: getattr(who, name) for name in CONTACT}
    was_approved, was_waiting = who.status == Status.APPROVED, not is_new and who.status == Status.PENDING
    stakeholders.update_profile(session, who, profile)
    if user_id in admins:
        _approve_own(who, user_id, now_in(session))
        return Registered(who, is_new=is_new, ask_admins=False, newly_approved=not was_approved)
    if is_new or before != _identity(who) or who.status == Status.DECLINED:
        if not is_new:
            who.revision += 1
        who.status, who.decided_by, who.decided_at = Status.PENDING, None, None
        session.flush()
        return Registered(who, is_new=is_new, ask_admins=True, was_waiting=was_waiting)
    changes = tuple((name, contact_before[name], getattr(who, name)) for name in CONTACT
                    if contact_before[name] != getattr(who, name))
    audited = was_approved and Sector(who.sector) in CONTACT_SECTORS
    return Registered(who, is_new=False, ask_admins=False, contact_changes=changes if audited else ())


def _tell_contact_changes(session: Session, team_id: str, who: Stakeholder, changes, admins: frozenset[str]) -> None:
    """Keep each change in the audit, and owe every admin a note of it."""
    kept = [contact_changes.record(session, team_id, who.id, name, old, new, who.slack_user_id)
            for name, old, new in changes]
    ids, tokens = tuple(c.id for c in kept), tuple(c.token or "" for c in kept)
    for admin in sorted(admins - {who.slack_user_id}):
        notices.queue(session, team_id, ContactChanged(ids, admin, tokens if all(tokens) else ()))


def decide(
    session: Session, stakeholder_id: int, revision: int, admin: str, approve: bool, admins: frozenset[str],
    team_id: str, at: datetime | None = None,
) -> Decision:
    """Approve or decline one revision of a pending registration, once: a compare-and-set, so that
    of any number of presses at once exactly one decides and the rest are told who did. An admin,
    or a lead of the registrant's state's coalition, decides."""
    who = stakeholders.by_id(session, team_id, stakeholder_id)   # an id from another workspace is gone
    if who is not None and who.slack_user_id == admin:
        return Decision(Verdict.OWN, who)
    if admin not in approvers(session, admins, team_id, who.state if who else ""):
        return Decision(Verdict.NOT_ADMIN)
    decided = stakeholders.decide(session, team_id, stakeholder_id, revision,
                                  Status.APPROVED if approve else Status.DECLINED, admin, at=at)
    who = stakeholders.by_id(session, team_id, stakeholder_id)
    if who is not None:
        session.refresh(who)
    if decided:
        _tell_decision(session, who, approve, admin, team_id, admins, at or now_in(session))
        return Decision(Verdict.DECIDED, who)
    if who is None:
        return Decision(Verdict.GONE)
    if who.revision != revision:
        return Decision(Verdict.STALE, who)
    return Decision(Verdict.ALREADY, who)


def _tell_decision(session: Session, who: Stakeholder, approve: bool, admin: str, team_id: str,
                   admins: frozenset[str], at: datetime) -> None:
    """The registrant is told; every approver's message of waiting registrations shows the decision
    (and requests of the bot's earlier versions are settled); an approved site or officer is
    introduced to the other side (each pair once)."""
    notices.queue(session, team_id, DecisionNews(who.id, who.revision, who.slack_user_id, approve, who.token or ""))
    approvals.owe(session, team_id, approvers_of(session, admins, team_id, who) | {admin}, admins, at)
    if approve:
        introductions.on_approved(session, team_id, who)
    prefix = ApprovalRequest.prefix(who.id, who.revision)
    outbox.cancel_unsent(session, prefix, now_in(session))
    for channel, ts in outbox.sent_messages(session, prefix):
        notices.queue(session, team_id, RequestSettled(who.id, who.revision, approve, admin, channel, ts))


def profile_of(who: Stakeholder) -> Profile:
    """The stored profile, as the form would give it back."""
    values = {f.name: getattr(who, f.name) for f in fields(Profile)}
    return Profile(**values | {"sector": Sector(who.sector), "jurisdiction": who.jurisdiction})


def _approve_own(who: Stakeholder, admin: str, at: datetime) -> None:
    if who.status != Status.APPROVED:
        who.status, who.decided_by, who.decided_at = Status.APPROVED, admin, at


def _identity(who: Stakeholder) -> tuple:
    return tuple(getattr(who, name) for name in IDENTITY)
