"""`python bot.py import FILE.csv [--approved] [--meeting]`, `python bot.py export [--state XX] [--team T] [-o FILE]`.

Import checks every row first and stores nothing if any row is bad, naming each bad row by its
line and the reason; it matches people to Slack users by e-mail, and leaves anyone already
registered as they are, so importing the same list twice changes nothing. People whose e-mail is
no Slack user's are listed and not imported: invite them to the workspace, then import again.
Export writes the stakeholders in the columns import reads, then the trainings and reports.
With --meeting, everyone on the list is also recorded as trained at their state's build meeting
(domain/meeting.py), once.
"""
import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from domain import csvfile, meeting, places, spreadsheet
from storage import roster
from storage.models import now

LOOKUP_ONE_BY_ONE = 100   # up to this many people, users.lookupByEmail each; beyond, one users.list walk
Sessions = Callable[[], sessionmaker[Session]]   # opens the database when a verb gets that far


def import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python bot.py import", description=(
        "Import a meeting's registration list (a CSV with the columns " + ", ".join(spreadsheet.COLUMNS)
        + "). Every row is checked first; if any is bad, nothing is imported."))
    parser.add_argument("file", type=Path)
    parser.add_argument("--approved", action="store_true", help="an admin approves everyone imported")
    parser.add_argument("--meeting", action="store_true", help=(
        "everyone on the list attended the build meeting: record each as trained there (dated the meeting "
        "of their state's coalition, in its sector's program), once"))
    parser.add_argument("--max-mb", type=float, default=csvfile.MAX_MEGABYTES, metavar="MB",
                        help=f"refuse a larger file (default {csvfile.MAX_MEGABYTES} MB)")
    return parser


def import_verb(args: list[str], sessions: Sessions, client: WebClient | None, out=None) -> int:
    out = out or sys.stdout
    options = import_parser().parse_args(args)
    try:
        with csvfile.opened(options.file, (*spreadsheet.EXPORT_COLUMNS,), options.max_mb) as table:
            checked = _checked(table)
    except csvfile.Unreadable as wrong:
        print(f"Nothing was imported. {wrong}", file=out)
        return 2
    try:
        return _import_checked(checked, options, sessions, client, out)
    finally:
        checked.close()


