"""`python bot.py shell`: try the bot with no Slack workspace.

Type `/tat ...` as one of a few local people and read what Slack would show them. A modal
becomes questions, buttons become numbered choices. Each command, button and form is a signed
Slack request into the same Bolt app the server runs; the bot's Web API calls go to the local
stand-in for Slack that the tests use, and the shell prints what arrives there.
"""
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_bolt.request import BoltRequest

import bot as tat_bot
import schedules
from config import Settings
from localslack import payloads
from localslack.standin import SlackStandIn
from storage.workspaces import adopt

SHELL_DATABASE = "sqlite:///tat-shell.db"


@dataclass(frozen=True)
class Person:
    user: str
    name: str
    role: str


PEOPLE = [
    Person("U0LOCALADM", "Alex Admin", "coalition admin (in TAT_ADMINS)"),
    Person("U0LOCALMGR", "Sam Stone", "truck stop manager"),
    Person("U0LOCALSHF", "Dana Deputy", "sheriff's sergeant"),
]

USAGE = """Type a command as Slack would get it, e.g. /tat help, /tat register or /tat contact 68102.
  as <name>   become someone else (people: list them)     press <n>   press button n
  say <text>  post in #coalition (the bot reads it)        inbox       messages waiting for you
  wait <n> days (or hours)   move the bot's clock forward and deliver what fell due (a follow-up, say)
  quit        leave"""
CHANNEL = "C0COALITION"   # the channel the shell's commands and `say` are typed in
COALITION_CHANNEL = "C0LOCALCOA"   # what `/tat setup` offers as the coalition channel


