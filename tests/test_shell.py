"""The local shell: a newcomer registers, the admin approves, all through the same signed requests."""
import pytest

import shell
from config import load_settings

CTRL_D = object()   # typed as a line: the person presses Ctrl-D there


def converse(lines: list) -> str:
    """Run the shell on these typed lines; return everything it printed."""
    typed, printed = iter(lines), []

    def ask(prompt: str) -> str:
        printed.append(prompt)
        line = next(typed, CTRL_D)
        if line is CTRL_D:
            raise EOFError
        return line

    shell.run(load_settings({}), ask=ask, say=printed.append)
    return "\n".join(printed)


@pytest.fixture(autouse=True)
def in_a_fresh_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


SAM_REGISTERS = [
    "/tat register",
    "Sam Stone", "6", "Big Rig Plaza LLC", "General Manager", "555-0100", "sam@bigrig.example",
    "nebraska", "Omahaa", "Big Rig Plaza", "80", "440",
    "402-555-0100", "68102",          # the two answers the form sends back for correction
]


def test_help_lists_the_commands():
    said = converse(["/tat help"])
    assert "/tat register" in said and "1-888-373-7888" in said


def test_a_form_with_mistakes_is_asked_again_then_an_admin_approves():
    said = converse([*SAM_REGISTERS, "as alex", "press 1.1", "as sam", "quit"])
    assert "Please correct these" in said
    assert 'No place in Nebraska is called "Omahaa" — did you mean Omaha (Douglas County)?' in said
    assert "your registration is in" in said
    assert "New registration to approve from @Sam Stone" in said
    assert "Approved by @Alex Admin" in said
    back_as_sam = said.index("You are Sam Stone", said.index("Approved by"))
    assert back_as_sam < said.index("Your coalition registration is approved")


def test_the_shell_keeps_its_data_between_runs():
    converse([*SAM_REGISTERS, "quit"])
    said = converse(["/tat register", "", "", "", "", "", "", "", "", "", "", ""])
    assert "Edit your registration" in said and "[Big Rig Plaza LLC]" in said


def test_decline_asks_for_confirmation_first():
    said = converse([*SAM_REGISTERS, "as alex", "press 2", "n", "press 2", "y", "as sam"])
    assert "(not pressed)" in said
    assert "Declined by @Alex Admin" in said and "was not approved" in said


def test_pressing_a_button_that_is_not_there_says_so():
    assert "No buttons to press" in converse(["press 3"])


def test_a_dropdown_given_unknown_text_says_what_it_accepts_and_asks_again():
    said = converse(["/tat register", "Sam Stone", "pirate", "truck stop", "Big Rig Plaza LLC", "", "402-555-0100",
                     "sam@bigrig.example", "Narnia", "New", "Nebr", "68102", "Big Rig Plaza", "", ""])
    assert '"pirate" is not one of the choices. Type a number from 1 to 11' in said
    assert '"Narnia" is not one of the choices. Type a name or abbreviation, like AL or Alabama' in said
    assert '"New" could be New Hampshire or New Jersey or New Mexico or New York' in said
    assert "[Narnia]" not in said and "Please fill this in" not in said
    assert "your registration is in" in said and "Douglas County, NE" in said


def test_ctrl_d_in_a_form_cancels_the_form_not_the_shell():
    said = converse(["/tat register", "Sam Stone", CTRL_D, "/tat help"])
    assert "(form cancelled, nothing saved)" in said
    assert "/tat register" in said[said.index("form cancelled"):]   # help still answered
    assert "your registration is in" not in said


def test_a_dash_clears_an_optional_answer_and_the_form_says_so():
    converse([*SAM_REGISTERS, "quit"])
    said = converse(["/tat register", "", "", "", "-", *[""] * 7])
    assert "- clears an optional answer" in said
    assert "Title: —" in said


def test_a_dash_does_not_clear_a_required_answer():
    said = converse(["/tat register", "-", "Sam Stone", CTRL_D])
    assert "This one is needed" in said


def test_the_place_hint_follows_the_sector_and_state_chosen():
    sheriff = converse(["/tat register", "Dana Deputy", "1", "Sheriff's Office", "", "402-444-6000",
                        "dana@sheriff.example", "Louisiana", CTRL_D])
    assert 'like Acadia Parish, Allen Parish; or "statewide"' in sheriff
    assert "Counties you cover: " in sheriff
    manager = converse(["/tat register", "Sam Stone", "6", "Big Rig Plaza LLC", "", "402-555-0100",
                        "sam@bigrig.example", "NE", "68102", CTRL_D])
    assert '"statewide"' not in manager and "like Adams County" in manager
    assert "  Site name: " in manager and "Site name (optional)" not in manager


