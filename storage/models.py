"""The tables. Times are stored in UTC and read back as aware UTC datetimes."""
import secrets
import unicodedata
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates


class UTCDateTime(TypeDecorator):
    """A timestamp that goes in as UTC and comes out aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC times only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now() -> datetime:
    return datetime.now(UTC)


def site_key(name: str | None) -> str | None:
    """A site's name as it is looked up: Unicode case-folded ("Öl" and "öl", "ß" and "ss" meet),
    NFKC-normalised and its spaces tidied; folded in Python, so the same on SQLite (whose lower()
    folds ASCII only) and PostgreSQL."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:160] or None if name else None


class Base(DeclarativeBase):
    pass


class Stakeholder(Base):
    """A registered coalition member: one per Slack user of a workspace (a user id is unique only
    within its workspace)."""

    __tablename__ = "stakeholders"
    __table_args__ = (Index("ix_stakeholders_state_sector_status", "state", "sector", "status"),
                      UniqueConstraint("team_id", "slack_user_id", name="uq_stakeholders_team_user"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(32))
    organization: Mapped[str] = mapped_column(String(160))
    title: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(2), index=True)
    county_fips: Mapped[str | None] = mapped_column(String(5), index=True)
    statewide: Mapped[bool] = mapped_column(default=False)
    site_name: Mapped[str | None] = mapped_column(String(160))
    site_key: Mapped[str | None] = mapped_column(String(160), index=True)   # site_name folded: see site_key()
    interstate: Mapped[str | None] = mapped_column(String(16))
    exit: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    # what the registrant's messages are keyed by: SQLite gives a deleted last row's id to the next
    token: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(8))

    coverage: Mapped[list["Coverage"]] = relationship(
        cascade="all, delete-orphan", order_by="Coverage.county_fips", lazy="selectin"
    )

    @property
    def jurisdiction(self) -> tuple[str, ...]:
        return tuple(c.county_fips for c in self.coverage)

    @validates("site_name")
    def _fold_site_name(self, _field: str, name: str | None) -> str | None:
        self.site_key = site_key(name)
        return name


class Coverage(Base):
    """A county in a law enforcement or AG stakeholder's jurisdiction."""

    __tablename__ = "coverage"
    __table_args__ = (Index("ix_coverage_team_county", "team_id", "county_fips"),)

    team_id: Mapped[str] = mapped_column(String(32))
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True
    )
    county_fips: Mapped[str] = mapped_column(String(5), primary_key=True, index=True)


class DirectoryRevision(Base):
    """One row a workspace: a number raised by every transaction that changes its stakeholders or
    their coverage, as it commits. What /tat contact remembers is good while the number is unchanged."""

    __tablename__ = "directory_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Base):
    """A message the bot owes someone: stored with the change that caused it, sent once.

    `kind` and `params` name a notice (domain/notices.py), rendered from what it refers to when it
    is sent; a `literal` message is sent as its stored text and blocks. The key names what the
    message is for (say "approval:12:r2:U0ADMIN1"), so the same message
    can never be queued twice, and it travels with the message in Slack's metadata so that a send
    whose outcome is unknown can be looked up before it is repeated. A claim keeps two senders
    from sending it at once. `not_before` is when it is owed; `due_at` when the next try may be.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "due_at", sqlite_where=text("sent_at IS NULL AND cancelled_at IS NULL "
                                                           "AND dead_at IS NULL"),
              postgresql_where=text("sent_at IS NULL AND cancelled_at IS NULL AND dead_at IS NULL")),
        Index("ix_outbox_key_prefix", "key", postgresql_ops={"key": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)   # the workspace whose token sends it
    key: Mapped[str] = mapped_column(String(200), unique=True)
    method: Mapped[str] = mapped_column(String(32), default="chat.postMessage")
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))          # the message a chat.update changes
    kind: Mapped[str] = mapped_column(String(40), default="literal")   # a notice, rendered when sent
    params: Mapped[dict | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)
    blocks: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)  # a send may have reached Slack
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(120))    # the id of the sender holding it (senders)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    sent_channel: Mapped[str | None] = mapped_column(String(32))
    sent_ts: Mapped[str | None] = mapped_column(String(32))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))
    # what messages about this message are keyed by (a lead's alert): its id is reused on SQLite
    token: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(8))


class SenderBeat(Base):
    """A process that sends the outbox: a random id of its own (what its claims carry), and its heartbeat.
    A sender silent for longer than storage.senders.SILENT_AFTER is taken for dead, whatever its host."""

    __tablename__ = "senders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(120))    # only for people reading the table
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Introduction(Base):
    """A truck stop or terminal introduced to a law enforcement contact: each pair once."""

    __tablename__ = "introductions"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    introduced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class LanguageNote(Base):
    """A victim-centred language note given: once per person, term and day. Never the message."""

    __tablename__ = "language_notes"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class MemberZone(Base):
    """A person's time zone as Slack has it (users.info `tz`), kept so that no command waits for Slack."""

    __tablename__ = "member_zones"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))   # None: Slack gave none we know
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LanguageSetting(Base):
    """A channel where an admin turned the language note off (or back on)."""

    __tablename__ = "language_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class ContactChange(Base):
    """An approved contact's phone or e-mail changed: who, what, when (the audit the admins see)."""

    __tablename__ = "contact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[str] = mapped_column(String(254))
    new_value: Mapped[str] = mapped_column(String(254))
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # what the admins' notes of the change are keyed by: its id is reused on SQLite
    token: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(8))


