"""The /tat command: a table of subcommands, each a function that returns its reply."""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain import localtime
from domain.bounds import echoed
from handlers.blocks import HOTLINE, SAFETY, Message, Mrkdwn, context, md, section


@dataclass(frozen=True)
class Call:
    """Who typed `/tat <word> <text>`."""

    user: str
    text: str
    is_admin: bool
    team_id: str = ""
    channel: str = ""      # where it was typed ("" from the Home tab)
    trigger_id: str = ""   # unique per command or button press
    now: datetime | None = field(default=None, compare=False)   # the bot's clock when it was typed
    zone: str | None = field(default=None, compare=False)      # the caller's time zone: their "today"
    find_zone: Callable[[], str] | None = field(default=None, compare=False, repr=False)   # asked only if needed

    @property
    def team(self) -> str:
        """The Slack workspace: every new table's rows belong to one."""
        return self.team_id

    @property
    def at(self) -> datetime | None:
        return self.now

    @property
    def today(self) -> date | None:
        """For dates like "yesterday": the caller's own day (their time zone, else their coalition's)."""
        if self.now is None:
            return None
        zone = self.zone or (self.find_zone() if self.find_zone else None)
        return localtime.day_in(self.now, zone or localtime.FALLBACK_ZONE)


@dataclass(frozen=True)
class OpenModal:
    """A reply that opens a modal instead of answering in text."""

    view: dict


@dataclass(frozen=True)
class Then:
    """A reply now, and work after the acknowledgement with the Slack client (a chart upload, say)."""

    message: Message
    later: Callable[[object], object]


Reply = Message | OpenModal | Then


@dataclass(frozen=True)
class Command:
    word: str
    usage: str
    summary: str
    run: Callable[[Call, Session | None], Reply]
    admins_only: bool = False
    uses_database: bool = True   # help does not, so it answers even when the database is down
    slow: bool = False           # acknowledge at once, reply through response_url once done
    reads_only: bool | Callable[["Call"], bool] = False   # only reads (or does, for this call): its transaction
    # never waits for the write lock, and cannot write

    def only_reads(self, call: "Call") -> bool:
        return self.reads_only(call) if callable(self.reads_only) else self.reads_only


def help_message(commands: list[Command], is_admin: bool, unknown: str | None = None) -> Message:
    """Usage of every command the caller may use."""
    shown = [c for c in commands if is_admin or not c.admins_only]
    lines = [md("• `/tat {}` — {}", c.usage, c.summary) for c in shown]
    opening = md("I don't know `{}`. ", echoed(unknown)) if unknown else ""
    intro = md("{}*TAT Coalition Bot*: your coalition's contacts and follow-ups. Commands:", opening)
    text = Mrkdwn("\n").join([intro, *lines, SAFETY, HOTLINE])
    return Message(text, [section(Mrkdwn("\n").join([intro, *lines])), context(f"{SAFETY} {HOTLINE}")])
