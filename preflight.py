"""`python bot.py check`: what an admin runs after any change. A checklist, each failure with its next
step: settings, the database and its migrations, the token and its scopes, the admins, each
coalition's channel, and what the outbox still owes. Exit status 0 only when all is well."""
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from config import Settings, SettingsError, require_slack
from faults import UNREACHABLE, explained
from storage import health
from storage.db import engine_for, first_line, head_revision
from storage.models import now

MANIFEST = Path(__file__).resolve().parent / "manifest.json"
OWED_TOO_LONG = timedelta(minutes=15)   # a message owed longer than this: is the bot running?


@dataclass(frozen=True)
class Item:
    ok: bool
    said: str
    next_step: str = ""


def run(settings: Settings, out=None) -> int:
    """Print the checklist as it is checked; 0 when every item is ok, else 1."""
    failures = 0
    print("Checking the TAT Coalition Bot:", file=out)
    for item in checklist(settings):
        failures += not item.ok
        print(f"  {'ok  ' if item.ok else 'FAIL'}  {item.said}", file=out)
        if item.next_step:
            print(f"        → {item.next_step}", file=out)
    print("All is well." if not failures else
          f"{failures} problem(s): fix them in order, then run `python bot.py check` again.", file=out)
    return 1 if failures else 0


def checklist(settings: Settings) -> Iterator[Item]:
    yield from _settings(settings)
    engine = engine_for(settings.database_url)
    try:
        database = _database(engine)
        yield database
        team = yield from _slack(settings)
        if team is not None:
            yield from _admins(settings)
        if database.ok:
            yield from _coalitions(engine, settings, team)
            yield from _outbox(engine)
    finally:
        engine.dispose()


def _settings(settings: Settings) -> Iterator[Item]:
    try:
        require_slack(settings)
    except SettingsError as missing:
        for problem in missing.problems:
            yield Item(False, problem, "set it in the environment or the settings file (.env), then check again")
        return
    mode = "Socket Mode" if settings.socket_mode else f"HTTP on {settings.host}:{settings.port}, signing secret set"
    yield Item(True, f"settings ({mode})")


def _database(engine: Engine) -> Item:
    file = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        return Item(False, f"the database file {Path(file).resolve()} does not exist yet",
                    "start the bot once (python bot.py) to create it, or correct DATABASE_URL")
    try:
        applied = health.applied_migrations(engine)
    except Exception as error:   # any driver error: say it, with the next step
        return Item(False, f"database at {engine.url} does not answer: {_first(error)}",
                    "start it, create it, or correct DATABASE_URL")
    head = head_revision()
    if applied == {head}:
        return Item(True, f"database reachable and at the newest migration ({head})")
    at = f"is at migration {', '.join(sorted(applied))}" if applied else "has no tables yet"
    return Item(False, f"the database {at}; the newest migration is {head}",
                "start the bot once (python bot.py): it creates or migrates the database by itself")


def _slack(settings: Settings):
    """The token's check; returns the token's workspace (None when Slack could not say)."""
    if not settings.bot_token:
        return None
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    try:
        answer = client.auth_test()
    except (SlackApiError, *UNREACHABLE) as failed:
        yield Item(False, explained(failed, settings.api_url) or str(failed),
                   "then check again (admins and channels are checked once Slack answers)")
        return None
    yield Item(True, f"token valid: the bot is {answer.get('user')} ({answer.get('user_id')}) in workspace "
                     f"{answer.get('team')} ({answer.get('team_id')})")
    yield _scopes(answer.headers)
    return answer.get("team_id")


def _scopes(headers) -> Item:
    granted = {s.strip() for s in _header(headers, "x-oauth-scopes").split(",") if s.strip()}
    wanted = json.loads(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"]
    missing = [s for s in wanted if s not in granted]
    if not missing:
        return Item(True, f"the token has every scope manifest.json asks for ({len(wanted)})")
    return Item(False, f"the token lacks the scope(s) {', '.join(missing)}",
                "add them under OAuth & Permissions → Scopes (or paste manifest.json again), then "
                "Reinstall to Workspace")


def _header(headers, name: str) -> str:
    value = next((v for k, v in (headers or {}).items() if k.lower() == name), "")
    return ",".join(value) if isinstance(value, list) else str(value)


def _admins(settings: Settings) -> Iterator[Item]:
    if not settings.admins:
        yield Item(False, "TAT_ADMINS is empty: registrations would wait for an approval nobody can give",
                   "set TAT_ADMINS to the member IDs of the coalition's admins")
        return
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    for admin in sorted(settings.admins):
        yield _admin(client, admin)


def _admin(client: WebClient, admin: str) -> Item:
    fix = "in Slack, open the admin's profile → ⋮ → Copy member ID, and correct TAT_ADMINS"
    try:
        user = client.users_info(user=admin)["user"]
    except SlackApiError as refused:
        return Item(False, f"admin {admin} is not a user of this workspace ({refused.response.get('error')})", fix)
    if user.get("deleted"):
        return Item(False, f"admin {admin} has been deactivated in Slack", "take them out of TAT_ADMINS")
    if user.get("is_bot"):
        return Item(False, f"admin {admin} is a bot, not a person", fix)
    return Item(True, f"admin {admin} is an active member of the workspace")


def _coalitions(engine: Engine, settings: Settings, team: str | None) -> Iterator[Item]:
    coalitions = health.coalition_channels(engine, team) if team else []
    if team and not coalitions:
        yield Item(True, "no coalition set up yet (an admin types /tat setup)")
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    for state, channel in coalitions:
        yield _channel(client, state, channel)


def _channel(client: WebClient, state: str, channel: str) -> Item:
    where = f"{state}'s coalition channel <#{channel}>"
    try:
        found = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as refused:
        return Item(False, f"{where} cannot be seen by the bot ({refused.response.get('error')})",
                    f"invite the bot to the channel (private channels too), or choose another with /tat setup {state}")
    if found.get("is_archived"):
        return Item(False, f"{where} is archived", f"unarchive it, or choose another with /tat setup {state}")
    if not found.get("is_member"):
        return Item(False, f"the bot is not a member of {where} (#{found.get('name', channel)})",
                    "in that channel type /invite and choose the bot")
    return Item(True, f"{where} (#{found.get('name', channel)}) has the bot")


def _outbox(engine: Engine) -> Iterator[Item]:
    dead, owed, oldest = health.outbox_state(engine)
    if dead:
        yield Item(False, f"{dead} message(s) Slack refused for good (dead letters)",
                   "an admin types /tat outbox to see why, fix it, and press Try again")
    else:
        yield Item(True, "no dead letters in the outbox")
    if oldest is not None and now() - oldest > OWED_TOO_LONG:
        yield Item(False, f"{owed} message(s) owed, the oldest since {oldest:%Y-%m-%d %H:%M} UTC",
                   "is the bot running? start it (python bot.py), or run python bot.py dispatch")
    else:
        yield Item(True, f"{owed} message(s) owed" + (f", the oldest since {oldest:%H:%M} UTC" if oldest else ""))


def _first(error: Exception) -> str:
    return first_line(error) if hasattr(error, "orig") else (str(error).splitlines() or [type(error).__name__])[0]