class Training(Base):
    """A training completion an organization logged: a count, never names."""

    __tablename__ = "trainings"
    __table_args__ = (Index("ix_trainings_team_state", "team_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    stakeholder_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id", ondelete="SET NULL"))
    logged_by: Mapped[str] = mapped_column(String(32))
    organization: Mapped[str] = mapped_column(String(160))
    state: Mapped[str] = mapped_column(String(2))
    count: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(16))
    program: Mapped[str] = mapped_column(String(16))
    trained_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    # what the training's messages and Undo name it by: SQLite gives a deleted last row's id to the next
    token: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_hex(8))


class DistributionPoint(Base):
    """A site or company that hands out TAT/BOTL materials (wallet cards, decals, posters)."""

    __tablename__ = "distribution_points"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Report(Base):
    """That a stakeholder made a report to the hotline, 911 or police: a count, never its details."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_team_state", "team_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    stakeholder_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(2))
    made_to: Mapped[str] = mapped_column(String(16))
    reported_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class Milestone(Base):
    """A state milestone reached (an Iowa MVE model element adopted, say), with its date."""

    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_team_state", "team_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(40))
    reached_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    recorded_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class HotlineFigure(Base):
    """The hotline's official figure for a state and a year (YYYY) or month (YYYY-MM), with its source."""

    __tablename__ = "hotline_figures"
    __table_args__ = (UniqueConstraint("team_id", "state", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(2))
    period: Mapped[str] = mapped_column(String(7))
    count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class CelebrationOptOut(Base):
    """An organization that does not want its trainings celebrated in the coalition channel."""

    __tablename__ = "celebration_opt_outs"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    organization: Mapped[str] = mapped_column(String(160), primary_key=True)   # lower-cased
    by: Mapped[str] = mapped_column(String(32))


class Coalition(Base):
    """A state's coalition in one workspace: its build meeting, channel, leads and follow-up plan."""

    __tablename__ = "coalitions"
    __table_args__ = (UniqueConstraint("team_id", "state", name="uq_coalitions_team_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(2))
    meeting_date: Mapped[date] = mapped_column(Date)
    channel_id: Mapped[str] = mapped_column(String(32))
    time_zone: Mapped[str] = mapped_column(String(64))
    leads: Mapped[list] = mapped_column(JSON)            # Slack user ids
    leads_since: Mapped[dict | None] = mapped_column(JSON)   # lead → when they became one (ISO); older: absent
    lead_agencies: Mapped[str | None] = mapped_column(String(500))
    offsets: Mapped[list] = mapped_column(JSON)          # months after the meeting, like [1, 3, 6]
    revision: Mapped[int] = mapped_column(Integer, default=1)   # each edit re-plans the unsent follow-ups
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)


class CheckinAnswer(Base):
    """A stakeholder's answer to one follow-up's check-in: one per stakeholder per stage, the latest press."""

    __tablename__ = "checkin_answers"
    __table_args__ = (UniqueConstraint("team_id", "coalition_id", "stage", "stakeholder_id",
                                       name="uq_checkin_answers_one_each"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    coalition_id: Mapped[int] = mapped_column(ForeignKey("coalitions.id", ondelete="CASCADE"))
    stage: Mapped[int] = mapped_column(Integer)          # months after the meeting
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(32))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class ContactConfirmation(Base):
    """Whether an approved law enforcement or victim-service contact's details still hold: when they
    last confirmed them, and the yearly question (its round, when it was asked, whether the leads
    were told it went unanswered)."""

    __tablename__ = "contact_confirmations"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True,
                                                index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # the latest question
    round: Mapped[int] = mapped_column(Integer, default=0)             # questions asked so far
    told_round: Mapped[int] = mapped_column(Integer, default=0)        # the question the leads were told of


class Resource(Base):
    """One item of a state coalition's resources (`/tat resources`): a training, materials, an agreed
    pathway or a link. TAT's defaults are copied in (`default_key`) when leads first edit the list;
    a removed item is kept, marked removed."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("team_id", "state", "default_key", name="uq_resources_default"),
                      Index("ix_resources_team_state", "team_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(150))
    url: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(500))
    default_key: Mapped[str | None] = mapped_column(String(40))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MeetingAttendance(Base):
    """An attendee of a state's build meeting, recorded as trained there (by `import --meeting`):
    once per person (by e-mail) and state, with the training it logged."""

    __tablename__ = "meeting_attendance"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)   # lower-cased
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class SeenRequest(Base):
    """A request the bot acted on, by what makes it one (a command's trigger_id, a form's view id and
    hash), or a form it opened for someone: a replay of the same request finds its row and is done
    once. Rows older than a day are let go (Slack's signatures are good for five minutes)."""

    __tablename__ = "seen_requests"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ApprovalDigest(Base):
    """An approver's one message of registrations waiting for them, kept current (domain/approvals.py).

    `generation` counts the messages posted to this approver (a new one when registrations arrive and
    nothing else waited); `version` rises with every change to what they wait for, and `shown_version`
    is the version the message last showed. `owed_key` names the message of the chain of sends owed
    or on its way (None: the chain ended; the next change starts one), and `updates` numbers the
    updates a change started, for their keys."""

    __tablename__ = "approval_digests"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    approver: Mapped[str] = mapped_column(String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)
    shown_version: Mapped[int] = mapped_column(Integer, default=0)
    owed_key: Mapped[str | None] = mapped_column(String(200))
    updates: Mapped[int] = mapped_column(Integer, default=0)
