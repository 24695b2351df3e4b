"""What an approver's one message of waiting registrations looks like (domain/approvals.py gathers it)."""
from domain import places
from domain.approvals import Digest, Waiting
from handlers.blocks import Message, Mrkdwn, actions, button, confirm_dialog, context, md, mention, section
from handlers.registration_blocks import decision_buttons, where

APPROVE_ALL = "approve_all_registrations"
PENDING = "`/tat pending`"


def digest(shown: Digest) -> Message:
    """The approver's message: how many wait (and where), Approve / Decline for each of the oldest,
    Approve all for those shown (when more than one), a line for the rest, and who decided lately."""
    if shown.superseded:
        text = "This list of registrations moved to a newer message below."
        return Message(text, [section(text)])
    if not shown.total:
        text = md("No registrations are waiting for you now. New ones will appear in a new message; "
                  "{} lists them too.", Mrkdwn(PENDING))
        return Message(text, [section(text), *_settled(shown)])
    head = _head(shown)
    blocks = [section(md("*{}*", head))]
    for waiting in shown.shown:
        blocks += [section(_entry(waiting)), decision_buttons(waiting.stakeholder_id, waiting.revision,
                                                               waiting.profile)]
    left = shown.total - len(shown.shown)
    if left > 0:
        blocks.append(context(md("{} more in {}, oldest first.", f"{left:,}", Mrkdwn(PENDING))))
    if len(shown.shown) > 1:
        blocks.append(actions(_approve_all(shown.shown)))
    blocks += _settled(shown)
    blocks.append(context(md("This message keeps itself current. {} lists every registration waiting for you.",
                             Mrkdwn(PENDING))))
    named = "; ".join(f"{w.profile.name} ({w.profile.organization}, {where(w.profile)})" for w in shown.shown[:3])
    return Message(f"{head}: {named}" + ("; …" if shown.total > 3 else "."), blocks)


def _head(shown: Digest) -> str:
    """'14 registrations waiting in Nebraska', or '14 registrations waiting: 9 in Nebraska, 5 in Kansas'."""
    count = f"{shown.total:,} registration{'s' if shown.total != 1 else ''} waiting for your approval"
    states = sorted(shown.by_state.items(), key=lambda item: (-item[1], item[0]))
    if len(states) == 1:
        return f"{count} in {_state_name(states[0][0])}"
    listed = ", ".join(f"{n:,} in {_state_name(state)}" for state, n in states[:6])
    return f"{count}: {listed}" + (", …" if len(states) > 6 else "")


def _state_name(abbr: str) -> str:
    state = places.find_state(abbr) if abbr else None
    return state.name if state else (abbr or "no state")


def _entry(waiting: Waiting) -> Mrkdwn:
    p = waiting.profile
    lines = [md("*{}* — {}, {}{}", p.name, p.sector.label, p.organization, f", {p.title}" if p.title else ""),
             md("{} · {} · {} · {}", where(p), p.phone, p.email, mention(waiting.user))]
    if p.site_name:
        road = " ".join(filter(None, [p.interstate, p.exit and f"exit {p.exit}"]))
        lines.append(md("Site: {}{}", p.site_name, f" ({road})" if road else ""))
    if not waiting.is_new:
        lines.append(md("_Changed registration: approved before, or declined, and edited since_"))
    return Mrkdwn("\n").join(lines)


def _approve_all(shown: list[Waiting]) -> dict:
    count = len(shown)
    value = ",".join(f"{w.stakeholder_id}:{w.revision}" for w in shown)
    confirm = confirm_dialog(f"Approve {count} registrations?",
                             md("Everyone listed in this message will be approved and told so. Someone "
                                "changed or decided meanwhile is left as it is."), "Approve all")
    return button(f"Approve all {count}", APPROVE_ALL, value, style="primary", confirm=confirm)


def _settled(shown: Digest) -> list[dict]:
    if not shown.settled:
        return []
    lines = [md("{} {} ({}) {} by {}", "✅" if s.approved else "✖️", s.name, s.organization,
                "approved" if s.approved else "declined", mention(s.decided_by) if s.decided_by else "—")
             for s in shown.settled]
    return [context(Mrkdwn("Decided lately: ") + Mrkdwn("\n").join(lines))]


def approved_all(verdicts: list[str]) -> Message:
    """What "Approve all" did, told to the presser alone."""
    done = verdicts.count("decided")
    parts = [f"Approved {done} registration{'s' if done != 1 else ''}; each person is told." if done
             else "Nobody was approved."]
    if already := verdicts.count("already"):
        parts.append(f"{already} had been decided already by someone else.")
    if stale := verdicts.count("stale") + verdicts.count("gone"):
        parts.append(f"{stale} changed since the list was shown and still wait{'s' if stale == 1 else ''}: "
                     "see the updated list.")
    if verdicts.count("own"):
        parts.append("Your own registration is not yours to decide.")
    if verdicts.count("not_admin"):
        parts.append(f"{verdicts.count('not_admin')} are not yours to decide (another state's), and were left.")
    return Message(" ".join(parts) + " Nothing else was changed.")
