"""Slack in and out for `/tat trained`: the command, its form, the Undo button, celebrations."""
from datetime import date

from sqlalchemy.orm import Session

from domain import trainings
from domain.bounds import ids_in
from domain.trainings import AUDIENCES, PROGRAM_LABELS, UNDO_FOR, Training, Usage, completed
from handlers.blocks import (
    Message,
    actions,
    button,
    context,
    md,
    modal,
    option,
    possessive,
    section,
    select_input,
    submitted_values,
    text_input,
)
from handlers.commands import Call, OpenModal
from handlers.contact_blocks import DECLINED
from handlers.replays import first_time, form_key
from handlers.zones import today_for
from storage import progress, stakeholders
from storage.models import Stakeholder
from storage.models import Training as TrainingRow

UNDO = "undo_training"
FORM = "trained"


def approved_caller(session: Session, call: Call) -> Stakeholder | Message:
    """The caller's approved registration, or the message that says why it is needed."""
    who = stakeholders.by_slack_user(session, call.team, call.user)
    if who is None:
        return Message("Only registered coalition members can log this. Register with `/tat register`; "
                       "once a coalition admin approves you, try again.")
    if who.status == "declined":
        return Message(DECLINED)
    if who.status != "approved":
        return Message("Your registration is waiting for a coalition admin's approval; once you are approved, "
                       "try again.")
    return who


def usage(problem: str, form: str) -> Message:
    """Bad input: what was wrong, and the right form. Nothing was stored."""
    return Message(md("{} Nothing was logged.\nThe form is `{}`, for example `{}`.", problem, form,
                      "/tat trained 25 drivers TAT yesterday"))


def trained(call: Call, session: Session):
    """`/tat trained <count> [audience] [program] [date]`; with no words, the form."""
    who = approved_caller(session, call)
    if isinstance(who, Message):
        return who
    if not call.text:
        return OpenModal(training_form(*trainings.defaults_for(who.sector), call.today))
    try:
        entry = trainings.parse_training(call.text, who.sector, call.today)
    except Usage as bad:
        return usage(str(bad), trainings.USAGE)
    row = trainings.log_training(session, call.team, who, entry, call.now)
    return logged(row.id, who.organization, who.state, entry, _totals(session, call.team, who), token=row.token)


def _totals(session: Session, team: str, who: Stakeholder) -> tuple[int, int]:
    return (progress.trained_total(session, team, who.state, who.organization),
            progress.trained_total(session, team, who.state))


