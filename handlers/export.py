"""`/tat export [state]` (admins): the coalition CSV, built after the acknowledgement in a
transaction that only reads, from rows streamed out of the database, and uploaded to the admin's DM."""
import io

from sqlalchemy.orm import Session

from domain import places, spreadsheet
from handlers.blocks import Message, md
from handlers.commands import Call, Then


def export(call: Call, session: Session):
    """The CSV of stakeholders (in the import's columns), trainings and reports, to the caller's DM."""
    state = None
    if call.text:
        found = places.find_state(call.text)
        if found is None:
            return Message(md('"{}" is not a US state I know. Try `/tat export NE`, or `/tat export` for all.',
                              call.text))
        state = found.abbr
    out = io.StringIO()
    rows = spreadsheet.write_export(session, call.team, state, out)
    data, user, name = out.getvalue().encode(), call.user, f"tat-export-{state or 'all'}.csv"

    def upload(client):
        dm = client.conversations_open(users=user)["channel"]["id"]
        client.files_upload_v2(channel=dm, file=data, filename=name, title=name,
                               initial_comment="The coalition export: contact details are in it, keep it private.")

    said = md("Exported {} ({} rows): the CSV arrives in your direct messages with the bot.", state or "every state",
              f"{rows:,}")
    return Then(Message(said), upload)
