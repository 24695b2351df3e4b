"""A state's coalition: setting it up, planning its follow-ups, the stakeholders' check-in answers,
and what other features ask of it (its channel for celebrations, its meeting and next follow-up
for progress and its chart).

Follow-ups are outbox notices owed at their instant: the channel post is queued when the
coalition is set up (and queued anew, for those not yet sent, when it is edited); the check-ins
are fanned out by the clock's job when the follow-up falls due, so that everyone approved by then
is asked. The outbox delivers each exactly once, and gives up on one owed for over 7 days.
"""
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain import approvals, followups, localtime, notices
from domain.bounds import is_channel_id, is_user_id, longer_than
from domain.notices import CheckIn, CheckInReminder, FollowupNudge, LeadAlert
from domain.profile import Invalid
from domain.registration import approvers
from storage import approvals as approvals_store
from storage import coalitions, outbox, stakeholders
from storage.models import Coalition, now

ANSWERS = {
    "trained": "We log a training",
    "distribute": "We distribute TAT/BOTL materials",
    "need_materials": "We need materials",
    "not_yet": "Not yet",
}


def answer_counts(counts: dict[str, int]) -> str:
    """How many gave each check-in answer, in words: "We need materials: 2, Not yet: 1"."""
    return ", ".join(f"{ANSWERS[a]}: {n}" for a, n in sorted(counts.items()) if a in ANSWERS)


SETUP_TEXT = {"state": 40, "meeting_date": 40, "channel": 40, "time_zone": 64, "lead_agencies": 500, "offsets": 40}
MAX_LEADS = 10
CHANNEL_PROBLEMS = ("not_in_channel", "is_archived", "channel_not_found")
GAVE_UP = "gave up after 7 days"


@dataclass(frozen=True)
class Setup:
    state: str
    meeting_date: date
    channel_id: str
    time_zone: str
    leads: tuple[str, ...]
    lead_agencies: str | None
    offsets: tuple[int, ...] = followups.DEFAULT_OFFSETS


def parse_setup(values: dict) -> Setup:
    """The setup form's answers, checked: raises Invalid naming each field that is wrong."""
    if errors := longer_than(values, SETUP_TEXT):   # before a character of them is read
        raise Invalid(errors)
    state = (values.get("state") or "").upper()
    zones = followups.zones_of(state) if state else []
    if not zones:
        errors["state"] = "Choose the coalition's state."
    try:
        meeting = date.fromisoformat(values.get("meeting_date") or "")
    except ValueError:
        errors["meeting_date"] = "Choose the date of the coalition build meeting."
        meeting = date.min
    zone = values.get("time_zone") or (zones[0] if zones else "")
    if zones and zone not in zones:
        errors["time_zone"] = f"{state} keeps time in {', '.join(zones)}: choose one of those, or leave it blank."
    if not values.get("channel"):
        errors["channel"] = "Choose the coalition's channel."
    elif not is_channel_id(values["channel"]):   # what the picker hands over, checked as anyone's input is
        errors["channel"] = "Choose the coalition's channel from the list."
    leads = tuple(u for u in values.get("leads") or () if u)
    if not leads:
        errors["leads"] = "Choose at least one lead: the AG office or task force, and the State Trucking Association."
    elif len(leads) > MAX_LEADS or not all(map(is_user_id, leads)):
        errors["leads"] = f"Choose the leads (at most {MAX_LEADS}) from the list of people in this workspace."
    try:
        offsets = tuple(followups.parse_offsets(values.get("offsets")))
    except ValueError as bad:
        errors["offsets"], offsets = str(bad), ()
    if errors:
        raise Invalid(errors)
    agencies = (values.get("lead_agencies") or "").strip()[:500] or None
    return Setup(state, meeting, values["channel"], zone, leads, agencies, offsets)