class ShiftedClock:
    """The shell bot's time: real time, moved forward by `wait`."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


FORM_HELP = "(Enter keeps what is in brackets, - clears an optional answer, Ctrl-D cancels the form)"
CLEAR = "-"


@dataclass
class Button:
    owner: str
    element: dict
    message: dict
    channel: str
    ephemeral: bool = False


class Shell:
    def __init__(self, settings: Settings, ask: Callable[[str], str], say: Callable[[str], None]):
        self.ask, self.say = ask, say
        self.slack = SlackStandIn().start()
        self.secret = secrets.token_hex(16)
        local = replace(settings, bot_token="xoxb-local-shell", signing_secret=self.secret,
                        app_token=None, api_url=self.slack.api_url, database_url=SHELL_DATABASE,
                        admins=frozenset({PEOPLE[0].user}))
        self.clock = ShiftedClock()
        self.bot = tat_bot.build(local, clock=self.clock)
        adopt(self.bot.engine, payloads.TEAM["id"])   # a tat-shell.db of before workspaces: its rows are the shell's
        self.me = PEOPLE[1]
        self.buttons: list[Button] = []
        self.unread: dict[str, list[str]] = {}
        self.seen = len(self.slack.calls)

    # -- the loop -------------------------------------------------------------------------------
    def run(self) -> None:
        self.say("TAT Coalition Bot: local shell. Nothing here reaches Slack; data is kept in tat-shell.db.")
        self.say(USAGE)
        self._introduce()
        while True:
            try:
                line = self.ask(f"{self.me.name.split()[0].lower()}> ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if line in ("quit", "exit"):
                break
            try:
                self.handle(line)
            except KeyboardInterrupt:
                self.say("\n(cancelled)")
            except EOFError:
                break
        self.bot.close()
        self.slack.stop()

    def handle(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word == "/tat":
            self._command(rest)
        elif word == "as":
            self._become(rest)
        elif word in ("people", "who"):
            self.say("\n".join(f"  {p.name} — {p.role}" for p in PEOPLE))
        elif word == "press":
            self._press(rest)
        elif word == "inbox":
            self._show_unread()
        elif word == "say" and rest.strip():
            self._say(rest.strip())
        elif word == "wait":
            self._wait(rest)
        elif line:
            self.say(USAGE)

    # -- sending what Slack would send ----------------------------------------------------------
    def _command(self, text: str) -> None:
        body = payloads.slash_command(self.me.user, text, self.slack.response_url(self.me.user), CHANNEL)
        self._show_ack(self._dispatch(body))
        self._show_new_calls()

    def _say(self, text: str) -> None:
        """A message in the channel: the bot reads it as Slack's message event."""
        self.say(f"[#coalition] {self.me.name}: {text}")
        event = {"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": self.me.user,
                 "text": text, "ts": f"{time.time():.6f}", "team": payloads.TEAM["id"]}
        self._dispatch(payloads.event_callback(event))
        self._show_new_calls()

    def _press(self, number: str) -> None:
        mine = [b for b in self.buttons if b.owner == self.me.user]
        if not number.strip().isdigit() or not 0 < int(number) <= len(mine):
            return self.say(f"Say press and a button's number, 1 to {len(mine)}." if mine else "No buttons to press.")
        chosen = mine[int(number) - 1]
        confirm = chosen.element.get("confirm")
        question = f"{as_text(confirm['text']['text'])} {confirm['confirm']['text']}? [y/N] " if confirm else ""
        if confirm and not self.ask(question).lower().startswith("y"):
            return self.say("(not pressed)")
        self.buttons = [b for b in self.buttons if b.message is not chosen.message]
        body = payloads.block_action(self.me.user, chosen.element, chosen.message, chosen.channel,
                                     self.slack.response_url(self.me.user), ephemeral=chosen.ephemeral)
        self._dispatch(body)
        self._show_new_calls()

    def _wait(self, text: str) -> None:
        """Move the clock forward and run what the clock runs every minute: follow-ups fall due."""
        amount, _, unit = text.strip().partition(" ")
        if not amount.isdigit() or not unit.startswith(("day", "hour")):
            return self.say("Say wait and a number of days or hours, like wait 31 days.")
        self.clock.ahead += timedelta(**{"days" if unit.startswith("day") else "hours": int(amount)})
        self.say(f"(it is now {self.clock():%a %d %b %Y %H:%M} UTC for the bot)")
        schedules.dispatch(self.bot.services, self.bot.sender)
        self._show_new_calls()

    def _fill_modal(self, view: dict) -> None:
        answers: dict[str, str | None] = {}
        errors: dict[str, str] = {}
        self.say(f"\n[form] {view['title']['text']} {FORM_HELP}")
        try:
            while True:
                view = self._ask_form(view, answers, errors)
                response = self._dispatch(payloads.view_submission(self.me.user, view, answers))
                errors = (response or {}).get("errors", {})
                if not errors:
                    if (response or {}).get("response_action") == "update":   # the form shows an outcome
                        self.say(render(response["view"], response["view"]["title"]["text"]))
                    return
                self.say("Please correct these:")
        except EOFError:
            self.say("\n(form cancelled, nothing saved)")

    def _ask_form(self, view: dict, answers: dict, errors: dict[str, str]) -> dict:
        """Ask the form's questions (after errors, only the wrong ones), following the bot's updates of it."""
        index = 0
        while index < len(view["blocks"]):
            block, index = view["blocks"][index], index + 1
            field = block.get("block_id")
            if block["type"] == "section" and not errors:
                self.say(as_text(block["text"]["text"]))
            if block["type"] != "input" or (errors and field not in errors):
                continue
            if field in errors:
                self.say(f"  ! {errors[field]}")
            answers[field] = self._ask_input(block, answers)
            if block.get("dispatch_action") and (updated := self._choice_sent(view, answers, field)):
                view = updated
                index = next(i for i, b in enumerate(view["blocks"]) if b.get("block_id") == field) + 1
        return view

    def _choice_sent(self, view: dict, answers: dict, field: str) -> dict | None:
        """Tell the bot of a choice it wants at once; the form as it updated it (views.update), if it did."""
        mark, state = len(self.slack.calls), {**initial_answers(view), **answers}
        self._dispatch(payloads.view_action(self.me.user, view, state, field))
        updates = [c for c in self.slack.since(mark)
                   if c.method == "views.update" and c.params.get("view_id") == view.get("id")]
        return updates[-1].response["view"] if updates else None

    def _ask_input(self, block: dict, answers: dict) -> str | None:
        element, field = block["element"], block["block_id"]
        initial = answers[field] if field in answers else initial_answers({"blocks": [block]}).get(field)
        label = block["label"]["text"] + (" (optional)" if block.get("optional") else "")
        if element["type"] == "static_select":
            return self._choose(label, element["options"], initial)
        if element["type"] == "multi_users_select":
            return self._choose_people(label, initial)
        if element["type"] == "datepicker":
            self.say("  (a date, like 2026-03-14)")
        elif element["type"] in ("conversations_select", "channels_select"):
            self.say(f"  (a channel id; this shell's coalition channel is {COALITION_CHANNEL})")
            initial = initial or COALITION_CHANNEL
        if block.get("hint"):
            self.say(f"  ({block['hint']['text']})")
        while True:
            typed = self.ask(f"  {label}{f' [{initial}]' if initial else ''}: ").strip()
            if typed != CLEAR:
                return typed or initial
            if block.get("optional"):
                return None
            self.say("  ! This one is needed: please type an answer.")

    def _choose_people(self, label: str, initial) -> list[str]:
        """People chosen by name (comma separated), as a users select gives their ids."""
        while True:
            typed = self.ask(f"  {label} (names, comma separated: {', '.join(p.name for p in PEOPLE)}): ").strip()
            if not typed and initial:
                return initial
            chosen = [p.user for part in typed.split(",") for p in PEOPLE
                      if part.strip() and part.strip().lower() in p.name.lower()]
            if chosen:
                return chosen
            self.say("  ! Type one or more of the people's names.")

    def _choose(self, label: str, options: list[dict], initial: str | None) -> str:
        short = len(options) <= 12
        if short:
            self.say(f"  {label}: " + "; ".join(f"{i}. {o['text']['text']}" for i, o in enumerate(options, 1)))
        question = "number or name" if short else f"{label} (name or abbreviation)"
        while True:
            typed = self.ask(f"  {question}{f' [{initial}]' if initial else ''}: ").strip()
            if not typed and initial:
                return initial
            chosen, problem = pick(typed, options)
            if chosen:
                return chosen
            self.say(f"  ! {problem}")

    def _dispatch(self, body: str) -> dict | None:
        json_body = body.startswith("{")
        headers = payloads.signed_headers(self.secret, body, json_body=json_body)
        response = self.bot.app.dispatch(BoltRequest(body=body, headers=headers))
        self.bot.later.wait_idle()        # what the bot does after acknowledging (views.open, ...)
        self.bot.sender.send_due()        # and the messages it owes, sent now rather than on a thread
        if response.status != 200:
            self.say(f"(the bot answered HTTP {response.status})")
        try:
            return json.loads(response.body) if response.body else None
        except ValueError:
            return {"text": response.body}

    # -- showing what Slack would show ----------------------------------------------------------
    def _show_ack(self, answer: dict | None) -> None:
        if answer and (answer.get("text") or answer.get("blocks")):
            self._show_private(answer)

    def _show_private(self, message: dict) -> None:
        """A reply only its reader sees (ephemeral), with its buttons to press (through the response_url)."""
        self.buttons = [b for b in self.buttons if not (b.owner == self.me.user and b.channel == CHANNEL)]
        shown = {**message, "ts": f"{time.time():.6f}"}
        for element in buttons_of(message):
            self.buttons.append(Button(self.me.user, element, shown, CHANNEL, ephemeral=True))
        self.say(render(message, "only visible to you") + self._button_list())

    def _show_new_calls(self) -> None:
        while calls := self.slack.since(self.seen):
            self.seen += len(calls)
            for call in calls:
                if call.method == "views.open":
                    self._fill_modal(call.response.get("view") or call.params["view"])
                elif call.method == "response_url":
                    self._show_private(call.params)
                elif call.method == "chat.postEphemeral":
                    self._ephemeral(call)
                elif call.method in ("chat.postMessage", "chat.update"):
                    self._deliver(call, str(call.params.get("channel", "")))
                elif call.method == "files.completeUploadExternal" and call.response.get("ok"):
                    self._share_files(call)

    def _share_files(self, call) -> None:
        """A file the bot shared (a chart, a CSV): saved in tat-shell-files/ for you to open."""
        channel = str(call.params.get("channel_id", ""))
        owner = next((p for p in PEOPLE if p.user[1:] == channel[1:]), None)
        for shared in call.response.get("files", []):
            stored = self.slack.files.get(shared["id"]) or {}
            folder = Path("tat-shell-files")
            folder.mkdir(exist_ok=True)
            path = folder / Path(stored.get("name") or shared["id"]).name
            path.write_bytes(stored.get("content") or b"")
            comment = stored.get("initial_comment") or ""
            where = f"file for {owner.name}" if owner else f"file shared in {channel}"
            where += ", in the thread of the post above" if stored.get("thread_ts") else ""
            self.say(f"[{where}] {shared.get('title') or path.name} ({shared.get('size', 0):,} bytes), "
                     f"saved as {path}" + (f"\n{comment}" if comment else ""))

    def _ephemeral(self, call) -> None:
        owner = next((p for p in PEOPLE if p.user == call.params.get("user")), None)
        text = render(call.params, "only visible to you, in #coalition")
        if owner == self.me:
            self.say(text)
        elif owner is not None:
            self.unread.setdefault(owner.user, []).append(text)

    def _deliver(self, call, channel: str) -> None:
        members = self.slack.members.get(call.response.get("channel", channel))
        if members:   # a group DM: each member reads it
            heading = "group message with " + ", ".join(p.name for p in PEOPLE if p.user in members)
            for person in (p for p in PEOPLE if p.user in members):
                self._deliver_to(person, call, heading)
            return
        owner = next((p for p in PEOPLE if p.user[1:] == channel[1:]), None)
        heading = "message updated" if call.method == "chat.update" else "direct message from the bot"
        if owner is None:
            return self.say(render(call.params, f"posted in {channel}"))
        self._deliver_to(owner, call, heading, channel)

    def _deliver_to(self, owner: Person, call, heading: str, channel: str = "") -> None:
        text = render(call.params, heading)
        message = {**call.params, "ts": call.response.get("ts")}
        for element in buttons_of(call.params):
            self.buttons.append(Button(owner.user, element, message, call.response.get("channel", channel)))
        if owner == self.me:
            self.say(text + self._button_list())
        else:
            self.unread.setdefault(owner.user, []).append(text)
            self.say(f"(a message arrived for {owner.name}: type `as {owner.name.split()[0]}` to read it)")

    def _button_list(self) -> str:
        mine = [b for b in self.buttons if b.owner == self.me.user]
        if not mine:
            return ""
        return "\n" + "   ".join(f"[{i}] {b.element['text']['text']}" for i, b in enumerate(mine, 1)) + \
            "   (type press <n>)"

    def _become(self, name: str) -> None:
        wanted = name.strip().lower()
        found = [p for p in PEOPLE if wanted and (wanted in p.name.lower() or wanted == p.user.lower())]
        if not found:
            return self.say("Say as and one of: " + ", ".join(p.name for p in PEOPLE))
        self.me = found[0]
        self._introduce()
        self._show_unread()

    def _introduce(self) -> None:
        self.say(f"You are {self.me.name}, {self.me.role}.")

    def _show_unread(self) -> None:
        waiting = self.unread.pop(self.me.user, [])
        for text in waiting:
            self.say(text)
        if waiting and self._button_list():
            self.say(self._button_list().strip())


