"""A command that needs Slack while Slack is unreachable tells the person so, privately."""
from tests.conftest import ADMIN
from tests.test_registration import MANAGER


def test_register_while_slack_cannot_open_the_form_says_so_privately(running):
    running.slack.fail("views.open", status=503)
    assert running.command(MANAGER, "register").status == 200
    running.bot.later.wait_idle()
    (said,) = running.slack.wait_for("response_url")
    assert said.params["response_type"] == "ephemeral"
    assert "could not open the form" in said.params["text"] and "try again" in said.params["text"]


def test_an_export_slack_will_not_take_says_so_privately(running):
    running.slack.fail("files.getUploadURLExternal", status=503)
    running.command(ADMIN, "export")
    running.bot.later.wait_idle()
    said = [c.params["text"] for c in running.slack.wait_for("response_url", count=2)]
    assert "the CSV arrives in your direct messages" in said[0] and "could not finish that" in said[1]
