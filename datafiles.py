"""`python bot.py import FILE.csv [--approved]` and `python bot.py export [--state XX] [--team T] [-o FILE]`.

Import checks every row first and stores nothing if any row is bad, naming each bad row by its
line and the reason; it matches people to Slack users by e-mail, and leaves anyone already
registered as they are, so importing the same list twice changes nothing. People whose e-mail is
no Slack user's are listed and not imported: invite them to the workspace, then import again.
"""
import argparse
import sys
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from domain import spreadsheet

LOOKUP_ONE_BY_ONE = 100   # up to this many people, users.lookupByEmail each; beyond, one users.list walk


def import_verb(args: list[str], sessions: sessionmaker[Session], client: WebClient | None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python bot.py import", description="Import a meeting's registration list.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--approved", action="store_true", help="an admin approves everyone imported")
    options = parser.parse_args(args)
    try:
        text = options.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as wrong:
        print(f"Cannot read {options.file}: {wrong}", file=out)
        return 2
    rows = max(text.count("\n") - 1, 1)
    with tqdm(total=rows, desc="checking", unit=" rows", file=sys.stderr, disable=rows < 1000) as bar:
        checked = spreadsheet.check(text, progress=bar.update)
    if checked.bad:
        print(f"Nothing was imported: {len(checked.bad)} row(s) need correcting.", file=out)
        for bad in checked.bad:
            print(f"  line {bad.line}: {bad.reason}", file=out)
        return 1
    if client is None:
        print("Nothing was imported: set SLACK_BOT_TOKEN so that people can be matched to Slack users by e-mail.",
              file=out)
        return 2
    emails = [p.email for _, p in checked.profiles]
    ids = slack_users_by_email(client, emails)
    with sessions.begin() as session:
        done = spreadsheet.import_profiles(session, checked, ids, approved=options.approved)
    status = "approved" if options.approved else "pending (an admin approves them)"
    print(f"Imported {done.added} people, {status}; {done.already} already registered.", file=out)
    for line, email in done.not_in_slack:
        print(f"  line {line}: {email} is no Slack user of this workspace yet; invite them and import again",
              file=out)
    return 0


def slack_users_by_email(client: WebClient, emails: list[str]) -> dict[str, str]:
    """Slack user ids by lower-cased e-mail: looked up one by one for a short list, else by walking users.list."""
    if len(emails) <= LOOKUP_ONE_BY_ONE:
        found = {}
        for email in emails:
            try:
                found[email.lower()] = client.users_lookupByEmail(email=email)["user"]["id"]
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


def export_verb(args: list[str], sessions: sessionmaker[Session], client: WebClient | None,
                out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python bot.py export", description="Write the coalition CSV.")
    parser.add_argument("--state", help="one state only, like NE")
    parser.add_argument("--team", help="the Slack workspace (team id, T...) whose figures to write; "
                        "default: the bot token's workspace")
    parser.add_argument("-o", "--output", type=Path, help="a file to write (default: standard output)")
    options = parser.parse_args(args)
    team = options.team or (client.auth_test()["team_id"] if client else None)
    if not team:
        print("Say which workspace with --team T..., or set SLACK_BOT_TOKEN.", file=sys.stderr)
        return 2
    with sessions() as session:
        data = spreadsheet.export_csv(session, team, options.state.upper() if options.state else None)
    if options.output:
        options.output.write_text(data, encoding="utf-8")
        print(f"wrote {options.output}", file=sys.stderr)
    else:
        out.write(data)
    return 0