def pick(typed: str, options: list[dict]) -> tuple[str | None, str]:
    """The option typed (its number, value, name or the start of a name), or why there is none."""
    names = {o["value"]: o["text"]["text"] for o in options}
    if typed.isdigit() and 0 < int(typed) <= len(options):
        return options[int(typed) - 1]["value"], ""
    wanted = typed.lower()
    exact = [v for v, name in names.items() if wanted in (v.lower(), name.lower())]
    starting = [v for v, name in names.items() if wanted and name.lower().startswith(wanted)]
    if exact or len(starting) == 1:
        return (exact or starting)[0], ""
    if len(starting) > 1:
        return None, f'"{typed}" could be ' + " or ".join(names[v] for v in starting) + ". Please type more of it."
    first_value, first_name = next(iter(names.items()))
    opening = f'"{typed}" is not one of the choices.' if typed else "Please choose one."
    if len(options) <= 12:
        return None, f"{opening} Type a number from 1 to {len(options)}, or a name from the list, like {first_name}."
    return None, (f"{opening} Type a name or abbreviation, like {first_value} or {first_name} "
                  "(the start of a name is enough).")


def initial_answers(view: dict) -> dict[str, str | None]:
    """What a form shows filled in before anyone types, by block_id."""
    answers = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            chosen = element.get("initial_option") or {}
            answers[block["block_id"]] = (element.get("initial_value") or chosen.get("value")
                                          or element.get("initial_date") or element.get("initial_conversation")
                                          or element.get("initial_users"))
    return answers