def logged(training_id: int, organization: str, state: str, entry: Training, totals: tuple[int, int],
           undo: bool = True, token: str | None = None) -> Message:
    """The confirmation: what was logged, the organization's and the coalition's totals, and Undo."""
    text = md("Logged: {} on {}, for {}.\n{} total: *{}* people trained; the {} coalition's total: *{}*.",
              completed(entry.count, entry.audience, entry.program), entry.on.isoformat(), organization,
              possessive(organization), f"{totals[0]:,}", state, f"{totals[1]:,}")
    blocks = [section(text)]
    if undo:
        minutes = int(UNDO_FOR.total_seconds() // 60)
        blocks += [actions(button("Undo", UNDO, f"{training_id}/{token}" if token else str(training_id))),
                   context(f"Logged by mistake? Undo works for {minutes} minutes.")]
    return Message(text, blocks)


def training_form(audience: str, program: str, today: date) -> dict:
    """The form of `/tat trained` with no words: count, audience, program and date."""
    return modal(FORM, "Log a training", "Log it", [
        text_input("count", "How many people completed the training?", placeholder="25", max_length=7),
        select_input("audience", "Who was trained", [option(a.capitalize(), a) for a in AUDIENCES],
                     initial=audience),
        select_input("program", "Training", [option(label[0].upper() + label[1:], code)
                                             for code, label in PROGRAM_LABELS.items()], initial=program),
        {"type": "input", "block_id": "on", "label": {"type": "plain_text", "text": "Date of the training"},
         "element": {"type": "datepicker", "action_id": "value", "initial_date": today.isoformat()},
         "hint": {"type": "plain_text", "text": "Not in the future. Counts only: no names."}},
    ])


def submit_form(ack, body, view, context):
    """The form was submitted: problems inline, or log it and owe the person a note with Undo."""
    services, user, team = context["services"], body["user"]["id"], (body.get("team") or {}).get("id", "")
    moment = services.clock()
    today = today_for(services, team, user, moment)   # the submitter's own day
    values = submitted_values(view)
    errors, parsed = {}, {}
    for field, read in (("count", trainings.parse_count), ("on", lambda w: trainings.parse_date(w, today))):
        try:
            parsed[field] = read((values.get(field) or "").strip())
        except Usage as bad:
            errors[field] = str(bad)
    audience, program = values.get("audience"), values.get("program")
    if audience not in AUDIENCES:
        errors["audience"] = "Please choose who was trained."
    if program not in PROGRAM_LABELS:
        errors["program"] = "Please choose the training."
    if errors:
        return ack(response_action="errors", errors=errors)
    with services.sessions.begin() as session:
        who = stakeholders.by_slack_user(session, team, user)
        if who is None or who.status != "approved":
            return ack(response_action="errors", errors={"count": "Only approved coalition members can log trainings."})
        if not first_time(session, team, form_key(view), moment):   # the same form again: logged once
            return ack()
        entry = Training(parsed["count"], audience, program, parsed["on"])
        trainings.log_training(session, team, who, entry, moment, by_form=True)
    ack()


def undo(ack, body, action, respond, context):
    """Undo: delete the training if the presser logged it less than 10 minutes ago (compare-and-set)."""
    ack()
    services, user, team = context["services"], body["user"]["id"], (body.get("team") or {}).get("id", "")
    moment = services.clock()
    number, _, token = str(action.get("value") or "")[:64].partition("/")   # "12/<the training's token>"
    training_id, = ids_in(number, 1) or (0,)
    with services.sessions.begin() as session:
        row = progress.training(session, team, training_id)
        if row is not None and token and row.token != token:
            row = None   # the button's training was undone, and its id (SQLite) given to another since
        refusal = ("This training is no longer logged." if row is None
                   else trainings.may_undo(row.logged_by, row.created_at, user, moment))
        done = refusal is None and progress.undo_training(session, team, training_id, user, moment - UNDO_FOR,
                                                          row.token if token else None)
        if refusal is None and not done:
            refusal = "This training is no longer logged."
        said = (Message(md("Undone, no longer logged: {} on {}.", completed(row.count, row.audience, row.program),
                           row.trained_on.isoformat())) if done else Message(refusal))
    if done:
        services.later(lambda: respond(replace_original=True, **said.as_kwargs()))
    else:
        services.later(lambda: respond(response_type="ephemeral", replace_original=False, **said.as_kwargs()))


def celebrate(call: Call, session: Session) -> Message:
    """`/tat celebrate on|off`: whether the coalition channel celebrates the organization's trainings."""
    who = approved_caller(session, call)
    if isinstance(who, Message):
        return who
    word = call.text.lower()
    if word not in ("on", "off"):
        return Message("Please say `/tat celebrate on` or `/tat celebrate off`. Nothing was changed.")
    progress.set_celebrations(session, call.team, who.state, who.organization, word == "on", call.user)
    if word == "on":
        return Message(md("The coalition channel will celebrate {} trainings (organization and count only).",
                          possessive(who.organization)))
    return Message(md("The coalition channel will no longer celebrate {} trainings.", possessive(who.organization)))


def render_logged(notice, found) -> Message:
    """The note for a training logged in the form (domain/shown.py gathers the training and the totals)."""
    row = found.training
    entry = Training(row.count, row.audience, row.program, row.trained_on)
    return logged(row.id, found.organization, row.state, entry, found.totals, token=row.token)


def render_celebration(notice, row: TrainingRow) -> Message:
    """The coalition channel's celebration: the organization and the count, nothing else."""
    return Message(md(":tada: {}: {}. Thank you!", row.organization, completed(row.count, row.audience, row.program)))
