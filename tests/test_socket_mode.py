"""Socket Mode, as Slack runs it: `python bot.py` with SLACK_APP_TOKEN connects over a WebSocket."""
import signal

from localslack import payloads
from tests.socket_standin import SocketModeStandIn
from tests.test_running import bot_env, bot_process


def test_socket_mode_answers_commands_over_the_websocket_and_stops_on_sigterm(project_root, tmp_path, slack,
                                                                               empty_database):
    socket = SocketModeStandIn()
    slack.socket_url = socket.url
    socket_mode = bot_env(slack, empty_database, SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET="")
    process = bot_process(project_root, tmp_path, socket_mode)
    try:
        assert socket.connected.wait(timeout=30), "the bot never opened the WebSocket"
        help_id = socket.send("slash_commands", payloads.slash_command_fields(
            "U0MANAGER1", "help", slack.response_url("U0MANAGER1")))
        answer = socket.ack_for(help_id)["payload"]
        register_id = socket.send("slash_commands", payloads.slash_command_fields(
            "U0MANAGER1", "register", slack.response_url("U0MANAGER1")))
        socket.ack_for(register_id)
        (opened,) = slack.wait_for("views.open")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        process.kill()
        socket.stop()
    assert "/tat register" in answer["text"] and "call 911" in answer["text"]
    assert opened.params["view"]["callback_id"] == "register"
    assert slack.calls_to("apps.connections.open")[0].token == "xapp-1-test"
    assert process.returncode == 0 and "Traceback" not in output, output
