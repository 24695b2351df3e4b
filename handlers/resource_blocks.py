"""What `/tat resources` looks like: the coalition's list, the form that adds, edits or removes an
item, and the leads' weekly note of who asked for materials."""
from datetime import date

from domain.resources import KINDS, LIMITS, Item
from handlers.blocks import (
    Message,
    Mrkdwn,
    actions,
    button,
    context,
    link,
    md,
    mention,
    modal,
    option,
    safety_footer,
    section,
    select_input,
    text_input,
)
from handlers.member_blocks import MAX_TEXT, fit_lines
from storage.models import Stakeholder

ADD = "add_resource"
EDIT = "edit_resource"
FORM = "resource_form"
KEEP, REMOVE = "keep", "remove"


def resources_message(state: str, items: list[Item], defaults: bool, editor: bool, abbr: str) -> Message:
    """The state's items by kind; an editor's each with Edit, and a button to add one."""
    head = md("*Resources of the {} coalition*: how to get TAT training and materials into the state, and the "
              "pathways the coalition agreed.", state)
    blocks, kind = [section(head)], None
    for item in items:
        if item.kind != kind:
            kind = item.kind
            blocks.append(context(md("*{}*", KINDS.get(kind, kind))))
        line = section(item_line(item))
        blocks.append({**line, "accessory": button("Edit", EDIT, f"{abbr}:{item.ref}")} if editor else line)
    if not items:
        blocks.append(section("Nothing is listed yet."))
    if defaults:
        blocks.append(context("These are TAT's own training and materials, until the coalition's leads add "
                              "what it agreed."))
    if editor:
        blocks += [actions(button("Add an item", ADD, abbr, style="primary")),
                   context("You keep this list as a lead or admin: Edit changes or removes an item.")]
    else:
        blocks.append(context("The coalition's leads keep this list: tell them what your coalition agrees."))
    blocks.append(safety_footer())
    text = Mrkdwn("\n").join([head, *[md("• {}", item_line(i)) for i in items]])
    return Message(text, blocks)


def item_line(item: Item) -> Mrkdwn:
    """The title (a link when it has an address), and its note below."""
    title = md("*{}*", link(item.url, item.title)) if item.url else md("*{}*", item.title)
    return md("{}\n{}", title, item.note) if item.note else title


def resource_form(abbr: str, item: Item | None) -> dict:
    """The modal that adds an item (no item) or edits one, and can remove it."""
    a = item.values() if item else {}
    blocks = [
        select_input("kind", "Kind", [option(label, key) for key, label in KINDS.items()],
                     initial=a.get("kind") or "pathway"),
        text_input("title", "What it is", initial=a.get("title"), max_length=LIMITS["title"],
                   placeholder="Materials at every weigh station, via the State Patrol"),
        text_input("url", "Web address", initial=a.get("url"), optional=True, max_length=LIMITS["url"],
                   placeholder="https://…", hint="A link to the training, the order form or the agreement."),
        _multiline(text_input("note", "How to get it, or what was agreed", initial=a.get("note"), optional=True,
                              max_length=LIMITS["note"])),
    ]
    if item:
        blocks.append(select_input("keep", "This item", [option("Keep it in the list", KEEP),
                                                         option("Remove it from the list", REMOVE)], initial=KEEP))
    blocks.append(context("Everyone registered in the coalition sees this list. Never details of a case or "
                          "of victims."))
    title = "Edit a resource" if item else "Add a resource"
    return modal(FORM, title, "Save", blocks, metadata=f"{abbr}:{item.ref if item else ''}")


def _multiline(block: dict) -> dict:
    return {**block, "element": {**block["element"], "multiline": True}}


def saved(state: str, removed: bool) -> dict:
    """The form, once saved: what happened, and where to see the list."""
    said = md("{} `/tat resources {}` shows the list.", "Removed." if removed else "Saved.", state)
    return {"type": "modal", "title": {"type": "plain_text", "text": "Resources"},
            "close": {"type": "plain_text", "text": "Done"}, "blocks": [section(said)]}


def register_first() -> Message:
    return Message("The coalition's resources are for its registered members: register with `/tat register`.")


def which_state() -> Message:
    return Message("Which state? Try `/tat resources NE` (register with `/tat register` to make yours the default).")


def not_an_editor(state: str) -> Message:
    return Message(md("Only the {} coalition's leads and the admins change its resources; nothing was changed.",
                      state))


def gone() -> Message:
    return Message("That item was removed meanwhile; nothing was changed. `/tat resources` shows the list.")


def materials_digest(state: str, asked: list[Stakeholder], since: date, until: date) -> Message:
    """A lead's weekly note: who answered a check-in "We need materials" that week."""
    lines = [md("• {} — {} ({})", who.organization, who.name, mention(who.slack_user_id)) for who in asked]
    head = md("*We need materials*: {} of the {} coalition asked in their check-in between {} and {}:",
              len(asked), state, _day(since), _day(until))
    tail = Mrkdwn("Wallet cards, decals and posters are free from TAT; `/tat resources` lists how your coalition "
                  "gets them into the state.")
    text = Mrkdwn("\n").join([head, *fit_lines(lines, MAX_TEXT - len(head) - len(tail)), tail])
    return Message(text, [section(text)])


def _day(day: date) -> str:
    return f"{day:%B} {day.day}"