class Changed(Exception):
    """The coalition is not as the form showed it: made, or edited, by someone else meanwhile."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def save(session: Session, team_id: str, setup: Setup, admin: str, at: datetime,
         seen_revision: int | None = None) -> Coalition:
    """Create or edit a state's coalition and re-plan the follow-ups not yet sent. With `seen_revision`
    (0: the form was opened for a state with no coalition) it is a compare-and-set: raises Changed
    when the coalition has another revision by now, so of several first setups at once one is made."""
    coalitions.create_if_missing(session, {
        "team_id": team_id, "state": setup.state, "meeting_date": setup.meeting_date, "channel_id": setup.channel_id,
        "time_zone": setup.time_zone, "leads": list(setup.leads), "lead_agencies": setup.lead_agencies,
        "offsets": list(setup.offsets), "updated_by": admin, "updated_at": at})
    found = coalitions.by_state(session, team_id, setup.state, for_update=True)
    if seen_revision is not None and found.revision != seen_revision:
        raise Changed(found.state)
    found.meeting_date, found.channel_id, found.time_zone = setup.meeting_date, setup.channel_id, setup.time_zone
    found.leads_since = leads_since(found.leads or [], found.leads_since or {}, setup.leads, at)
    found.leads, found.lead_agencies, found.offsets = list(setup.leads), setup.lead_agencies, list(setup.offsets)
    found.revision, found.updated_by, found.updated_at = found.revision + 1, admin, at
    session.flush()
    replan(session, found, at)
    _ask_leads_about_waiting(session, found, at)
    return found


def leads_since(old: list[str], since: dict, leads: tuple[str, ...], at: datetime) -> dict:
    """When each lead became one: kept for those who stay, `at` for those new. A lead of an older
    version (no time kept) led from the start."""
    return {lead: since[lead] if lead in since else (EVER if lead in old else at.isoformat()) for lead in leads}


EVER = "0001-01-01T00:00:00+00:00"


def lead_since(coalition: Coalition, lead: str) -> datetime:
    """Since when this person has led the coalition (the beginning of time for one from before)."""
    return datetime.fromisoformat((coalition.leads_since or {}).get(lead) or EVER)


def _ask_leads_about_waiting(session: Session, coalition: Coalition, at: datetime) -> int:
    """Registrations of the state that already wait for approval reach its (new) leads too, in each
    one's message of waiting registrations."""
    leads = approvers(session, frozenset(), coalition.team_id, coalition.state)
    waiting = approvals_store.waiting_by_state(session, coalition.team_id, "", [coalition.state])
    return approvals.owe(session, coalition.team_id, leads, frozenset(), at,
                         arriving=sum(waiting.values())) if waiting else 0


def replan(session: Session, coalition: Coalition, at: datetime) -> int:
    """Cancel the channel posts not yet sent and owe one per follow-up still to come; one that went
    out is never owed again. How many were queued."""
    maybe_sent = {months for months, _ in plan(coalition)
                  if _maybe_sent(session, FollowupNudge.prefix(coalition.id, months), at)}
    outbox.cancel_unsent(session, FollowupNudge.prefix(coalition.id), at)
    queued = 0
    for months, due in plan(coalition):
        if due < at - followups.LATE_LIMIT or months in maybe_sent:
            continue
        nudge = FollowupNudge(coalition.id, months, coalition.revision, coalition.channel_id)
        queued += notices.queue(session, coalition.team_id, nudge, not_before=due)
    return queued


def plan(coalition: Coalition) -> list[tuple[int, datetime]]:
    """Each follow-up's months after the meeting and its instant (UTC)."""
    return [(m, followups.followup_at(coalition.meeting_date, m, coalition.time_zone)) for m in coalition.offsets]


def _maybe_sent(session: Session, key_prefix: str, at: datetime) -> bool:
    """Sent, or perhaps: being sent now, or tried with an outcome unknown (it may be in Slack)."""
    return any(row.sent_at or (row.cancelled_at is None and row.dead_at is None and (
        row.in_doubt or (row.claimed_until is not None and row.claimed_until > at)))
        for row in coalitions.outbox_rows(session, key_prefix))


