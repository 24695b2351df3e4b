"""Slack in and out for phase-2 figures: `/tat progress` (and its chart), `/tat reported`,
`/tat distribute`, `/tat hotline` and `/tat milestone`."""
import logging

from sqlalchemy.orm import Session

from domain import chart_worker, places
from domain import progress as figures_of
from domain.bounds import echoed
from domain.coalitions import answer_counts
from domain.followups import stage_name
from domain.progress import HOTLINE_USAGE, MILESTONE_DETAILS, MILESTONES, REPORTED_TO, REPORTED_USAGE, Figures
from domain.sectors import Sector
from domain.trainings import PROGRAM_LABELS, Usage, parse_date
from handlers.blocks import (
    HOTLINE,
    SAFETY,
    Message,
    Mrkdwn,
    Picture,
    context,
    md,
    modal,
    option,
    plain,
    section,
    select_input,
    submitted_values,
    text_input,
)
from handlers.commands import Call, OpenModal, Then
from handlers.replays import first_time, form_key
from handlers.trainings import approved_caller
from handlers.zones import today_for
from storage import progress, stakeholders

log = logging.getLogger(__name__)
DISTRIBUTORS = (Sector.TRUCK_STOP, Sector.BUS_TERMINAL, Sector.TRUCKING_COMPANY, Sector.BUS_COMPANY,
                Sector.PUPIL_TRANSPORTATION)
MILESTONE_FORM = "milestone"


def bad(problem: str, form: str) -> Message:
    return Message(md("{} Nothing was stored.\nThe form is `{}`.", problem, form))


# -- /tat progress --------------------------------------------------------------------------------
def show_progress(call: Call, session: Session):
    """`/tat progress [state]`: the figures now; the chart follows in the caller's DM."""
    state = _state_asked(session, call)
    if isinstance(state, Message):
        return state
    found = figures_of.figures(session, call.team, state, call.now)
    user = call.user
    return Then(progress_message(found), lambda client: send_chart(client, user, found))


def _state_asked(session: Session, call: Call) -> str | Message:
    who = stakeholders.by_slack_user(session, call.team, call.user)
    if not call.is_admin:
        who = approved_caller(session, call)
        if isinstance(who, Message):
            return who
    if call.text:
        state = places.find_state(call.text)
        if state is None:
            return Message(md('"{}" is not a US state I know. Try `/tat progress NE` or `/tat progress Nebraska`.',
                              echoed(call.text)))
        return state.abbr
    if who is None or not who.state:
        return Message("Which state? Try `/tat progress NE` (register with `/tat register` to make yours the default).")
    return who.state


def progress_message(found: Figures) -> Message:
    """The figures, in words."""
    state = places.find_state(found.state)
    heading = md("*Coalition progress: {}*", state.name if state else found.state)
    return Message(Mrkdwn("\n").join([heading, *figure_lines(found)]),
                   [section(heading), *figure_sections(found),
                    context("A chart follows in your direct messages with the bot."), context(f"{SAFETY} {HOTLINE}")])


def figure_lines(found: Figures) -> list[Mrkdwn]:
    """Each figure of a state's progress, a line each (here and in the follow-up posts)."""
    sectors = ", ".join(f"{Sector(s).label}: {n}" for s, n in sorted(found.by_sector.items())) or "none yet"
    programs = ", ".join(f"{PROGRAM_LABELS[p]}: {n:,}" for p, n in sorted(found.by_program.items())) or "none yet"
    audiences = ", ".join(f"{a}: {n:,}" for a, n in sorted(found.by_audience.items())) or "none yet"
    reports = ", ".join(f"to {REPORTED_TO[k]}: {n}" for k, n in sorted(found.reports.items())) or "none logged yet"
    hotline = _latest([f"{p}: {n:,} ({src})" for p, n, src in found.hotline]) or "none recorded yet"
    reached = _latest([f"{MILESTONES.get(k, k)} ({d.isoformat()})" for k, d, _ in found.milestones]) or "none yet"
    introductions = ("not counted yet" if found.introductions is None else str(found.introductions))
    followup = found.next_followup.strftime("%Y-%m-%d") if found.next_followup else "none planned yet"
    checkins = "; ".join(f"{stage_name(months)} ({answer_counts(counts)})"
                         for months, counts in sorted(found.checkins.items())) or "none yet"
    return [
        md("*Stakeholders* (approved) by sector: {}", sectors),
        md("*Introductions made:* {}", introductions),
        md("*People trained:* {} — by program: {}; by audience: {}", f"{found.trained:,}", programs, audiences),
        md("*Distribution points* for TAT/BOTL materials: {}", str(found.distribution_points)),
        md("*Reports made* by members: {}", reports),
        md("*Hotline figures:* {}", hotline),
        md("*Milestones:* {}", reached),
        md("*Check-in answers:* {}", checkins),
        md("*Next follow-up:* {}", followup),
    ]


