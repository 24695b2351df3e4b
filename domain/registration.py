"""Registering stakeholders and deciding on them: who is approved, and when admins must be asked."""
from dataclasses import dataclass, fields
from enum import StrEnum

from sqlalchemy.orm import Session

from domain.profile import Profile
from domain.sectors import Sector
from storage import stakeholders
from storage.models import Stakeholder, now

# A change to any of these makes an approved registration pending again: they decide who a
# person is shown as, and to whom.
IDENTITY = ("name", "sector", "organization", "state", "county_fips", "jurisdiction", "statewide")


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True)
class Registered:
    stakeholder: Stakeholder
    is_new: bool
    ask_admins: bool


class Verdict(StrEnum):
    DECIDED = "decided"
    NOT_ADMIN = "not_admin"
    GONE = "gone"
    STALE = "stale"
    ALREADY = "already"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    stakeholder: Stakeholder | None = None


def register(session: Session, user_id: str, profile: Profile, admins: frozenset[str]) -> Registered:
    """Create or edit the caller's profile; decide whether admins must approve it."""
    who, is_new = stakeholders.claim_user(session, user_id)  # locked: edits at once take turns
    before = None if is_new else _identity(who)
    stakeholders.update_profile(session, who, profile)
    if user_id in admins:
        _approve_own(who, user_id)
        return Registered(who, is_new=is_new, ask_admins=False)
    if is_new or before != _identity(who) or who.status == Status.DECLINED:
        if not is_new:
            who.revision += 1
        who.status, who.decided_by, who.decided_at = Status.PENDING, None, None
        session.flush()
        return Registered(who, is_new=is_new, ask_admins=True)
    return Registered(who, is_new=False, ask_admins=False)


def decide(
    session: Session, stakeholder_id: int, revision: int, admin: str, approve: bool, admins: frozenset[str]
) -> Decision:
    """Approve or decline one revision of a pending registration, once: a compare-and-set, so that
    of any number of presses at once exactly one decides and the rest are told who did."""
    if admin not in admins:
        return Decision(Verdict.NOT_ADMIN)
    decided = stakeholders.decide(session, stakeholder_id, revision,
                                  Status.APPROVED if approve else Status.DECLINED, admin)
    who = stakeholders.by_id(session, stakeholder_id)
    if who is not None:
        session.refresh(who)
    if decided:
        return Decision(Verdict.DECIDED, who)
    if who is None:
        return Decision(Verdict.GONE)
    if who.revision != revision:
        return Decision(Verdict.STALE, who)
    return Decision(Verdict.ALREADY, who)


def profile_of(who: Stakeholder) -> Profile:
    """The stored profile, as the form would give it back."""
    values = {f.name: getattr(who, f.name) for f in fields(Profile)}
    return Profile(**values | {"sector": Sector(who.sector), "jurisdiction": who.jurisdiction})


def _approve_own(who: Stakeholder, admin: str) -> None:
    if who.status != Status.APPROVED:
        who.status, who.decided_by, who.decided_at = Status.APPROVED, admin, now()


def _identity(who: Stakeholder) -> tuple:
    return tuple(getattr(who, name) for name in IDENTITY)
