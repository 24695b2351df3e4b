"""Talking to a running bot as Slack does: signed requests to its real HTTP endpoint.

Shared by the tests and the benchmarks; `settings_for` gives a bot the settings that point it at a
Slack stand-in with this module's signing secret.
"""
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from config import Settings, load_settings
from localslack import payloads
from localslack.standin import SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMINS = ("U0ADMIN001", "U0ADMIN002")


@dataclass
class Response:
    status: int
    body: str


@dataclass
class BotClient:
    """The bot's HTTP server at `url`, and the Slack stand-in its Web API calls go to."""

    url: str
    slack: SlackStandIn

    def post(self, body: str | bytes, headers: dict) -> Response:
        """Post to the bot as Slack does; an answer carrying a message or a view is held against
        Slack's rules, as Slack holds it (the stand-in keeps what breaks them)."""
        data = body if isinstance(body, bytes) else body.encode()
        response = self._open(urllib.request.Request(self.url + "/slack/events", data=data, headers=headers))
        if response.status == 200 and response.body.startswith("{"):
            try:
                answer = json.loads(response.body)
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                self.slack.hold_answer(data.decode(errors="replace"), answer)
        return response

    def get(self, path: str) -> Response:
        return self._open(urllib.request.Request(self.url + path))

    def send(self, body: str, json_body: bool = False) -> Response:
        return self.post(body, payloads.signed_headers(SECRET, body, json_body=json_body))

    def command(self, user: str, text: str, channel: str = "C0GENERAL1") -> Response:
        return self.send(payloads.slash_command(user, text, self.slack.response_url(user), channel))

    @staticmethod
    def _open(request: urllib.request.Request) -> Response:
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return Response(reply.status, reply.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode())


def settings_for(database_url: str, slack: SlackStandIn, admins: tuple[str, ...] = ADMINS) -> Settings:
    """HTTP-mode settings for a bot that talks to this stand-in and trusts SECRET."""
    return load_settings({
        "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url, "TAT_ADMINS": ",".join(admins),
    })


def stop_server(server, thread=None) -> None:
    """Stop a waitress server running on `thread`: ask its loop to close it, wait for the loop, and
    stop its worker threads. The loop may run the close before this thread's write to the trigger
    (it was already awake, flushing a response) and close the trigger first: then the write fails
    with EBADF, and the server is closed as asked."""
    try:
        server.trigger.pull_trigger(server.close)
    except OSError:
        if not server.trigger._closed:
            raise
    if thread is not None:
        thread.join(timeout=5)
    server.task_dispatcher.shutdown()