def fan_out_checkins(session: Session, at: datetime) -> int:
    """Owe a check-in (and its reminder) to every approved stakeholder of each follow-up that fell due
    in the last 7 days; those already owed are skipped. How many were queued."""
    queued = 0
    for coalition in coalitions.every(session):
        for months, due in plan(coalition):
            if due <= at < due + followups.LATE_LIMIT:
                queued += _owe_checkins(session, coalition, months, due, at)
    return queued


def _owe_checkins(session: Session, coalition: Coalition, months: int, due: datetime, at: datetime) -> int:
    asked = outbox.keys_with_prefix(session, CheckIn.prefix(coalition.id, months))
    owed = [CheckIn(coalition.id, months, who.id, who.slack_user_id)
            for who in coalitions.approved_in(session, coalition.team_id, coalition.state)]
    owed = [n for n in owed if n.key not in asked]
    if not owed:
        return 0
    send_at = localtime.landing(due, at, coalition.time_zone)   # a late one: the next working morning
    remind_at = localtime.working_days_later(send_at, followups.REMIND_AFTER_WORKING_DAYS, coalition.time_zone)
    reminders = [CheckInReminder(n.coalition_id, n.months, n.stakeholder_id, n.user) for n in owed]
    notices.queue_all(session, coalition.team_id, reminders, not_before=remind_at)
    return notices.queue_all(session, coalition.team_id, owed, not_before=send_at)


def alert_leads(session: Session, at: datetime) -> int:
    """Tell each lead about a follow-up post Slack refused (the bot is not in the channel, say) or one
    that was missed since they became a lead; once per failed message and lead. Failures already
    told are not read again. Each is owed in its coalition's workspace."""
    queued = 0
    for coalition in coalitions.every(session):
        owed: list[notices.Notice] = []
        for row in coalitions.outbox_rows(session, FollowupNudge.prefix(coalition.id), dead_only=True):
            problem = "missed" if (row.last_error or "").startswith(GAVE_UP) else (row.last_error or "refused")
            stage = int(row.key.split(":")[2][1:])
            owed += [LeadAlert(coalition.id, stage, row.id, lead, problem, row.token or "") for lead in coalition.leads
                     if row.dead_at is not None and row.dead_at >= lead_since(coalition, lead)]
        told = coalitions.keys_among(session, [n.key for n in owed]) if owed else set()
        fresh = [n for n in owed if n.key not in told]
        queued += notices.queue_all(session, coalition.team_id, fresh, not_before=at) if fresh else 0
    return queued


def channel_ready(session: Session, team_id: str, channel: str, at: datetime) -> int:
    """The bot was invited to a channel, or it was unarchived: send again at once each of its
    coalitions' follow-up posts Slack refused there for that reason, unless over 7 days late
    (then it stays missed). How many will be sent."""
    revived = 0
    for coalition in coalitions.posting_in(session, team_id, channel):
        for row in coalitions.outbox_rows(session, FollowupNudge.prefix(coalition.id), dead_only=True):
            if row.last_error in CHANNEL_PROBLEMS and at < row.not_before + followups.LATE_LIMIT:
                revived += outbox.revive(session, team_id, row.id, at)
    return revived


@dataclass(frozen=True)
class Answered:
    saved: bool
    reason: str = ""
    coalition: Coalition | None = field(default=None, compare=False)


def answer(session: Session, team_id: str, coalition_id: int, months: int, user: str, choice: str,
           at: datetime) -> Answered:
    """Store a stakeholder's answer to a check-in (a later press replaces an earlier one)."""
    coalition, who = _asked(session, team_id, coalition_id, months, user)
    if coalition is None or who is None or choice not in ANSWERS:
        return Answered(False, "not_asked")
    coalitions.save_answer(session, team_id, coalition.id, months, who.id, choice, at)
    return Answered(True, coalition=coalition)


