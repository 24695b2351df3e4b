"""What coalitions and their follow-ups look like in Slack: the setup form, the channel post, the
check-in and its reminder, the leads' alerts and `/tat followups`; and the notices' renderers."""
from datetime import datetime
from zoneinfo import ZoneInfo

from domain import checklist, followups, notices
from domain.coalitions import ANSWERS, SETUP_TEXT, StageStatus, answer_counts
from handlers.blocks import (
    Message,
    Mrkdwn,
    actions,
    button,
    context,
    md,
    mention,
    modal,
    more_button,
    option,
    plain,
    safety_footer,
    section,
    select_input,
    text_input,
)
from handlers.progress import chart_picture, figure_sections
from storage.models import Coalition

SETUP = "coalition_setup"
SETUP_STATE_CHOSEN = "coalition_setup_state_chosen"   # fits the time zones to the state
CHECKIN_ACTIONS = {"checkin_trained": "trained", "checkin_distribute": "distribute",
                   "checkin_need": "need_materials", "checkin_not_yet": "not_yet"}
NOT_NOW = "checkin_not_now"
MATERIALS_POINTER = ("`/tat resources` shows how to get TAT training and materials (wallet cards, decals, "
                     "posters) in your state.")


# -- the setup form ---------------------------------------------------------------------------------
def setup_form(state_names: list[tuple[str, str]], answers: dict) -> dict:
    """The modal of `/tat setup`, filled in with `answers` (the coalition being edited, or what was
    chosen so far); its time zones are the chosen state's."""
    a = answers.get
    states = [option(name, abbr) for abbr, name in state_names]
    zones = [option(zone.replace("America/", "").replace("_", " ") + f" ({zone})", zone)
             for zone in (followups.zones_of(a("state")) if a("state") else None) or followups.all_zones()]
    blocks = [
        select_input("state", "State", states, initial=a("state"), action_id=SETUP_STATE_CHOSEN, dispatch=True),
        _input("meeting_date", "Build meeting date",
               {"type": "datepicker", "action_id": "value", **_initial("initial_date", a("meeting_date"))}),
        _input("channel", "Coalition channel",
               {"type": "conversations_select", "action_id": "value", "filter": {"include": ["public", "private"],
                                                                                  "exclude_bot_users": True},
                **_initial("initial_conversation", a("channel"))}),
        {**select_input("time_zone", "Time zone", zones, initial=a("time_zone"),
                        hint="Leave blank for the state's main time zone; states in two zones may choose."),
         "optional": True},
        _input("leads", "Coalition leads",
               {"type": "multi_users_select", "action_id": "value", **_initial("initial_users", a("leads"))},
               hint="The AG office or statewide task force, and the State Trucking Association. "
                    "Leads approve their state's registrations."),
        text_input("lead_agencies", "Lead agencies", initial=a("lead_agencies"), optional=True,
                   max_length=SETUP_TEXT["lead_agencies"],
                   placeholder="Office of the Attorney General; State Trucking Association"),
        text_input("offsets", "Follow-ups (months after the meeting)",
                   initial=a("offsets") or ", ".join(map(str, followups.DEFAULT_OFFSETS)),
                   max_length=SETUP_TEXT["offsets"],
                   hint="Each at 10:00 in the coalition's time zone; a weekend moves to the Monday."),
    ]
    return modal(SETUP, "Coalition setup", "Save", blocks)


def coalition_answers(c: Coalition) -> dict:
    """A stored coalition as the setup form's answers."""
    return {"state": c.state, "meeting_date": c.meeting_date.isoformat(), "channel": c.channel_id,
            "time_zone": c.time_zone, "leads": list(c.leads), "lead_agencies": c.lead_agencies,
            "offsets": ", ".join(map(str, c.offsets))}


def _initial(key: str, value) -> dict:
    return {key: value} if value else {}


