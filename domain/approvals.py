"""Each approver's one message of the registrations waiting for them, kept current.

A meeting's worth of registrations must not bury an approver in one DM each, nor keep their DM
busy for minutes at Slack's one message a second a conversation. So every approver (an admin, or
an approved lead of the state) has one message per *generation*: posted when something first
waits for them, then updated in place (`chat.update`) as registrations arrive, change and are
decided, by anyone. Everything goes through the outbox, so each post and update is delivered
exactly once, and is rendered when it is sent, from what waits then.

One chain of sends a message: every change raises the approver's `version`; when no send of the
message is owed or on its way, the change owes an update at once; otherwise it rides on the one
owed. Once Slack has a send, its check is owed THROTTLE later (`followers`), and updates the
message again only if the version moved meanwhile, else ends the chain. So the sends to one
approver never overtake one another, come at most one per THROTTLE (within Slack's one a second
a conversation), and a burst of 150 registrations in a minute makes some 30 calls, not 150; the
last change is shown at most THROTTLE after the one before it went out.

When registrations arrive and nothing else waited for the approver, they get a new message (Slack
notifies of a post, not of an update), and the old one says where the list went. Changes and
renders of one approver's message take turns on its row (`storage.approvals.locked`), so a send
never shows less than the changes committed before it.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from domain import notices
from domain.notices import ApprovalDigest, DigestUpdate
from domain.profile import Profile
from storage import approvals, stakeholders
from storage.outbox import Claimed

SHOWN = 20                       # two blocks each: with the head and foot, within Slack's 50 a message
SETTLED_SHOWN = 5                # recent decisions named under the list
THROTTLE = timedelta(seconds=2)  # between updates of one approver's message


@dataclass(frozen=True)
class Waiting:
    stakeholder_id: int
    revision: int
    user: str
    profile: Profile
    is_new: bool


@dataclass(frozen=True)
class Settled:
    user: str
    name: str
    organization: str
    approved: bool
    decided_by: str | None


@dataclass(frozen=True)
class Digest:
    """What one approver's message shows: how many wait (by state), the oldest SHOWN of them, and the
    latest decisions since the message was first posted."""

    approver: str
    total: int
    by_state: dict[str, int]
    shown: list[Waiting]
    settled: list[Settled]
    superseded: bool = False   # an older message: the list moved to a newer one


def owe(session: Session, team_id: str, approvers: Iterable[str], admins: frozenset[str], at: datetime,
        arriving: int = 0) -> int:
    """What waits for these approvers changed (`arriving`: how many registrations newly wait; none for a
    decision or an edit of one waiting): each one's message is owed, posted or updated. How many
    messages were newly owed."""
    owed = 0
    for approver in sorted(set(approvers)):
        if arriving:
            digest, made = approvals.locked(session, team_id, approver, at)
        else:   # a decision or an edit: only a message that exists is kept current
            digest, made = approvals.existing(session, team_id, approver), False
            if digest is None:
                continue
        digest.version += 1
        post = ApprovalDigest(team_id, approver, digest.generation, approver in admins)
        state, channel, ts = approvals.message_state(session, post.key)
        if arriving and (made or state in ("gone", "missing") or (
                state == "sent" and waiting_for(session, team_id, approver, post.admin) <= arriving)):
            owed += _new_generation(session, digest, post, made, state, channel, ts, at)
        elif state == "sent" and (digest.owed_key is None
                                  or approvals.message_state(session, digest.owed_key)[0] in ("gone", "missing")):
            digest.updates += 1
            update = DigestUpdate(team_id, approver, digest.generation, post.admin, channel, ts, number=digest.updates)
            owed += notices.queue(session, team_id, update, not_before=at)
            digest.owed_key = update.key
        # else: a send is owed or on its way; the change rides on it (or on its check, once it is sent)
    session.flush()
    return owed


def _new_generation(session: Session, digest, post: ApprovalDigest, made: bool, state: str, channel, ts,
                    at: datetime) -> int:
    """A new message for the approver; the one before (if Slack has it) says where the list went."""
    owed = 0
    if not made:
        if state == "sent":
            moved = DigestUpdate(post.team_id, post.approver, digest.generation, post.admin, channel, ts, moved=True)
            owed += notices.queue(session, post.team_id, moved, not_before=at + THROTTLE)
        digest.generation += 1
    fresh = ApprovalDigest(post.team_id, post.approver, digest.generation, post.admin)
    digest.started_at, digest.owed_key = at, fresh.key
    return owed + notices.queue(session, post.team_id, fresh, not_before=at)


def for_sending(session: Session, notice: ApprovalDigest | DigestUpdate) -> Digest | None:
    """What an approver's message shows as it is sent, or None when it need not be sent: a check with
    nothing new since the message last showed (which ends the chain of sends), or a send of a message
    no longer kept."""
    digest = approvals.existing(session, notice.team_id, notice.approver)
    if digest is None or notice.generation > digest.generation:
        return None
    if notice.generation < digest.generation:
        moved = isinstance(notice, DigestUpdate) and notice.moved
        return Digest(notice.approver, 0, {}, [], [], superseded=True) if moved else None
    links = {notice.key, getattr(notice, "after", "")} - {""}
    if isinstance(notice, DigestUpdate) and digest.version == digest.shown_version:
        if digest.owed_key in links:
            digest.owed_key = None
        return None
    shown = gather(session, notice.team_id, notice.approver, notice.admin, digest.started_at)
    if isinstance(notice, ApprovalDigest) and not shown.total:   # all decided before it went: not worth a post
        digest.owed_key = None if digest.owed_key in links else digest.owed_key
        return None
    digest.shown_version = digest.version
    if digest.owed_key in links or digest.owed_key is None:
        digest.owed_key = notice.key
    session.flush()
    return shown


def gather(session: Session, team_id: str, approver: str, admin: bool, since: datetime) -> Digest:
    """What waits for an approver: every state's registrations for an admin, their states' for a lead
    who is an approved member; never their own."""
    states = None if admin else lead_states(session, team_id, approver)
    by_state = approvals.waiting_by_state(session, team_id, approver, states)
    waiting = approvals.waiting(session, team_id, approver, states, SHOWN)
    settled = approvals.decided_since(session, team_id, approver, states, since, SETTLED_SHOWN)
    from domain.registration import profile_of

    return Digest(approver, sum(by_state.values()), by_state,
                  [Waiting(w.id, w.revision, w.slack_user_id, profile_of(w), w.revision == 1) for w in waiting],
                  [Settled(s.slack_user_id, s.name, s.organization, s.status == "approved", s.decided_by)
                   for s in settled])


def waiting_for(session: Session, team_id: str, approver: str, admin: bool) -> int:
    """How many registrations wait for this approver."""
    states = None if admin else lead_states(session, team_id, approver)
    return sum(approvals.waiting_by_state(session, team_id, approver, states).values())


def lead_states(session: Session, team_id: str, lead: str) -> list[str]:
    """The states a lead decides for: those whose coalition they lead, while they are an approved member."""
    member = stakeholders.by_slack_user(session, team_id, lead)
    if member is None or member.status != "approved":
        return []
    return approvals.led_states(session, team_id, lead)


def followers(message: Claimed, channel: str, ts: str, at: datetime) -> list[tuple[DigestUpdate, datetime]]:
    """What a sent message brings with it: a send of an approver's message, its check THROTTLE later
    (for the changes made while it was on its way), with when it is due."""
    if message.kind not in (ApprovalDigest.kind, DigestUpdate.kind):
        return []
    sent = notices.from_row(message.kind, message.params or {})
    if sent is None or getattr(sent, "moved", False):
        return []
    return [(DigestUpdate(sent.team_id, sent.approver, sent.generation, sent.admin, channel, ts, after=message.key),
             at + THROTTLE)]