LATEST = 12   # hotline figures and milestones shown, the newest: years of them stay one short line


def _latest(entries: list[str]) -> str:
    """The newest entries (they come oldest first), and how many earlier ones are not shown."""
    earlier = len(entries) - LATEST
    return "; ".join(entries[-LATEST:]) + (f"; and {earlier} earlier" if earlier > 0 else "")


def figure_sections(found: Figures) -> list[dict]:
    """The figures as blocks, a section a line: each well within Slack's 3,000 characters a section."""
    return [section(line) for line in figure_lines(found)]


def chart_picture(found: Figures, title: str) -> Picture:
    """The progress chart as a picture an owed message shows (drawn when it is sent)."""
    def draw() -> bytes:
        return chart_worker.draw(found)   # in the chart worker's process, never this one

    return Picture(draw, f"tat-progress-{found.state}.png", title, _chart_alt_text(found.state))


def _chart_alt_text(state: str) -> str:
    return (f"Bar charts of trainings per month by program, and reports and hotline figures per period, "
            f"for {state}")


def send_chart(client, user: str, found: Figures) -> None:
    """Have the chart drawn (after the acknowledgement, by the chart worker) and upload it to the person's DM."""
    png = chart_worker.draw(found)
    dm = client.conversations_open(users=user)["channel"]["id"]
    client.files_upload_v2(channel=dm, file=png, filename=f"tat-progress-{found.state}.png",
                           title=f"TAT coalition progress — {found.state}",
                           alt_txt=_chart_alt_text(found.state),
                           initial_comment=f"Your coalition's progress chart for {found.state}.")


# -- /tat reported, /tat distribute -----------------------------------------------------------------
def reported(call: Call, session: Session) -> Message:
    """`/tat reported [hotline|911|police] [date]`: a count of reports, never details."""
    who = approved_caller(session, call)
    if isinstance(who, Message):
        return who
    try:
        entry = figures_of.parse_reported(call.text, call.today)
    except Usage as wrong:
        return bad(str(wrong), REPORTED_USAGE)
    progress.add_report(session, call.team, who, entry.made_to, entry.on, call.now)
    return Message(md("Thank you: logged one report to {} on {}. I keep a count only — never details of a case "
                      "or the people in it; those stay with {}.", REPORTED_TO[entry.made_to], entry.on.isoformat(),
                      REPORTED_TO[entry.made_to]),
                   [section(md("Thank you: logged one report to {} on {}.", REPORTED_TO[entry.made_to],
                               entry.on.isoformat())),
                    context("I keep a count only — never details of a case or the people in it. "
                            f"{SAFETY} {HOTLINE}")])


def distribute(call: Call, session: Session) -> Message:
    """`/tat distribute [on|off]`: the caller's site hands out TAT/BOTL materials (or no longer does)."""
    who = approved_caller(session, call)
    if isinstance(who, Message):
        return who
    if who.sector not in DISTRIBUTORS:
        return Message("Distribution points are truck stops, terminals and trucking or bus companies; your "
                       "registration is in another sector. Nothing was changed.")
    word = call.text.lower() or "on"
    if word not in ("on", "off"):
        return bad(f'"{echoed(call.text)}" is not on or off.', "/tat distribute [on|off]")
    place = who.site_name or who.organization
    changed = progress.set_distribution(session, call.team, who, word == "on", call.now)
    if word == "on":
        return Message(md("{} {} a point of distribution for TAT/BOTL materials (wallet cards, window decals, "
                          "posters). Thank you!", place, "is now" if changed else "was already"))
    return Message(md("{} {} a point of distribution.", place, "is no longer" if changed else "was not"))


