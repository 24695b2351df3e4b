"""The HTTP face of the bot: Slack's requests at POST /slack/events, and GET /healthz."""
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

SLACK_PATH = "/slack/events"


def wsgi_app(app: App, healthy: Callable[[], bool]):
    """A WSGI application: health checks answered here, everything else handed to Bolt."""
    slack = SlackRequestHandler(app, path=SLACK_PATH)

    def application(environ, start_response) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = healthy()
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n" if ok else b"database unreachable\n"]
        return slack(environ, start_response)

    return application
