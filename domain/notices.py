"""The messages the bot owes, as typed notices: who is told what, decided here, with no Slack in it.

A notice names what it refers to (ids, revisions), not its words: it is queued in the outbox
with the change that causes it, under a key built in one place (`key`), and rendered when it is
sent, from what it refers to then. `handlers/notices.py` holds the renderer of each kind.
"""
import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage import outbox
from storage.db import now_in


class UnknownKind(LookupError):
    """A queued message of a kind this version cannot render (a newer version queued it, say)."""


@dataclass(frozen=True)
class Notice:
    kind: ClassVar[str]
    method: ClassVar[str] = "chat.postMessage"

    @property
    def key(self) -> str:
        """What the message is for: the same notice can never be queued twice."""
        raise NotImplementedError

    @property
    def channel(self) -> str:
        raise NotImplementedError

    @property
    def ts(self) -> str | None:
        return None

    def params(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RegistrationSaved(Notice):
    """The registrant's note after saving the form (once per form: a replay is the same notice)."""

    kind: ClassVar[str] = "registration_saved"
    stakeholder_id: int
    user: str
    form: str
    asked_admins: bool
    is_new: bool
    token: str = ""   # the registrant's own (a deleted last row's id goes to the next on SQLite)

    @property
    def key(self) -> str:
        return f"saved:{self.token or self.stakeholder_id}:{self.form}"

    @property
    def channel(self) -> str:
        return self.user


@dataclass(frozen=True)
class ApprovalRequest(Notice):
    """One admin's request to approve one revision of a registration."""

    kind: ClassVar[str] = "approval_request"
    stakeholder_id: int
    revision: int
    admin: str
    is_new: bool

    @classmethod
    def prefix(cls, stakeholder_id: int, revision: int | None = None) -> str:
        return f"approval:{stakeholder_id}:" + (f"r{revision}:" if revision is not None else "")

    @property
    def key(self) -> str:
        return self.prefix(self.stakeholder_id, self.revision) + self.admin

    @property
    def channel(self) -> str:
        return self.admin


@dataclass(frozen=True)
class ApprovalDigest(Notice):
    """An approver's one message of the registrations waiting for them (domain/approvals.py): posted
    once per generation, then kept current by `DigestUpdate`s."""

    kind: ClassVar[str] = "approval_digest"
    team_id: str
    approver: str
    generation: int
    admin: bool

    @classmethod
    def prefix(cls, team_id: str, approver: str, generation: int) -> str:
        return f"approval:digest:{team_id}:{approver}:g{generation}"

    @property
    def key(self) -> str:
        return self.prefix(self.team_id, self.approver, self.generation)

    @property
    def channel(self) -> str:
        return self.approver


@dataclass(frozen=True)
class DigestUpdate(Notice):
    """An approver's digest message, updated in place to show what waits now: one a change started
    (`number`), the check owed once a send of it went out (`after`: that send's key), or the note
    that the list moved to a newer message (`moved`)."""

    kind: ClassVar[str] = "digest_update"
    method: ClassVar[str] = "chat.update"
    team_id: str
    approver: str
    generation: int
    admin: bool
    copy_channel: str
    copy_ts: str
    number: int = 0
    after: str = ""
    moved: bool = False

    @property
    def key(self) -> str:
        prefix = ApprovalDigest.prefix(self.team_id, self.approver, self.generation)
        if self.moved:
            return prefix + ":moved"
        if self.after:
            return prefix + ":after:" + hashlib.sha1(self.after.encode()).hexdigest()[:16]
        return prefix + f":u{self.number}"

    @property
    def channel(self) -> str:
        return self.copy_channel

    @property
    def ts(self) -> str | None:
        return self.copy_ts


@dataclass(frozen=True)
class DecisionNews(Notice):
    """The registrant is told what an admin decided."""

    kind: ClassVar[str] = "decision_news"
    stakeholder_id: int
    revision: int
    user: str
    approved: bool
    token: str = ""   # the registrant's own (a deleted last row's id goes to the next on SQLite)

    @property
    def key(self) -> str:
        return f"decided:{self.token or self.stakeholder_id}:r{self.revision}"

    @property
    def channel(self) -> str:
        return self.user


@dataclass(frozen=True)
class RequestSettled(Notice):
    """An admin's copy of a request, updated in place to show who decided."""

    kind: ClassVar[str] = "request_settled"
    method: ClassVar[str] = "chat.update"
    stakeholder_id: int
    revision: int
    approved: bool
    admin: str
    copy_channel: str
    copy_ts: str

    @property
    def key(self) -> str:
        return f"settled:{self.stakeholder_id}:r{self.revision}:{self.copy_channel}:{self.copy_ts}"

    @property
    def channel(self) -> str:
        return self.copy_channel

    @property
    def ts(self) -> str | None:
        return self.copy_ts


GROUP_DM = outbox.GROUP_DM


@dataclass(frozen=True)
class Introduction(Notice):
    """A truck stop or terminal's manager and their law enforcement contacts, in one group DM.

    The key is the site and its officers: each pair is introduced once; `resend` (a request's
    id) is a re-send someone asked for with `/tat introduce`."""

    kind: ClassVar[str] = "introduction"
    team_id: str
    site_id: int
    officer_ids: tuple[int, ...]
    users: tuple[str, ...]
    resend: str = ""

    @property
    def key(self) -> str:
        pair = f"{self.team_id}:{self.site_id}:" + ",".join(map(str, self.officer_ids))
        return f"reintro:{self.resend}:{pair}" if self.resend else f"intro:{pair}"

    @property
    def channel(self) -> str:
        return GROUP_DM


@dataclass(frozen=True)
class ContactChanged(Notice):
    """An admin is told that an approved contact changed their phone or e-mail."""

    kind: ClassVar[str] = "contact_changed"
    change_ids: tuple[int, ...]
    admin: str
    tokens: tuple[str, ...] = ()   # the changes' own (their ids are reused on SQLite)

    @property
    def key(self) -> str:
        return "contact_changed:" + ",".join(map(str, self.tokens or self.change_ids)) + f":{self.admin}"

    @property
    def channel(self) -> str:
        return self.admin



@dataclass(frozen=True)
class TrainingLogged(Notice):
    """The person who logged a training in the form is told what was logged, with Undo."""

    kind: ClassVar[str] = "training_logged"
    training_id: int
    user: str
    token: str = ""   # the training's own (its id is reused on SQLite once it is undone)

    @property
    def key(self) -> str:
        return f"trained:{self.token or self.training_id}"

    @property
    def channel(self) -> str:
        return self.user


@dataclass(frozen=True)
class FollowupNudge(Notice):
    """A follow-up's post in the coalition channel; a new revision of the plan makes a new one."""

    kind: ClassVar[str] = "followup_nudge"
    coalition_id: int
    months: int
    revision: int
    channel_id: str

    @classmethod
    def prefix(cls, coalition_id: int, months: int | None = None) -> str:
        return f"followup:{coalition_id}:" + (f"m{months}:" if months is not None else "")

    @property
    def key(self) -> str:
        return self.prefix(self.coalition_id, self.months) + f"r{self.revision}:channel"

    @property
    def channel(self) -> str:
        return self.channel_id


@dataclass(frozen=True)
class CheckIn(Notice):
    """A follow-up's direct message to one approved stakeholder, with buttons that act."""

    kind: ClassVar[str] = "checkin"
    coalition_id: int
    months: int
    stakeholder_id: int
    user: str

    @classmethod
    def prefix(cls, coalition_id: int, months: int) -> str:
        return f"checkin:{coalition_id}:m{months}:"

    @property
    def key(self) -> str:
        return self.prefix(self.coalition_id, self.months) + str(self.stakeholder_id)

    @property
    def channel(self) -> str:
        return self.user


@dataclass(frozen=True)
class TrainingCelebration(Notice):
    """A short celebration of a training in the coalition channel: organization and count only.
    Queued for when Undo has run out, so a training undone is never celebrated."""

    kind: ClassVar[str] = "training_celebration"
    training_id: int
    coalition_channel: str
    token: str = ""   # the training's own (its id is reused on SQLite once it is undone)

    @property
    def key(self) -> str:
        return f"celebrate:{self.token or self.training_id}"

    @property
    def channel(self) -> str:
        return self.coalition_channel



@dataclass(frozen=True)
class CheckInReminder(Notice):
    """One reminder of a check-in, dropped if it was answered by then; "Not now" asks for another."""

    kind: ClassVar[str] = "checkin_reminder"
    coalition_id: int
    months: int
    stakeholder_id: int
    user: str
    snoozed: int = 0

    @property
    def key(self) -> str:
        return f"reminder:{self.coalition_id}:m{self.months}:{self.stakeholder_id}" + (
            f":s{self.snoozed}" if self.snoozed else "")

    @property
    def channel(self) -> str:
        return self.user


@dataclass(frozen=True)
class LeadAlert(Notice):
    """A coalition lead is told a follow-up's channel post could not go out (and how to fix it), or was missed."""

    kind: ClassVar[str] = "lead_alert"
    coalition_id: int
    months: int
    outbox_id: int
    lead: str
    problem: str
    outbox_token: str = ""   # the failed message's own (its id is reused on SQLite)

    @property
    def key(self) -> str:
        return f"leadalert:{self.outbox_token or self.outbox_id}:{self.lead}"

    @property
    def channel(self) -> str:
        return self.lead


@dataclass(frozen=True)
class MemberLeft(Notice):
    """A state's lead is told that a member was deactivated in Slack and left the directory."""

    kind: ClassVar[str] = "member_left"
    team_id: str
    stakeholder_id: int
    revision: int
    lead: str

    @property
    def key(self) -> str:
        return f"left:{self.team_id}:{self.stakeholder_id}:r{self.revision}:{self.lead}"

    @property
    def channel(self) -> str:
        return self.lead


@dataclass(frozen=True)
class ContactQuestion(Notice):
    """A law enforcement or victim-service contact is asked, once a year, whether their details hold."""

    kind: ClassVar[str] = "contact_question"
    team_id: str
    stakeholder_id: int
    round: int
    user: str

    @property
    def key(self) -> str:
        return f"confirm:{self.team_id}:{self.stakeholder_id}:q{self.round}"

    @property
    def channel(self) -> str:
        return self.user


@dataclass(frozen=True)
class UnconfirmedContacts(Notice):
    """A state's lead is told which contacts left their yearly question unanswered for 30 days:
    (contact, round) pairs, each told once."""

    kind: ClassVar[str] = "unconfirmed_contacts"
    team_id: str
    state: str
    lead: str
    contacts: tuple[tuple[int, int], ...]

    @property
    def key(self) -> str:
        listed = ",".join(f"{c}q{r}" for c, r in sorted(map(tuple, self.contacts)))
        return f"unconfirmed:{self.team_id}:{self.state}:{self.lead}:" + hashlib.sha1(listed.encode()).hexdigest()

    @property
    def channel(self) -> str:
        return self.lead


@dataclass(frozen=True)
class MaterialsDigest(Notice):
    """A state's lead is told, once a week, who answered a check-in "We need materials" that week
    ([since, until), ISO instants)."""

    kind: ClassVar[str] = "materials_digest"
    coalition_id: int
    since: str
    until: str
    lead: str

    @property
    def key(self) -> str:
        return f"materials:{self.coalition_id}:{self.until[:10]}:{self.lead}"

    @property
    def channel(self) -> str:
        return self.lead

    def window(self) -> tuple[datetime, datetime]:
        return datetime.fromisoformat(self.since), datetime.fromisoformat(self.until)

    def days(self, zone: str) -> tuple[date, date]:
        """The week's first and last day in the coalition's time zone."""
        since, until = (moment.astimezone(ZoneInfo(zone)) for moment in self.window())
        return since.date(), (until - timedelta(days=1)).date()


@dataclass(frozen=True)
class PictureOf(Notice):
    """The picture of a message already sent (a follow-up post's chart), uploaded into that message's
    thread: owed once the message is sent, under the message's own key, and rendered from it."""

    kind: ClassVar[str] = "picture"
    method: ClassVar[str] = "files.upload_v2"
    of_key: str
    of_kind: str
    of_params: dict
    of_channel: str
    of_ts: str

    @property
    def key(self) -> str:
        return f"{self.of_key}:picture"

    @property
    def channel(self) -> str:
        return self.of_channel

    @property
    def ts(self) -> str | None:
        return self.of_ts


KINDS: dict[str, type[Notice]] = {k.kind: k for k in (
    RegistrationSaved, ApprovalRequest, ApprovalDigest, DigestUpdate, DecisionNews, RequestSettled, Introduction,
    ContactChanged, TrainingLogged, TrainingCelebration, FollowupNudge, CheckIn, CheckInReminder, LeadAlert, MemberLeft,
    ContactQuestion, UnconfirmedContacts, MaterialsDigest, PictureOf)}


def queue(session: Session, team_id: str, notice: Notice, not_before: datetime | None = None) -> bool:
    """Owe this notice in the workspace (once per key); False when it was already owed."""
    return queue_all(session, team_id, [notice], not_before) == 1


def queue_all(session: Session, team_id: str, owed: list[Notice], not_before: datetime | None = None) -> int:
    """Owe these notices in the workspace, in one statement (each once per key); how many were not
    owed already. The workspace's token sends them."""
    not_before = not_before or now_in(session)   # "now" is the bot's one clock, never the machine's
    return outbox.enqueue_many(session, [
        outbox.row(n.key, n.channel, team_id=team_id, kind=n.kind, params=n.params(), method=n.method, ts=n.ts,
                   not_before=not_before)
        for n in owed])


def from_row(kind: str, params: dict) -> Notice | None:
    """The notice a queued row holds, or None for a kind this version does not know."""
    notice_type = KINDS.get(kind)
    if notice_type is None:
        return None
    known = {f.name for f in fields(notice_type)}
    return notice_type(**{k: v for k, v in params.items() if k in known})