# -- /tat hotline ---------------------------------------------------------------------------------
def hotline(call: Call, session: Session) -> Message:
    """`/tat hotline`: the numbers; an admin's `/tat hotline 2026 118` records the state's official figure."""
    numbers = Message(f"{SAFETY}\n{HOTLINE}. Canada: 1-833-900-1010. Mexico: 800 5533 000. "
                      "DHS/HSI tip line: 1-866-347-2423.")
    if not call.text:
        return numbers
    if not call.is_admin:
        return Message(md("Only coalition admins record hotline figures; nothing was stored.\n{}", numbers.text))
    try:
        entry = figures_of.parse_hotline(call.text, call.today)
    except Usage as wrong:
        return bad(str(wrong), HOTLINE_USAGE)
    who = stakeholders.by_slack_user(session, call.team, call.user)
    if who is None or not who.state:
        return Message("Register with `/tat register` first, so that I know your state. Nothing was stored.")
    replaced = progress.record_hotline_figure(session, call.team, who.state, entry.period, entry.count,
                                              entry.source, call.user, call.now)
    return Message(md("{} the hotline figure for {}, {}: *{}* (source: {}).", "Replaced" if replaced else "Recorded",
                      who.state, entry.period, f"{entry.count:,}", entry.source))


# -- /tat milestone -------------------------------------------------------------------------------
def milestone_form(call: Call, session: Session):
    """`/tat milestone` (admins): the form, with every milestone SPEC names."""
    who = stakeholders.by_slack_user(session, call.team, call.user)
    if who is None or not who.state:
        return Message("Register with `/tat register` first, so that I know your state.")
    return OpenModal(modal(MILESTONE_FORM, "Record a milestone", "Record", [
        select_input("kind", "Milestone", milestone_options()),
        {"type": "input", "block_id": "on", "label": {"type": "plain_text", "text": "Date reached"},
         "element": {"type": "datepicker", "action_id": "value", "initial_date": call.today.isoformat()}},
        text_input("note", "Note", optional=True, max_length=300,
                   hint="Optional, like the order's number. Never details of a case or of victims."),
    ], metadata=who.state))


def milestone_options() -> list[dict]:
    """Every milestone SPEC names, its short label over its detail."""
    return [option(label, key, MILESTONE_DETAILS[key]) for key, label in MILESTONES.items()]


def submit_milestone(ack, body, view, context):
    services, user, team = context["services"], body["user"]["id"], (body.get("team") or {}).get("id", "")
    if not services.is_admin(team, user):
        return ack(response_action="errors", errors={"kind": "Only coalition admins record milestones."})
    moment = services.clock()
    values, errors = submitted_values(view), {}
    if values.get("kind") not in MILESTONES:
        errors["kind"] = "Please choose one of the milestones."
    try:
        on = parse_date((values.get("on") or "").strip(), today_for(services, team, user, moment))
    except Usage as wrong:
        errors["on"] = str(wrong)
    note = " ".join((values.get("note") or "").split())[:300] or None
    state = str(view.get("private_metadata") or "")
    known = places.find_state(state) if len(state) == 2 else None
    if known is None or known.abbr != state:   # the state the form was opened for, as any state is checked
        errors["kind"] = "This form does not name a state I know: open it again with `/tat milestone`."
    if errors:
        return ack(response_action="errors", errors=errors)
    with services.sessions.begin() as session:
        if first_time(session, team, form_key(view), moment):   # the same form again: recorded once
            progress.add_milestone(session, team, state, values["kind"], on, note, user, moment)
    ack(response_action="update", view=milestone_recorded(state, values["kind"], on, note))


def milestone_recorded(state: str, kind: str, on, note: str | None) -> dict:
    """The form, once saved, says privately what was recorded."""
    known = places.find_state(state)
    said = md("Recorded for {}: *{}* ({}), reached on {}{}. It shows in `/tat progress` and on its chart.",
              known.name if known else state, MILESTONES[kind], MILESTONE_DETAILS[kind], on.isoformat(),
              md(" — note: {}", note) if note else "")
    return {"type": "modal", "title": plain("Milestone recorded"), "close": plain("Done"), "blocks": [section(said)]}