def _checked(table: csvfile.Table) -> spreadsheet.Checked:
    with tqdm(desc="checking", unit=" rows", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        return spreadsheet.check(table, progress=bar.update)


def _import_checked(checked: spreadsheet.Checked, options, sessions: Sessions, client: WebClient | None,
                    out) -> int:
    if checked.is_bad:
        print(f"Nothing was imported: {len(checked.bad) + checked.more_bad} row(s) need correcting.", file=out)
        for bad in checked.bad:
            print(f"  line {bad.line}: {bad.reason}" if bad.line else f"  {bad.reason}", file=out)
        if checked.more_bad:
            print(f"  … and {checked.more_bad} more", file=out)
        return 1
    if client is None:
        print("Nothing was imported: set SLACK_BOT_TOKEN so that people can be matched to Slack users by e-mail.",
              file=out)
        return 2
    team = client.auth_test()["team_id"]   # the people are the token's workspace's
    if options.meeting and not _meetings_set_up(sessions, team, checked, out):
        return 1
    ids = slack_users_by_email(client, checked)
    with sessions().begin() as session:
        done = spreadsheet.import_profiles(session, team, checked, ids, approved=options.approved)
        trained = meeting.record(session, team, checked.chunks(), now()) if options.meeting else None
    status = "approved" if options.approved else "pending (an admin approves them)"
    print(f"Imported {done.added} people, {status}; {done.already} already registered.", file=out)
    if trained is not None:
        _say_trained(trained, out)
    if checked.skipped:
        print(f"  {checked.skipped} training and report row(s) were skipped: import reads stakeholders only.",
              file=out)
    for line, email in done.not_in_slack:
        print(f"  line {line}: {email} is no Slack user of this workspace yet; invite them and import again",
              file=out)
    return 0


def _meetings_set_up(sessions: Sessions, team: str, checked: spreadsheet.Checked, out) -> bool:
    """Every state on the list has its coalition (so its meeting's date) set up; else say which not."""
    states = {profile.state for chunk in checked.chunks() for _, profile, _ in chunk}
    with sessions()() as session:
        missing = meeting.states_without_coalition(session, team, states)
    if missing:
        print(f"Nothing was imported: the build meeting's date comes from its coalition, and none is set up for "
              f"{', '.join(missing)} in this workspace. Set it up with `/tat setup`, then import again.", file=out)
    return not missing


def _say_trained(trained: meeting.Recorded, out) -> None:
    meetings = ", ".join(f"{state} on {day.isoformat()}" for state, day in sorted(trained.meetings.items()))
    programs = ", ".join(f"{program} {count}" for program, count in sorted(trained.by_program.items()))
    print(f"Recorded {trained.new} attendee(s) as trained at the build meeting ({meetings})"
          f"{': ' + programs if programs else ''}; {trained.already} recorded before.", file=out)


def slack_users_by_email(client: WebClient, checked: spreadsheet.Checked) -> dict[str, str]:
    """Slack user ids by lower-cased e-mail: looked up one by one for a short list, else by walking users.list."""
    if checked.good <= LOOKUP_ONE_BY_ONE:
        found = {}
        for chunk in checked.chunks():
            for _, profile, _ in chunk:
                try:
                    found[profile.email.lower()] = client.users_lookupByEmail(email=profile.email)["user"]["id"]
                except SlackApiError as error:
                    if error.response.get("error") != "users_not_found":
                        raise
        return found
    found, cursor = {}, None
    while True:
        page = client.users_list(limit=200, cursor=cursor)
        for member in page["members"]:
            email = (member.get("profile") or {}).get("email")
            if email and not member.get("deleted") and not member.get("is_bot"):
                found[email.lower()] = member["id"]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return found


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python bot.py export", description=(
        "Write the coalition CSV: stakeholders in the columns import reads, then trainings and reports."))
    parser.add_argument("--state", help="one state only, like NE or Nebraska")
    parser.add_argument("--team", help="the Slack workspace (team id, T...) whose figures to write; "
                        "default: the bot token's workspace")
    parser.add_argument("-o", "--output", type=Path, help="a file to write (default: standard output)")
    return parser


def export_verb(args: list[str], sessions: Sessions, client: WebClient | None, out=None) -> int:
    out = out or sys.stdout
    options = export_parser().parse_args(args)
    state = places.find_state(options.state) if options.state else None
    if options.state and state is None:
        print(f"{options.state!r} is not a US state: give its two letters (NE) or its name (Nebraska).",
              file=sys.stderr)
        return 2
    with sessions()() as session:
        team = _team(session, options.team, client)
        if team is None:
            return 2
        if options.output is None:
            rows = spreadsheet.write_export(session, team, state and state.abbr, out)
        else:
            with options.output.open("w", encoding="utf-8", newline="") as file:
                rows = spreadsheet.write_export(session, team, state and state.abbr, file)
    print(f"wrote {rows} row(s){f' to {options.output}' if options.output else ''}", file=sys.stderr)
    return 0


def _team(session: Session, asked: str | None, client: WebClient | None) -> str | None:
    """The workspace to export: the bot token's (and --team must agree), or with no token one the
    database holds rows of. None, having said why, when it is neither."""
    if client is not None:
        team = client.auth_test()["team_id"]
        if asked and asked != team:
            print(f"The bot token belongs to workspace {team}, not {asked}: leave out --team, or use that "
                  "workspace's token.", file=sys.stderr)
            return None
        return team
    known = roster.known_teams(session)
    if asked and asked in known:
        return asked
    listed = ", ".join(sorted(known)) or "none yet"
    print(f"{'No workspace ' + asked + ' in this database' if asked else 'Say which workspace with --team T...'}"
          f" (it holds: {listed}); or set SLACK_BOT_TOKEN to export the token's workspace.", file=sys.stderr)
    return None
