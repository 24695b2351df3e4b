"""Small Block Kit builders shared by every message. Every message has `text` as well as blocks.

Text shown as Slack markup (mrkdwn, and a message's `text`) is built here and only here: every
builder escapes a plain `str` it is given, so what a person typed can never become a mention or
a link. `Mrkdwn` marks text that is already safe markup; `md()` and `mention()` make it.
"""
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
RUN_COMMAND = "run_command"    # a button whose value is the /tat command text it runs: run_command:<n>
RUN_COMMANDS = re.compile(r"^run_command(:\d+)?$")   # every such button (and the bare id of older messages)
SECTION_TEXT, FIELD_TEXT, MESSAGE_TEXT = 3000, 2000, 40_000   # Slack's limits (localslack/rules.py cites them)
MESSAGE_BLOCKS = 50


class Mrkdwn(str):
    """Text that is already safe Slack markup: builders pass it through as it is."""

    def __add__(self, other: str) -> "Mrkdwn":
        return Mrkdwn(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> "Mrkdwn":
        return Mrkdwn(str.__add__(escape(other), self))

    def join(self, parts) -> "Mrkdwn":
        return Mrkdwn(str.join(self, map(escape, parts)))


def escape(text: str) -> Mrkdwn:
    """Plain text as markup that shows it literally (& < > escaped); Mrkdwn is left as it is."""
    if isinstance(text, Mrkdwn):
        return text
    return Mrkdwn(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def link(url: str, label: str) -> Mrkdwn:
    """A link, <url|label>, the one way links are written: both escaped, and a `|` in the address
    (which would end it and make the rest the visible label) written as %7C."""
    return Mrkdwn(f"<{escape(str(url).replace('|', '%7C'))}|{escape(label)}>")


def md(template: str, *values, **named) -> Mrkdwn:
    """Markup from a constant template and values, each escaped unless it is Mrkdwn already."""
    return Mrkdwn(template.format(*map(escape, values), **{k: escape(v) for k, v in named.items()}))


def possessive(name: str) -> str:
    """"Big Rig Plaza's", and for a name ending in s "Loves Travel Stops'"."""
    name = name.rstrip()
    return name + ("'" if name[-1:].lower() == "s" else "'s")


def mention(user_id: str) -> Mrkdwn:
    """A Slack mention of a user id, refused unless it is one."""
    if not USER_ID.match(user_id or ""):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return Mrkdwn(f"<@{user_id}>")


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": escape(text)}

SAFETY = "If someone is in immediate danger, call 911."
HOTLINE = (
    "National Human Trafficking Hotline: 1-888-373-7888, text 233733 (BeFree), "
    "humantraffickinghotline.org"
)


@dataclass(frozen=True)
class Picture:
    """An image a message shows below its blocks, drawn only when the message is sent (outside
    any transaction: drawing a chart takes a while) and uploaded by the sender."""

    draw: Callable[[], bytes]
    filename: str
    title: str
    alt_text: str


@dataclass(frozen=True)
class Message:
    """What a person reads: the plain text (notification, shell, tests), its blocks, and for an
    owed message a picture below them."""

    text: str
    blocks: list[dict] = field(default_factory=list)
    picture: Picture | None = None

    def __post_init__(self):
        object.__setattr__(self, "text", fit(escape(self.text), MESSAGE_TEXT))

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks} if self.blocks else {"text": self.text}


def section(markdown: str) -> dict:
    return {"type": "section", "text": mrkdwn(fit(escape(markdown), SECTION_TEXT))}


def fields_section(pairs: list[tuple[str, str]]) -> dict:
    return {"type": "section", "fields": [mrkdwn(fit(md("*{}*\n{}", label, value), FIELD_TEXT))
                                          for label, value in pairs]}


def context(markdown: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(fit(escape(markdown), SECTION_TEXT))]}


