"""The local shell: a newcomer registers, the admin approves, all through the same signed requests."""
import pytest

import shell
from config import load_settings


def converse(lines: list[str]) -> str:
    """Run the shell on these typed lines; return everything it printed."""
    typed, printed = iter(lines), []

    def ask(prompt: str) -> str:
        printed.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    shell.run(load_settings({}), ask=ask, say=printed.append)
    return "\n".join(printed)


@pytest.fixture(autouse=True)
def in_a_fresh_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


SAM_REGISTERS = [
    "/tat register",
    "Sam Stone", "6", "Big Rig Plaza LLC", "General Manager", "555-0100", "sam@bigrig.example",
    "nebraska", "Lincoln", "Big Rig Plaza", "80", "440",
    "402-555-0100", "68102",          # the two answers the form sends back for correction
]


def test_help_lists_the_commands():
    said = converse(["/tat help"])
    assert "/tat register" in said and "1-888-373-7888" in said


def test_a_form_with_mistakes_is_asked_again_then_an_admin_approves():
    said = converse([*SAM_REGISTERS, "as alex", "press 1", "as sam", "quit"])
    assert "Please correct these" in said
    assert "could be in Lancaster County or Lincoln County" in said
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