def buttons_of(message: dict) -> list[dict]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def render(message: dict, heading: str) -> str:
    """A message as readable text: its blocks when it has them, else its text."""
    lines = [f"[{heading}]"]
    for block in message.get("blocks") or []:
        if block["type"] == "section" and block.get("text"):
            lines.append(as_text(block["text"]["text"]))
        for field in block.get("fields", []):
            lines.append("  " + as_text(field["text"]).replace("\n", ": ", 1))
        if block["type"] == "context":
            lines.append(" ".join(as_text(e.get("text", "")) for e in block["elements"]))
        if block["type"] == "image":
            lines.append(f"[picture: {block.get('title', {}).get('text') or block.get('alt_text')}]")
    if len(lines) == 1:
        lines.append(as_text(message.get("text") or ""))
    return "\n".join(lines)


def as_text(mrkdwn: str) -> str:
    """Slack's markup as plain text: mentions by name, no bold markers, & < > as typed."""
    names = {p.user: p.name for p in PEOPLE}
    text = re.sub(r"<@(\w+)>", lambda m: "@" + names.get(m.group(1), m.group(1)), mrkdwn)
    text = re.sub(r"<#(\w+)>", lambda m: "#coalition" if m.group(1) == CHANNEL else "#" + m.group(1), text)
    text = re.sub(r"<(?:tel|mailto|https?):[^|>]*\|([^>]*)>", r"\1", text)   # links show their label
    text = re.sub(r"(?<!\w)\*(.+?)\*(?!\w)", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def run(settings: Settings, ask: Callable[[str], str] = input, say: Callable[[str], None] = print) -> None:
    logging.getLogger().setLevel(logging.WARNING)  # the shell's screen is the conversation
    Shell(settings, ask, say).run()
