"""Slack in and out for `/tat resources`: the list, and the form with which the state's leads and the
admins add, edit and remove items; and the leads' weekly note of who asked for materials."""
from sqlalchemy.orm import Session

from domain import places
from domain import resources as coalition_resources
from domain.notices import MaterialsDigest
from domain.profile import Invalid
from domain.registration import Status
from handlers import resource_blocks as render
from handlers.blocks import Message, md, submitted_values
from handlers.commands import Call
from handlers.replays import first_time, form_key
from storage import stakeholders
from storage.db import reading


def show(call: Call, session: Session) -> Message:
    """`/tat resources [state]`: the coalition's links and agreed pathways, for anyone registered (and
    the state's leads and the admins, who edit them)."""
    who = stakeholders.by_slack_user(session, call.team, call.user)
    state = places.find_state(call.text) if call.text else places.find_state(who.state) if who else None
    if call.text and state is None:
        return Message(md('"{}" is not a US state I know. Try `/tat resources NE`.', call.text))
    editor = state is not None and coalition_resources.may_edit(session, call.team, state.abbr, call.user,
                                                                call.is_admin)
    registered = who is not None and who.status not in (Status.DECLINED, Status.DEACTIVATED)
    if not (editor or call.is_admin or registered):
        return render.register_first()
    if state is None:
        return render.which_state()
    items, defaults = coalition_resources.listing(session, call.team, state.abbr)
    return render.resources_message(state.name, items, defaults, editor, state.abbr)


def open_add(ack, body, action, client, respond, context):
    """Add an item: the empty form, for the state's leads and the admins."""
    _open_form(ack, body, client, respond, context, str(action.get("value") or ""), None)


def open_edit(ack, body, action, client, respond, context):
    """Edit: the item's form, which can also remove it."""
    abbr, _, ref = str(action.get("value") or "").partition(":")
    _open_form(ack, body, client, respond, context, abbr, coalition_resources.parse_ref(ref))


def _open_form(ack, body, client, respond, context, abbr: str, ref) -> None:
    ack()
    services, user, team = context["services"], body["user"]["id"], _team(body)
    state = places.find_state(abbr) if abbr else None
    with reading(services.sessions) as session:
        if state is None or not coalition_resources.may_edit(session, team, state.abbr, user,
                                                             services.is_admin(team, user)):
            said = render.not_an_editor(state.abbr if state else abbr[:2])
        else:
            item = coalition_resources.find(session, team, state.abbr, ref) if ref is not None else None
            said = render.gone() if ref is not None and item is None else None
    if said is not None:
        return services.later(lambda: respond(replace_original=False, response_type="ephemeral", **said.as_kwargs()))
    form, trigger = render.resource_form(state.abbr, item), body["trigger_id"]
    services.later(lambda: client.views_open(trigger_id=trigger, view=form))


def submit(ack, body, view, context):
    """The form was saved: problems inline, or the item added, changed or removed."""
    services, user, team = context["services"], body["user"]["id"], _team(body)
    abbr, _, ref_text = str(view.get("private_metadata") or "").partition(":")
    state, ref = places.find_state(abbr), coalition_resources.parse_ref(ref_text)
    values = submitted_values(view)
    removing = ref is not None and values.get("keep") == render.REMOVE
    try:
        item = None if removing else coalition_resources.parse_item(values)
    except Invalid as bad:
        return ack(response_action="errors", errors=bad.errors)
    with services.sessions.begin() as session:
        if state is None or not coalition_resources.may_edit(session, team, state.abbr, user,
                                                             services.is_admin(team, user)):
            return ack(response_action="errors", errors={"title": render.not_an_editor(abbr[:2]).text})
        at = services.clock()
        if not first_time(session, team, form_key(view), at):   # the same form again: saved once
            return ack(response_action="update", view=render.saved(state.abbr, removing))
        done = (coalition_resources.remove(session, team, state.abbr, ref, user, at) if removing else
                coalition_resources.save(session, team, state.abbr, item, user, at, ref))
    if not done:
        full = ref is None
        return ack(response_action="errors", errors={"title": _why_not(full)})
    ack(response_action="update", view=render.saved(state.abbr, removing))


def _why_not(full: bool) -> str:
    if full:
        return f"The list holds {coalition_resources.MAX_ITEMS} items: remove one first."
    return render.gone().text


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""


def render_digest(notice: MaterialsDigest, found) -> Message:
    """A lead's weekly note of who asked for materials (domain/shown.py: only while someone's answer says so)."""
    return render.materials_digest(found.coalition.state, found.asked, *found.days)
