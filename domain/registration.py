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
    existing = stakeholders.by_slack_user(session, user_id)
    before = _identity(existing) if existing else None
    who = existing or stakeholders.add(session, user_id)
    stakeholders.update_profile(session, who, profile)
    if user_id in admins:
        _approve_own(who, user_id)
        return Registered(who, is_new=existing is None, ask_admins=False)
    changed = before != _identity(who)
    if existing is None or (changed or who.status == Status.DECLINED):
        if existing is not None:
            who.revision += 1
        who.status, who.decided_by, who.decided_at = Status.PENDING, None, None
        return Registered(who, is_new=existing is None, ask_admins=True)
    return Registered(who, is_new=False, ask_admins=False)


def decide(
    session: Session, stakeholder_id: int, revision: int, admin: str, approve: bool, admins: frozenset[str]
) -> Decision:
    """Approve or decline one revision of a pending registration, once."""
    if admin not in admins:
        return Decision(Verdict.NOT_ADMIN)
    who = stakeholders.by_id(session, stakeholder_id, for_update=True)
    if who is None:
        return Decision(Verdict.GONE)
    if who.revision != revision:
        return Decision(Verdict.STALE, who)
    if who.status != Status.PENDING:
        return Decision(Verdict.ALREADY, who)
    who.status = Status.APPROVED if approve else Status.DECLINED
    who.decided_by, who.decided_at = admin, now()
    return Decision(Verdict.DECIDED, who)


def profile_of(who: Stakeholder) -> Profile:
    """The stored profile, as the form would give it back."""
    values = {f.name: getattr(who, f.name) for f in fields(Profile)}
    return Profile(**values | {"sector": Sector(who.sector), "jurisdiction": who.jurisdiction})


def _approve_own(who: Stakeholder, admin: str) -> None:
    if who.status != Status.APPROVED:
        who.status, who.decided_by, who.decided_at = Status.APPROVED, admin, now()


def _identity(who: Stakeholder) -> tuple:
    return tuple(getattr(who, name) for name in IDENTITY)
