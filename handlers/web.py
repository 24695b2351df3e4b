"""The HTTP face of the bot: Slack's requests at POST /slack/events, and GET /healthz.

Until its signature is verified every byte of a request is hostile: the body is read only up to
MAX_BODY_BYTES, never parsed and never logged. A verified body that is not shaped like anything
Slack sends gets 400; only then is it handed, already read, to Bolt.
"""
import logging
import re
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from handlers.shapes import is_slack_shaped
from storage.db import answering_slack

SLACK_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024   # Slack's largest payloads (a full modal's state) are far smaller
TIMESTAMP = re.compile(r"[0-9]{1,12}")     # what SignatureVerifier's int() may read: no sign, space or 10**4300
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # what its compare_digest may compare: ASCII only

log = logging.getLogger("tat.web")


def wsgi_app(app: App, healthy: Callable[[], bool], signing_secret: str):
    """A WSGI application: health checks answered here, verified Slack requests handed to Bolt."""
    verifier = SignatureVerifier(signing_secret) if signing_secret.strip() else None

    def application(environ, start_response) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = healthy()
            return _plain(start_response, 200 if ok else 503, "ok" if ok else "database unreachable or not migrated")
        if path != SLACK_PATH or method != "POST":
            return _plain(start_response, 404, "Not Found")
        return _slack_request(app, verifier, environ, start_response)

    return application


def _slack_request(app: App, verifier: SignatureVerifier | None, environ, start_response) -> Iterable[bytes]:
    """Bound, verify, check the shape of, then dispatch one request from Slack."""
    raw = _bounded_body(environ)
    if raw is None:
        return _plain(start_response, 413, "Request Entity Too Large")
    if not is_signed_by_slack(verifier, environ, raw):
        return _plain(start_response, 401, "Unauthorized")
    request = _bolt_request(raw, environ)
    if request is None:
        log.warning("refused a signed request whose body is not shaped like any Slack request")
        return _plain(start_response, 400, "Bad Request")
    with answering_slack():   # a lock held elsewhere is waited for a second at most, then "busy"
        response = app.dispatch(request)
    wsgi = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
    start_response(wsgi.status, wsgi.get_headers())
    return wsgi.get_body()


def _bounded_body(environ) -> bytes | None:
    """The body, or None when it is (or claims to be) longer than MAX_BODY_BYTES."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared:
        if not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BODY_BYTES:
            return None
        return environ["wsgi.input"].read(int(declared))
    body = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def is_signed_by_slack(verifier: SignatureVerifier | None, environ, raw: bytes) -> bool:
    """Slack's v0 signature, checked by slack_sdk's SignatureVerifier (HMAC-SHA256 of `v0:{timestamp}:{body}`,
    the timestamp within five minutes), once the headers are shaped as Slack sends them."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    given = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if verifier is None or not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(given):
        return False
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False   # Slack signs UTF-8 text only: these bytes cannot be its
    return verifier.is_valid(body=body, timestamp=timestamp, signature=given)


def _bolt_request(raw: bytes, environ) -> BoltRequest | None:
    """Bolt's request for a verified body, or None when it is not UTF-8 or not shaped like Slack's."""
    try:
        request = BoltRequest(body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""),
                              headers=_headers(environ))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError):
        return None   # bad UTF-8 or JSON (or JSON nested past Python's recursion limit), a list or string payload
    return request if is_slack_shaped(request.body) else None


def _headers(environ) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers[name.replace("_", "-").lower()] = environ[name]
    return headers


def _plain(start_response, status: int, text: str) -> list[bytes]:
    body = (text + "\n").encode()
    start_response(WsgiHttpResponse(status).status, [("Content-Type", "text/plain; charset=utf-8"),
                                                     ("Content-Length", str(len(body)))])
    return [body]


class AnsweringSlack:
    """The app, for Socket Mode's handler: each request it dispatches waits at most a second for a lock
    held elsewhere, as over HTTP."""

    def __init__(self, app: App):
        self._app = app

    def dispatch(self, request: BoltRequest):
        with answering_slack():
            return self._app.dispatch(request)

    def __getattr__(self, name: str):
        return getattr(self._app, name)