def fit(markup: Mrkdwn, limit: int) -> Mrkdwn:
    """Markup cut to Slack's limit, at a line or list boundary, with "…" to say so: the last guard
    (lists page themselves well within it)."""
    if len(markup) <= limit:
        return markup
    head = markup[:limit - 1]
    cut = max(head.rfind("\n"), head.rfind("; "), head.rfind(", "))
    return Mrkdwn((head[:cut] if cut > limit // 2 else head).rstrip() + "…")


def confirm_dialog(title: str, markdown: str, confirm: str, deny: str = "Cancel") -> dict:
    """The 'are you sure?' a button asks before it acts."""
    return {"title": plain(title), "text": mrkdwn(markdown), "confirm": plain(confirm), "deny": plain(deny)}


def button(text: str, action_id: str, value: str, style: str | None = None, confirm: dict | None = None) -> dict:
    element = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def command_button(text: str, command: str, number: int = 0) -> dict:
    """A button that runs `/tat <command>` as its presser typed it; `number` gives it an action_id of its
    own (Slack requires each action_id once in a block), and RUN_COMMANDS matches them all."""
    return button(text, f"{RUN_COMMAND}:{number}", command)


def more_button(left: int, command: str) -> dict:
    """The next page of a list: "More (12)" runs the command that shows it."""
    return actions(command_button(f"More ({left:,})", command))


def divider() -> dict:
    return {"type": "divider"}


def actions(*elements: dict) -> dict:
    return {"type": "actions", "elements": list(elements)}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def option(label: str, value: str, description: str | None = None) -> dict:
    """A menu option: its label (Slack shows 75 characters; cut only as the last guard: a label should
    fit) and, beneath it, an optional description of as many."""
    chosen = {"text": plain(label[:75]), "value": value}
    return {**chosen, "description": plain(description[:75])} if description else chosen


def text_input(field: str, label: str, *, initial: str | None = None, optional: bool = False,
               placeholder: str | None = None, hint: str | None = None, email: bool = False,
               max_length: int | None = None) -> dict:
    element: dict = {"type": "email_text_input" if email else "plain_text_input", "action_id": "value"}
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return _input(field, label, element, optional, hint)


def select_input(field: str, label: str, options: list[dict], *, initial: str | None = None,
                 hint: str | None = None, action_id: str = "value", dispatch: bool = False) -> dict:
    """A dropdown; with `dispatch`, choosing sends `action_id` at once (to fit the rest of the form)."""
    element: dict = {"type": "static_select", "action_id": action_id, "options": options}
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    block = _input(field, label, element, False, hint)
    if dispatch:
        block["dispatch_action"] = True
    return block


def modal(callback_id: str, title: str, submit: str, blocks: list[dict], metadata: str = "") -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "submit": plain(submit),
        "close": plain("Cancel"),
        "blocks": blocks,
        "private_metadata": metadata,
    }


def safety_footer() -> dict:
    return context(f"{SAFETY} {HOTLINE}")


def _input(field: str, label: str, element: dict, optional: bool, hint: str | None) -> dict:
    block = {"type": "input", "block_id": field, "label": plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


class Submitted(Mapping):
    """A submitted modal's state, read by block_id, typed by what each element gives: as a mapping,
    every element's value as one string (a list joined by commas); typed readers for the rest."""

    SINGLE = {"value": None, "selected_option": "value", "selected_user": None, "selected_conversation": None,
              "selected_channel": None, "selected_date": None, "selected_time": None,
              "selected_date_time": None}
    MANY = {"selected_options": "value", "selected_users": None, "selected_conversations": None,
            "selected_channels": None}

    def __init__(self, view: dict):
        self._elements = {block_id: next(iter(elements.values()), {}) for block_id, elements
                          in (view.get("state") or {}).get("values", {}).items()}

    def __getitem__(self, block_id: str) -> str | None:
        if block_id not in self._elements:
            raise KeyError(block_id)
        many = self.all(block_id)
        return ", ".join(many) if many else self.one(block_id)

    def __iter__(self):
        return iter(self._elements)

    def __len__(self) -> int:
        return len(self._elements)

    def one(self, block_id: str) -> str | None:
        """The single value of a text input, select, radio, user/channel/conversation select, date,
        time (as Slack sends it); None when nothing was given."""
        element = self._elements.get(block_id) or {}
        for key, inner in self.SINGLE.items():
            value = element.get(key)
            if value is not None and value != "":
                return str(value[inner] if inner else value)
        return None

    def all(self, block_id: str) -> list[str]:
        """The values of a multi-select or checkboxes (options' values; user or channel ids)."""
        element = self._elements.get(block_id) or {}
        for key, inner in self.MANY.items():
            if key in element:
                return [str(v[inner] if inner else v) for v in element.get(key) or []]
        return []

    def text(self, block_id: str) -> str | None:
        value = self.one(block_id)
        return value.strip() or None if value is not None else None

    def day(self, block_id: str) -> date | None:
        value = (self._elements.get(block_id) or {}).get("selected_date")
        return date.fromisoformat(value) if value else None

    def moment(self, block_id: str) -> datetime | None:
        value = (self._elements.get(block_id) or {}).get("selected_date_time")
        return datetime.fromtimestamp(int(value), UTC) if value else None

    def checked(self, block_id: str, value: str) -> bool:
        return value in self.all(block_id)


def submitted_values(view: dict) -> Submitted:
    """A submitted modal's values by block_id, whatever the input element (see Submitted)."""
    return Submitted(view)