def snooze(session: Session, team_id: str, coalition_id: int, months: int, user: str, at: datetime) -> datetime | None:
    """"Not now": a reminder comes a week from now, at 10:00 on a working day where the coalition is.
    The reminder still owed is moved there; when none is (it went out, or was dropped), another is
    owed: every "I'll remind you" is a message in the outbox."""
    coalition, who = _asked(session, team_id, coalition_id, months, user)
    if coalition is None or who is None:
        return None
    later = localtime.days_later(at, followups.SNOOZE.days, coalition.time_zone)
    first = CheckInReminder(coalition.id, months, who.id, user)
    keys = coalitions.keys_among(session, [first.key]) | set(
        outbox.keys_with_prefix(session, first.key + ":s"))
    snoozes = [int(k.rsplit(":s", 1)[1]) for k in keys if k.startswith(first.key + ":s")
               and k.rsplit(":s", 1)[1].isdigit()]
    latest = replace(first, snoozed=max(snoozes)) if snoozes else first
    if latest.key in keys and coalitions.postpone(session, latest.key, later):
        return later
    notices.queue(session, team_id, replace(first, snoozed=max(snoozes, default=0) + 1), not_before=later)
    return later


def _asked(session: Session, team_id: str, coalition_id: int, months: int, user: str):
    """The coalition and the person, when this stage's check-in was sent to this person; else (None, None)."""
    coalition = coalitions.by_id(session, coalition_id, team_id)
    who = stakeholders.by_slack_user(session, team_id, user)
    if coalition is None or who is None or who.status != "approved" or who.state != coalition.state:
        return None, None
    if months not in coalition.offsets or not coalitions.was_sent(session, CheckIn(coalition.id, months, who.id,
                                                                                       user).key):
        return None, None
    return coalition, who


@dataclass(frozen=True)
class StageStatus:
    months: int
    at: datetime
    status: str          # planned, sent, missed, not delivered
    asked: int           # check-ins sent
    answers: dict[str, int]


def statuses(session: Session, coalition: Coalition, at: datetime) -> list[StageStatus]:
    """What became of each follow-up: planned, sent, missed (or refused by Slack), and its answers."""
    answered = coalitions.answers_by_stage(session, coalition.team_id, coalition.id)
    shown = []
    for months, due in plan(coalition):
        rows = coalitions.outbox_rows(session, FollowupNudge.prefix(coalition.id, months))
        asked = sum(1 for r in coalitions.outbox_rows(session, CheckIn.prefix(coalition.id, months)) if r.sent_at)
        shown.append(StageStatus(months, due, _status(rows, due, at), asked, answered.get(months, {})))
    return shown


def _status(rows: list[coalitions.Row], due: datetime, at: datetime) -> str:
    if any(r.sent_at for r in rows):
        return "sent"
    live = [r for r in rows if r.cancelled_at is None]
    if live and live[-1].dead_at is None:
        return "planned"
    if live and not (live[-1].last_error or "").startswith(GAVE_UP):
        return f"not delivered ({live[-1].last_error})"
    return "missed" if due < at else "planned"


# -- what other features ask of a state's coalition ------------------------------------------------
def coalition_channel(session: Session, team: str, state: str) -> str | None:
    """The coalition channel of a state, where celebrations and nudges are posted; None when none is set."""
    found = coalitions.by_state(session, team, state)
    return found.channel_id if found else None


def build_meeting_date(session: Session, team: str, state: str) -> date | None:
    """The coalition build meeting's date, marked on the progress chart; None until one is set."""
    found = coalitions.by_state(session, team, state)
    return found.meeting_date if found else None


def next_followup(session: Session, team: str, state: str, at: datetime | None = None) -> datetime | None:
    """When the next follow-up is planned; None without a coalition or once all have passed."""
    found = coalitions.by_state(session, team, state)
    upcoming = [when for _, when in plan(found)] if found else []
    moment = at or now()
    return min((when for when in upcoming if when > moment), default=None)


def checkin_answers(session: Session, team: str, state: str) -> dict[int, dict[str, int]]:
    """How the state's stakeholders answered each follow-up's check-in: {months: {answer: how many}}."""
    found = coalitions.by_state(session, team, state)
    return coalitions.answers_by_stage(session, team, found.id) if found else {}