def test_markup_people_type_is_shown_as_they_typed_it():
    said = converse(["/tat register", "Sam <!channel> Stone", "6", "AT&T <Plaza>", "", "402-555-0100",
                     "sam@bigrig.example", "NE", "68102", "Big Rig Plaza", "", "", "as alex"])
    assert "Name: Sam <!channel> Stone" in said
    assert "Organization: AT&T <Plaza>" in said and "&lt;" not in said and "&amp;" not in said


DANA_REGISTERS = ["as dana", "/tat register", "Dana Deputy", "1", "Douglas County Sheriff's Office", "Sergeant",
                  "402-444-6000", "dana@sheriff.example", "NE", "Douglas", "", "", ""]


def test_contacts_introductions_and_the_language_note_in_the_shell():
    said = converse([*SAM_REGISTERS, *DANA_REGISTERS, "as alex", "press 1.1", "press 2a", "as sam",
                     "/tat contact", "/tat contact Douglas", "press 1.1", "say I saw a lot lizard by the pumps",
                     "as dana", "quit"])
    assert "[group message with Sam Stone, Dana Deputy]" in said
    intro = said[said.index("[group message with"):]
    assert "Introductions." in intro and "(402) 444-6000 · dana@sheriff.example" in intro and "call 911" in intro
    contacts = said[said.index("[only visible to you]\nContacts for"):]
    assert "Contacts for Douglas County, NE" in contacts and "Dana Deputy, Sergeant" in contacts
    assert "could be several places" in contacts and "[1.1] Douglas County, NE" in contacts
    assert contacts.count("Contacts for Douglas County, NE") >= 2   # the candidate pressed runs the lookup
    assert "[only visible to you, in #coalition]" in said and "person being exploited" in said


def test_an_admin_turns_the_language_note_off_in_the_shells_channel():
    said = converse(["say there was a hooker at exit 440", "say another hooker", "as alex", "/tat language off",
                     "say a hooker again", "quit"])
    assert said.count("[only visible to you, in #coalition]") == 1   # once a day for Sam; off before Alex's
    assert "Victim-centred language notes are off in #coalition" in said


def test_a_member_logs_a_training_undoes_it_and_gets_the_progress_chart_as_a_file(tmp_path):
    said = converse([*SAM_REGISTERS, "as alex", "press 1.1", "as sam", "/tat trained 12 yesterday", "press 1",
                     "/tat trained 30", "/tat progress", "quit"])
    assert "Logged: 12 employees completed TAT training" in said
    assert "[1.1] Undo" in said and "Undone, no longer logged: 12 employees completed TAT training" in said
    assert "Big Rig Plaza LLC's total: 30 people trained" in said
    assert "Coalition progress: Nebraska" in said and "People trained: 30" in said
    assert "[file for Sam Stone] TAT coalition progress — NE" in said
    chart = tmp_path / "tat-shell-files" / "tat-progress-NE.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_admin_sets_up_a_coalition_and_waits_for_its_first_follow_up(tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    meeting = datetime.now(ZoneInfo("America/Chicago")).date().isoformat()
    said = converse([*SAM_REGISTERS, "as alex", "press 1.1",
                     "/tat setup", "nebraska", meeting, "", "Chicago", "Dana", "Nebraska AG", "",
                     "wait 34 days", "as sam", "press 1.2", "as alex", "/tat followups NE", "quit"])
    assert "The NE coalition is saved" in said
    assert "[posted in C0LOCALCOA]" in said and "NE coalition: 1-month follow-up" in said
    assert "Progress so far" in said and "Stakeholders (approved) by sector: Truck stop" in said
    assert "[file shared in C0LOCALCOA, in the thread of the post above] NE coalition progress at the 1-month " \
           "follow-up" in said
    (chart,) = (tmp_path / "tat-shell-files").glob("tat-progress-NE-*.png")
    assert chart.read_bytes()[:4] == b"\x89PNG" and f"saved as tat-shell-files/{chart.name}" in said
    assert "a message arrived for Sam Stone" in said and "[1.2] We distribute TAT/BOTL materials" in said
    assert "Thank you, noted: We distribute TAT/BOTL materials" in said
    assert "check-ins answered 1 of 1" in said


BOTH_APPROVED = [*SAM_REGISTERS, *DANA_REGISTERS, "as alex", "press 1.1", "press 2.1"]


