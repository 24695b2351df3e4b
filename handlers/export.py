"""`/tat export [state]` (admins): the coalition CSV, built after the acknowledgement in a
transaction that only reads, from plain rows streamed out of the database into a temporary file
(never the whole CSV as text in memory), and uploaded to the admin's DM."""
import io
import tempfile

from sqlalchemy.orm import Session

from domain import places, spreadsheet
from handlers.blocks import Message, md
from handlers.commands import Call, Then
from handlers.later import STOPPING


def export(call: Call, session: Session):
    """The CSV of stakeholders (in the import's columns), trainings and reports, to the caller's DM."""
    state = None
    if call.text:
        found = places.find_state(call.text)
        if found is None:
            return Message(md('"{}" is not a US state I know. Try `/tat export NE`, or `/tat export` for all.',
                              call.text))
        state = found.abbr
    spool = tempfile.TemporaryFile()   # gone when closed, or when the process ends
    out = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        rows = spreadsheet.write_export(session, call.team, state, out, keep_going=lambda: not STOPPING.is_set())
    except spreadsheet.Stopped:
        spool.close()
        return Message("The bot is restarting, so your export was not finished: ask for it again in a minute.")
    out.detach().seek(0)
    user, name = call.user, f"tat-export-{state or 'all'}.csv"

    def upload(client):
        with spool:
            dm = client.conversations_open(users=user)["channel"]["id"]
            client.files_upload_v2(channel=dm, file=spool, filename=name, title=name,
                                   initial_comment="The coalition export: contact details are in it, keep it private.")

    said = md("Exported {} ({} rows): the CSV arrives in your direct messages with the bot.", state or "every state",
              f"{rows:,}")
    return Then(Message(said), upload)
