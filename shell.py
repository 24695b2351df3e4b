"""`python bot.py shell`: try the bot with no Slack workspace.

Type `/tat ...` as one of a few local people and read what Slack would show them. A modal
becomes questions; each message's buttons are numbered within it (`press 2.1`). `wait` moves the
one clock everything the bot does asks; what Slack would refuse shows as Slack's error. Each
command, button and form is a signed Slack request into the same Bolt app the server runs; the
bot's Web API calls go to the local stand-in for Slack that the tests use, and the shell prints
what arrives there.
"""
import json
import logging
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_bolt.request import BoltRequest
from sqlalchemy import func, select

import bot as tat_bot
import schedules
from config import Settings
from domain import localtime
from localslack import payloads, strict
from localslack.standin import SlackStandIn
from storage.models import Coalition, OutboxMessage
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
  as <name>   become someone else (people: list them)     press 2.1   press message 2's first button (or 2a)
  say <text>  post in #coalition (the bot reads it)        inbox       messages waiting for you
  buttons     the buttons you can press now
  wait <n> days (or hours)   move the bot's clock forward, delivering what falls due on the way (a follow-up, say)
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
class Shown:
    """A message with buttons, as one person sees it: numbered for them (`press 2.1` is its first button)."""

    number: int
    owner: str
    message: dict      # as Slack shows it, with its ts
    channel: str
    ephemeral: bool = False

    @property
    def buttons(self) -> list[dict]:
        return buttons_of(self.message)

    def button_line(self) -> str:
        return "   ".join(f"[{self.number}.{i}] {b['text']['text']}" for i, b in enumerate(self.buttons, 1)) + \
            f"   (type press {self.number}.1)"


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
        self.shown: list[Shown] = []             # messages whose buttons can be pressed
        self.numbers: dict[str, int] = {}        # the last message number each person was shown
        self.pressed: Shown | None = None        # the message of the last button pressed (its response_url)
        self.unread: dict[str, list[tuple[str, Shown | None]]] = {}
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
        elif word == "buttons":
            self._show_buttons()
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
        self.pressed = None   # a reply through this command's response_url is a new message
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

    def _press(self, typed: str) -> None:
        mine = [m for m in self.shown if m.owner == self.me.user]
        chosen = self._button(typed.strip().lower(), mine)
        if chosen is None:
            if not mine:
                return self.say("No buttons to press.")
            example = f"{mine[-1].number}.1"
            return self.say(f"Say press and a message's number and a button's, like press {example} "
                            f"(or {mine[-1].number}a); buttons shows them.")
        shown, element = chosen
        confirm = element.get("confirm")
        question = f"{as_text(confirm['text']['text'])} {confirm['confirm']['text']}? [y/N] " if confirm else ""
        if confirm and not self.ask(question).lower().startswith("y"):
            return self.say("(not pressed)")
        self.pressed = shown
        body = payloads.block_action(self.me.user, element, shown.message, shown.channel,
                                     self.slack.response_url(self.me.user), ephemeral=shown.ephemeral)
        self._dispatch(body)
        self._show_new_calls()

    @staticmethod
    def _button(typed: str, mine: list[Shown]) -> tuple[Shown, dict] | None:
        """The button typed: `2.1`, `2 1` or `2a` (message 2, its first button); `1` or `a` alone when
        only one message has buttons."""
        found = re.fullmatch(r"(\d{1,6})(?:(?:\.|\s+)(\d{1,3})|\s*([a-z]))?", typed) or \
            re.fullmatch(r"()([a-z])()", typed)
        if not found:
            return None
        first, second, letter = found.groups()
        if not second and not letter:   # one number: a button of the only message with buttons
            if len(mine) != 1 or not first:
                return None
            shown, index = mine[0], int(first)
        elif not first:                 # a letter alone
            if len(mine) != 1:
                return None
            shown, index = mine[0], ord(second) - ord("a") + 1
        else:
            shown = next((m for m in mine if m.number == int(first)), None)
            index = int(second) if second else ord(letter) - ord("a") + 1
        if shown is None or not 0 < index <= len(shown.buttons):
            return None
        return shown, shown.buttons[index - 1]

    def _wait(self, text: str) -> None:
        """Move the clock forward as time passes: the clock's jobs run at each moment something falls
        due on the way (a follow-up, its check-ins, a reminder) and at least once a day."""
        amount, _, unit = text.strip().partition(" ")
        if not amount.isdigit() or not unit.startswith(("day", "hour")) or int(amount) > 3660:
            return self.say("Say wait and a number of days or hours, like wait 31 days.")
        until = self.clock() + timedelta(**{"days" if unit.startswith("day") else "hours": int(amount)})
        while True:
            step = min(until, self.clock() + timedelta(days=1), self._next_due() or until, self._next_morning())
            self.clock.ahead += max(step - self.clock(), timedelta(0))
            schedules.dispatch(self.bot.services, self.bot.sender)
            if self.clock() >= until:
                break
        self.say(f"(it is now {self.clock():%a %d %b %Y %H:%M} UTC for the bot)")
        self._show_new_calls()

    def _next_morning(self) -> datetime:
        """The next 10:00 on a working day where a coalition is: when the clock's jobs ask contacts their
        yearly question or send the week's note of who needs materials."""
        with self.bot.services.sessions() as session:
            zones = set(session.scalars(select(Coalition.time_zone)))
        later = self.clock() + timedelta(seconds=1)
        return min((localtime.next_morning(later, zone) for zone in zones), default=later + timedelta(days=1))

    def _next_due(self) -> datetime | None:
        """When the next message the bot owes falls due, if it is later than now."""
        with self.bot.services.sessions() as session:
            return session.scalar(select(func.min(OutboxMessage.not_before)).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.cancelled_at.is_(None),
                OutboxMessage.dead_at.is_(None), OutboxMessage.not_before > self.clock()))

    def _fill_modal(self, view: dict) -> None:
        answers: dict[str, str | None] = {}
        errors: dict[str, str] = {}
        self.say(f"\n[form] {view['title']['text']} {FORM_HELP}")
        try:
            while True:
                view = self._ask_form(view, answers, errors)
                response = self._dispatch(payloads.view_submission(self.me.user, view, answers))
                if (response or {}).get(REFUSED):
                    return self.say("(in Slack the form would stay open with that error; here it is closed)")
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
        if updates and updates[-1].response.get("ok") is False:   # Slack kept the form as it was
            self.say(slack_error("views.update", updates[-1].response))
            return None
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
            answer = json.loads(response.body) if response.body else None
        except ValueError:
            answer = {"text": response.body}
        refused = strict.refusal("http_answer", self.slack.hold_answer(body, answer)) if answer else None
        if refused:   # Slack shows its error, never what it refused
            self.say(slack_error("answer to " + request_kind(body), refused))
            return {REFUSED: True}
        return answer

    # -- showing what Slack would show ----------------------------------------------------------
    def _show_ack(self, answer: dict | None) -> None:
        if answer and not answer.get(REFUSED) and (answer.get("text") or answer.get("blocks")):
            self._show_private(answer)

    def _show_private(self, message: dict, replaces: Shown | None = None) -> None:
        """A reply only its reader sees (ephemeral), with its buttons to press (through the response_url);
        one that replaces the message whose button was pressed takes its place and its number."""
        shown = {**message, "ts": replaces.message["ts"] if replaces else f"{time.time():.6f}"}
        heading = "only visible to you" + (", in place of the message above" if replaces else "")
        line = self._keep(self.me.user, shown, CHANNEL, ephemeral=True, replaces=replaces)
        self.say(render(message, heading) + (f"\n{line.button_line()}" if line else ""))

    def _keep(self, owner: str, message: dict, channel: str, ephemeral: bool = False,
              replaces: Shown | None = None) -> Shown | None:
        """Remember a message's buttons for its reader (none: nothing to remember); an update takes the
        place, and the number, of the message it updates, whose buttons are gone."""
        if replaces is not None:
            self.shown = [m for m in self.shown if m is not replaces]
        if not buttons_of(message):
            return None
        number = replaces.number if replaces else self.numbers.get(owner, 0) + 1
        self.numbers[owner] = max(number, self.numbers.get(owner, 0))
        kept = Shown(number, owner, message, channel, ephemeral)
        self.shown.append(kept)
        return kept

    def _show_new_calls(self) -> None:
        while calls := self.slack.since(self.seen):
            self.seen += len(calls)
            for call in calls:
                if call.response.get("ok") is False and call.method in SHOWN_METHODS:
                    self._refused(call)
                elif call.method == "views.open":
                    self._fill_modal(call.response.get("view") or call.params["view"])
                elif call.method == "response_url":
                    self._responded(call.params)
                elif call.method == "chat.postEphemeral":
                    self._ephemeral(call)
                elif call.method in ("chat.postMessage", "chat.update"):
                    self._deliver(call, str(call.params.get("channel", "")))
                elif call.method == "files.completeUploadExternal" and call.response.get("ok"):
                    self._share_files(call)

    def _refused(self, call) -> None:
        """What Slack would show when it refuses what the bot sent: its error, never the message."""
        self.say(slack_error(call.method, call.response))

    def _responded(self, params: dict) -> None:
        """A post to the response_url of the button last pressed: a new private reply, or (replace_original)
        the pressed message as it is now, or (delete_original) that message gone."""
        pressed = self.pressed if self.pressed is not None and self.pressed.owner == self.me.user else None
        if truthy(params.get("delete_original")) and pressed is not None:
            self.shown = [m for m in self.shown if m is not pressed]
            return self.say("[the message with that button was removed]")
        if truthy(params.get("replace_original")) and pressed is not None:
            if pressed.ephemeral:
                return self._show_private(params, replaces=pressed)
            message = {**params, "ts": pressed.message["ts"]}
            line = self._keep(self.me.user, message, pressed.channel, replaces=pressed)
            return self.say(render(params, "message updated") + (f"\n{line.button_line()}" if line else ""))
        self._show_private(params)

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
            self.unread.setdefault(owner.user, []).append((text, None))

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
        where = call.response.get("channel", channel)
        message = {**call.params, "ts": call.response.get("ts") or call.params.get("ts")}
        updated = next((m for m in self.shown if m.owner == owner.user and call.method == "chat.update"
                        and m.channel == where and m.message.get("ts") == message["ts"]), None)
        if call.method == "chat.update" and updated is None:   # an update of a message with no buttons left
            self.shown = [m for m in self.shown if not (m.owner == owner.user and m.channel == where
                                                        and m.message.get("ts") == message["ts"])]
        kept = self._keep(owner.user, message, where, replaces=updated)
        if owner == self.me:
            self.say(text + (f"\n{kept.button_line()}" if kept else ""))
        else:
            self.unread.setdefault(owner.user, []).append((text, kept))
            self.say(f"(a message arrived for {owner.name}: type `as {owner.name.split()[0]}` to read it)")

    def _show_buttons(self) -> None:
        mine = [m for m in self.shown if m.owner == self.me.user]
        if not mine:
            return self.say("No buttons to press.")
        for shown in mine:
            first = next((line for line in render(shown.message, "").splitlines()[1:] if line.strip()), "")
            self.say(f"{shown.number}: {first[:70]}\n  {shown.button_line()}")

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
        """Messages that arrived while someone else was at the keyboard; buttons only on those not
        updated since (an updated message's buttons are gone, as in Slack)."""
        for text, kept in self.unread.pop(self.me.user, []):
            live = kept is not None and any(m is kept for m in self.shown)
            self.say(text + (f"\n{kept.button_line()}" if live else ""))


SHOWN_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral", "response_url", "views.open",
                           "views.update", "views.push", "views.publish"})


REFUSED = "refused by Slack"   # what _dispatch answers for an HTTP answer Slack would refuse


def request_kind(body: str) -> str:
    """What a request to the bot was, in Slack's words: a slash command, a block action, a view submission."""
    if body.startswith("{") or body.startswith("payload="):
        kind = re.search(r'"type":\s*"(\w+)"', urllib.parse.unquote_plus(body[:400]))
        return kind.group(1) if kind else "request"
    return "slash command"


def truthy(value) -> bool:
    return value is True or str(value).lower() == "true"


def slack_error(method: str, answer: dict) -> str:
    """Slack's refusal as a person would meet it: the error and what Slack said was wrong, no message."""
    said = [m.removeprefix("[ERROR] ") for m in (answer.get("response_metadata") or {}).get("messages") or []]
    said = said or list(answer.get("errors") or [])
    details = "".join(f"\n  {line}" for line in said[:5]) + (f"\n  … and {len(said) - 5} more" if len(said) > 5 else "")
    return f"[Slack refused the bot's {method}: {answer.get('error') or 'error'} — nothing was shown]{details}"


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