def test_each_messages_buttons_are_numbered_within_it_and_vanish_once_it_is_updated():
    said = converse([*SAM_REGISTERS, *DANA_REGISTERS, "as alex", "press 1.1", "buttons", "press 1.2", "press 2b", "n",
                     "press 1", "quit"])
    sam_asks = said.index("New registration to approve from @Sam Stone")
    dana_asks = said.index("New registration to approve from @Dana Deputy")
    assert said.index("[1.1] Approve   [1.2] Decline", sam_asks) < dana_asks
    assert said.index("[2.1] Approve   [2.2] Decline", dana_asks) > dana_asks
    listed = said[said.index("alex> ", said.index("Approved by @Alex Admin")):]
    assert listed.index("[2.1] Approve") < listed.index("Say press")
    assert "[1.1]" not in listed   # message 1 was updated: its buttons are gone
    assert "Say press and a message's number and a button's, like press 2.1" in listed   # press 1.2: not there
    assert "(not pressed)" in listed                      # 2b: message 2's Decline, which asks first
    assert said.count("Approved by @Alex Admin") == 2     # press 1: the only message left with buttons, its first
    assert "Declined by" not in said


def test_everything_the_bot_does_in_the_shell_uses_the_clock_wait_moves():
    said = converse([*BOTH_APPROVED, "wait 8 days", "as sam", "/tat introduce",
                     "as dana", "/tat register", "", "", "", "", "402-444-6001", "", "", "", "", "", "",
                     "as alex", "quit"])
    waited = said[said.index("(it is now"):]
    assert "Sending your introductions again (1 contact(s))" in waited
    assert waited.count("[group message with Sam Stone, Dana Deputy]") >= 2   # it went out, not given up
    assert "Thanks, Dana: your profile is updated." in waited
    assert "changed their contact details; they stay approved:\n• Phone: (402) 444-6000 → (402) 444-6001" in waited
    assert "owed for over" not in said


def test_wait_delivers_what_falls_due_on_the_way_at_its_own_time(tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    meeting = datetime.now(ZoneInfo("America/Chicago")).date().isoformat()
    said = converse([*SAM_REGISTERS, "as alex", "press 1.1",
                     "/tat setup", "nebraska", meeting, "", "Chicago", "Dana", "Nebraska AG", "",
                     "wait 45 days", "as sam", "quit"])
    sam = said[said.index("You are Sam Stone", said.index("(it is now")):]
    checkin = sam.index("Your NE coalition's 1-month follow-up check-in")
    reminder = sam.index("A reminder of your NE coalition's 1-month follow-up check-in")
    assert checkin < reminder   # both came, each at its time, in one wait (not a late check-in the next morning)
    assert "[1.1] Log a training" in sam[checkin:reminder] and "[2.1] Log a training" in sam[reminder:]


def test_a_payload_slack_refuses_shows_as_slacks_error_not_as_the_message():
    from slack_sdk import WebClient

    printed: list[str] = []
    local = shell.Shell(load_settings({}), ask=lambda prompt: "", say=printed.append)
    try:
        client = WebClient(token="xoxb-local-shell", base_url=local.slack.api_url, retry_handlers=[])
        too_many = [{"type": "section", "text": {"type": "mrkdwn", "text": f"line {i}"}} for i in range(51)]
        for method, params in (("chat.postMessage", {"channel": "U0LOCALMGR", "text": "never seen",
                                                     "blocks": too_many}),
                               ("chat.postMessage", {"channel": "U0LOCALMGR", "text": "x" * 40_001})):
            try:
                client.api_call(method, json=params)
            except Exception:   # slack_sdk raises on ok: false; the shell reads what the stand-in recorded
                pass
        local._show_new_calls()
        said = "\n".join(printed)
        assert said.count("[Slack refused the bot's chat.postMessage: ") == 2
        assert "invalid_blocks" in said and "msg_too_long" in said and "never seen" not in said
        assert "line 0" not in said and "[direct message from the bot]" not in said
        assert local.shown == []   # no buttons of a message that never appeared
    finally:
        local.bot.close()
        local.slack.stop()


def test_an_answer_to_a_command_that_slack_refuses_shows_as_slacks_error(monkeypatch):
    import handlers
    from handlers.blocks import Message, section
    from handlers.commands import Command

    too_many = [section(f"line {i}") for i in range(51)]   # Slack takes 50 blocks in a message
    loud = Command("loud", "loud", "a reply too long for Slack", lambda call, session: Message("loud", too_many),
                   uses_database=False)
    monkeypatch.setattr(handlers, "COMMANDS", [*handlers.COMMANDS, loud])   # as a new command would be added
    said = converse(["/tat loud", "/tat help", "quit"])
    assert "[Slack refused the bot's answer to slash command: invalid_blocks — nothing was shown]" in said
    assert "line 0" not in said and "[only visible to you]\nloud" not in said
    assert "/tat register" in said   # the next command is shown as before