def _input(block_id: str, label: str, element: dict, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": False}
    return {**block, "hint": plain(hint)} if hint else block


def form_values(view: dict) -> dict:
    """A submitted setup form's answers, whatever the input element (dates, users, channels too)."""
    values: dict = {}
    for block_id, elements in view.get("state", {}).get("values", {}).items():
        for e in elements.values():
            values[block_id] = (e.get("value") or (e.get("selected_option") or {}).get("value")
                                or e.get("selected_date") or e.get("selected_conversation")
                                or e.get("selected_channel") or e.get("selected_users"))
    return values


def saved(coalition: Coalition) -> Message:
    when = "; ".join(f"{m} month(s): {_local(at, coalition.time_zone)}" for m, at in _plan(coalition))
    return Message(md("The {} coalition is saved. Follow-ups: {}. See them with `/tat followups {}`. "
                      "Make sure I am in <#{}> (type `/invite @TAT Coalition` there): otherwise its leads are "
                      "told when a follow-up cannot be posted.", coalition.state, when, coalition.state,
                      coalition.channel_id))


# -- the channel post -------------------------------------------------------------------------------
def nudge(notice: notices.FollowupNudge, found) -> Message:
    """The post in the coalition channel: the stage's checklist, the progress so far (the figures
    of `/tat progress`, and its chart below), and what to do next."""
    coalition, figures = found.coalition, found.figures
    stage = followups.stage_name(notice.months)
    title = md("*{} coalition: {}*", coalition.state, stage)
    items = Mrkdwn("\n").join([md("{} {}", "☑" if done else "☐", item)
                               for item, done in checklist.ticked(notice.months, figures)])
    blocks = [section(title), section(md("*Checklist*\n{}", items)),
              section("*Progress so far*"), *figure_sections(figures),
              section(md("*Next:* {}", followups.next_step(notice.months))),
              section(md("*Training and materials:* {}", Mrkdwn(MATERIALS_POINTER))),
              context("Everyone approved gets a check-in by direct message today. The chart is below; "
                      "`/tat progress` shows the figures any time."), safety_footer()]
    return Message(md("{} coalition: {}. {}", coalition.state, stage, followups.next_step(notice.months)), blocks,
                   picture=chart_picture(figures, f"{coalition.state} coalition progress at the {stage}"))


# -- the check-in and its reminder ------------------------------------------------------------------
def checkin_buttons(coalition_id: int, months: int) -> dict:
    value = f"{coalition_id}:{months}"
    return actions(button("Log a training", "checkin_trained", value, style="primary"),
                   button("We distribute TAT/BOTL materials", "checkin_distribute", value),
                   button("We need materials", "checkin_need", value),
                   button("Not yet", "checkin_not_yet", value),
                   button("Not now", NOT_NOW, value))


def checkin(notice: notices.CheckIn, found) -> Message:
    return _checkin_message(notice.months, found, reminder=False)


def reminder(notice: notices.CheckInReminder, found) -> Message:
    return _checkin_message(notice.months, found, reminder=True)


def _checkin_message(months: int, found, reminder: bool) -> Message:
    coalition, who = found.coalition, found.who
    opening = "A reminder of your" if reminder else "Your"
    text = md("{} {} coalition's {} check-in. {}", opening, coalition.state, followups.stage_name(months),
              followups.sector_ask(who.sector))
    blocks = [section(md("*{}*\n{}", text, "Press what fits; you can change your answer.")),
              checkin_buttons(coalition.id, months), safety_footer()]
    return Message(text, blocks)


def answer_noted(choice: str) -> Message:
    noted = md("Thank you, noted: {}. Press another button to change it.", ANSWERS[choice])
    if choice == "need_materials":
        noted = Mrkdwn("\n").join([noted, Mrkdwn("The coalition's leads hear of it this week. Meanwhile, "
                                                  + MATERIALS_POINTER)])
    return Message(noted)


def training_coming() -> Message:
    return Message("Thank you, noted. Logging a training's details here is coming soon; "
                   "your answer counts as training done.")


def snoozed(until: datetime, zone: str) -> Message:
    return Message(md("No problem: I'll remind you on {}.", _local(until, zone)))


def not_asked() -> Message:
    return Message("This check-in is not for you (or the coalition changed): nothing was recorded.")


# -- the leads' alerts ------------------------------------------------------------------------------
FIXES = {
    "not_in_channel": "I am not in {channel}: open the channel, type `/invite @TAT Coalition`",
    "is_archived": "{channel} is archived: unarchive it, or choose another channel with `/tat setup`",
    "channel_not_found": "I cannot see {channel}: invite me to it, or choose another channel with `/tat setup`",
}


def lead_alert(notice: notices.LeadAlert, coalition: Coalition) -> Message:
    stage = followups.stage_name(notice.months)
    channel = md("<#{}>", coalition.channel_id)
    if notice.problem == "missed":
        text = md("The {} coalition's {} was missed: the bot could not post it within 7 days. "
                  "A coalition admin can send it now from `/tat outbox`.", coalition.state, stage)
    else:
        fix = md(FIXES[notice.problem], channel=channel) if notice.problem in FIXES else md(
            "Slack refused it ({})", notice.problem)
        text = md("The {} coalition's {} could not be posted. {}: it goes out by itself as soon as I can post "
                  "there, within 7 days of its date (a coalition admin can also press Try again in `/tat outbox`).",
                  coalition.state, stage, fix)
    return Message(text)


# -- /tat followups ---------------------------------------------------------------------------------
FOLLOWUPS_SHOWN = 10   # coalitions a page: a block each (Slack shows 50 a message)


def followups_list(shown: list[tuple[Coalition, list[StageStatus]]], total: int | None = None, page: int = 1,
                   asked: str = "") -> Message:
    """One page of coalitions with their follow-ups, and a More button while there are more."""
    total = len(shown) if total is None else total
    if not total:
        return Message("No coalition is set up yet (or none for that state). Set one up with `/tat setup`.")
    blocks, lines = [], []
    for coalition, stages in shown:
        head = md("*{} coalition* (meeting {}, <#{}>; leads: {}{})", coalition.state,
                  coalition.meeting_date.isoformat(), coalition.channel_id,
                  Mrkdwn(", ").join([mention(u) for u in coalition.leads]) or "none named",
                  md("; lead agencies: {}", coalition.lead_agencies) if coalition.lead_agencies else "")
        rows = [md("• {}: {} — {}{}", followups.stage_name(s.months), _local(s.at, coalition.time_zone), s.status,
                   _answered(s)) for s in stages]
        blocks.append(section(Mrkdwn("\n").join([head, *rows])))
        lines += [md("{} {}", coalition.state, r) for r in rows]
    pages = -(-total // FOLLOWUPS_SHOWN)
    if page < pages:
        blocks.append(more_button(total - page * FOLLOWUPS_SHOWN, " ".join(filter(None, ["followups", asked,
                                                                                        f"page {page + 1}"]))))
    heading = [Mrkdwn(f"Coalitions {(page - 1) * FOLLOWUPS_SHOWN + 1}–{(page - 1) * FOLLOWUPS_SHOWN + len(shown)} "
                      f"of {total} (page {page} of {pages})")] if pages > 1 else []
    return Message(Mrkdwn("\n").join([*heading, *lines]), blocks)


def _answered(s: StageStatus) -> Mrkdwn:
    if not s.asked:
        return Mrkdwn("")
    total = sum(s.answers.values())
    parts = answer_counts(s.answers)
    return md("; check-ins answered {} of {}{}", total, s.asked, f" ({parts})" if parts else "")


def _plan(coalition: Coalition) -> list[tuple[int, datetime]]:
    return [(m, followups.followup_at(coalition.meeting_date, m, coalition.time_zone)) for m in coalition.offsets]


def _local(at: datetime, zone: str) -> str:
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %Y} {local:%H:%M} {local.tzname()}"


RENDERERS = {
    notices.FollowupNudge.kind: nudge,
    notices.CheckIn.kind: checkin,
    notices.CheckInReminder.kind: reminder,
    notices.LeadAlert.kind: lead_alert,
}
