"""Requests nobody vouches for: bounded, unparsed and answered before they can cost anything."""
import hashlib
import hmac
import io
import json
import socket
import time
from contextlib import closing
from urllib.parse import urlencode, urlparse

import pytest

from domain.bounds import COMMAND_TEXT
from handlers.web import MAX_BODY_BYTES, wsgi_app
from localslack import payloads
from tests.conftest import SECRET

FORM = "application/x-www-form-urlencoded"


def sign(body: bytes, timestamp: str, content_type: str = FORM) -> dict:
    """Slack's headers for any bytes and any timestamp text, signed with the real secret."""
    digest = hmac.new(SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}"}


def now() -> str:
    return str(int(time.time()))


def upload(running, head: bytes, chunks) -> bytes:
    """Send a request as a client would, stopping if the server hangs up; return its status line."""
    address = urlparse(running.url)
    with closing(socket.create_connection((address.hostname, address.port), timeout=10)) as sock:
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed without reading the rest, as it should
        return sock.makefile("rb").readline()


def head_of(length_header: str) -> bytes:
    return (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\n"
            f"{length_header}\r\n\r\n").encode()


@pytest.mark.parametrize("declared", [MAX_BODY_BYTES + 1, 30 * 1024 * 1024])
def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_read(running, declared):
    assert b" 413 " in upload(running, head_of(f"Content-Length: {declared}"), [b"payload=%5B1"])
    assert running.slack.calls == []


def test_a_chunked_body_over_the_limit_is_refused_as_too_large(running):
    piece = b"%5B1" * 16384
    chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
    chunks = [chunk] * (MAX_BODY_BYTES // len(piece) + 2) + [b"0\r\n\r\n"]
    assert b" 413 " in upload(running, head_of("Transfer-Encoding: chunked"), chunks)
    assert running.slack.calls == []


class CountingInput(io.BytesIO):
    """A request body that remembers how many bytes were asked of it."""

    taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def test_without_a_content_length_at_most_one_byte_past_the_limit_is_read(running):
    body = CountingInput(b"payload=" + b"%5B1" * MAX_BODY_BYTES)
    seen = []
    app = wsgi_app(running.bot.app, healthy=lambda: True, signing_secret=SECRET)
    app({"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST", "wsgi.input": body},
        lambda status, headers: seen.append(status))
    assert seen == ["413 Request Entity Too Large"] and body.taken == MAX_BODY_BYTES + 1


def test_an_unsigned_percent_encoded_body_under_the_limit_is_refused_unparsed(running, caplog):
    body = "payload=" + "%5B1" * (MAX_BODY_BYTES // 5)
    assert running.post(body, {"Content-Type": FORM}).status == 401
    assert running.slack.calls == [] and not any(r.exc_info for r in caplog.records)


def test_a_large_signed_command_within_the_limit_is_answered(running):
    body = payloads.slash_command("U0MANAGER1", "frobnicate " + "x" * (MAX_BODY_BYTES // 2), "http://127.0.0.1:9/r")
    response = running.send(body)
    assert response.status == 200 and "more than any command of mine reads" in json.loads(response.body)["text"]
    body = payloads.slash_command("U0MANAGER1", "frobnicate " + "x" * (COMMAND_TEXT - 11), "http://127.0.0.1:9/r")
    response = running.send(body)
    assert response.status == 200 and "I don't know `frobnicate`" in json.loads(response.body)["text"]


def test_a_signed_body_of_exactly_one_mebibyte_is_read_and_answered(running):
    body = payloads.slash_command("U0MANAGER1", "help", running.slack.response_url("U0MANAGER1")) + "&padding="
    body += "x" * (MAX_BODY_BYTES - len(body))
    assert len(body.encode()) == MAX_BODY_BYTES
    response = running.send(body)
    assert response.status == 200 and "/tat register" in json.loads(response.body)["text"]


def test_slacks_signed_ssl_check_is_answered(running):
    body = urlencode({"ssl_check": "1", "token": "legacy-verification-token"})
    assert running.send(body).status == 200
    assert running.slack.calls == []


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "", "9" * 400, "-300", " 1", "1" * 13, "0x10"])
def test_a_malformed_timestamp_is_refused_and_nothing_is_called(running, timestamp):
    body = payloads.slash_command("U0MANAGER1", "register", running.slack.response_url("U0MANAGER1"))
    assert running.post(body, sign(body.encode(), timestamp)).status == 401
    assert running.slack.calls == []


@pytest.mark.parametrize("signature", ["v0=" + "\u00e9" * 64, "v0=" + "A" * 64, "v1=" + "a" * 64, "v0=" + "a" * 65,
                                       "v0=", " v0=" + "a" * 64])
def test_a_malformed_signature_is_refused_and_nothing_is_called(running, signature):
    body = payloads.slash_command("U0MANAGER1", "register", running.slack.response_url("U0MANAGER1"))
    headers = {**sign(body.encode(), now()), "X-Slack-Signature": signature}
    assert running.post(body.encode(), {k: v.encode("latin-1") for k, v in headers.items()}).status == 401
    assert running.slack.calls == []


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_a_body_that_is_not_utf8_cannot_be_slacks_and_is_refused_unread(running, caplog, signed):
    body = b"payload=%7B%7D&text=\xff\xfe" + respond_to(running).encode()
    assert running.post(body, sign(body, now()) if signed else {"Content-Type": FORM}).status == 401
    assert running.slack.calls == [] and not [r for r in caplog.records if r.exc_info or r.levelno >= 40]


def interactive(payload) -> bytes:
    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)}).encode()


def respond_to(running) -> str:
    return running.slack.response_url("U0ADMIN001")


MALFORMED = {
    "bad JSON in payload": lambda r: interactive('{"type": "block_actions", '),
    "a list payload": lambda r: interactive([{"type": "block_actions", "response_url": respond_to(r)}]),
    "a string payload": lambda r: interactive(json.dumps("block_actions")),
    "a number payload": lambda r: interactive("42"),
    "a JSON body that is a list": lambda r: json.dumps([{"type": "url_verification"}]).encode(),
    "a JSON body that is a string": lambda r: b'"url_verification"',
    "an empty body": lambda r: b"",
    "a payload without a type": lambda r: interactive({"user": {"id": "U0ADMIN001"},
                                                       "response_url": respond_to(r)}),
    "a payload without a user": lambda r: interactive({"type": "block_actions", "response_url": respond_to(r),
                                                       "actions": [{"action_id": "approve_registration"}]}),
    "a user that is a string": lambda r: interactive({"type": "block_actions", "user": "U0ADMIN001",
                                                      "response_url": respond_to(r), "actions": [{}]}),
    "a button press without its actions": lambda r: interactive({"type": "block_actions",
                                                                 "user": {"id": "U0ADMIN001"},
                                                                 "response_url": respond_to(r)}),
    "a form submission without its view": lambda r: interactive({"type": "view_submission",
                                                                 "user": {"id": "U0ADMIN001"}}),
    "an event envelope without its event": lambda r: json.dumps({"type": "event_callback"}).encode(),
    "a form body that is no Slack request": lambda r: urlencode({"response_url": respond_to(r)}).encode(),
    "a command without its user": lambda r: urlencode({"command": "/tat", "text": "register",
                                                       "response_url": respond_to(r)}).encode(),
}


@pytest.mark.parametrize("signed, status", [(True, 400), (False, 401)], ids=["signed", "unsigned"])
@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_body_is_refused_without_an_error_or_a_call(running, caplog, case, signed, status):
    body = MALFORMED[case](running)
    content_type = "application/json" if body[:1] in (b"[", b'"', b"{") else FORM
    headers = sign(body, now(), content_type) if signed else {"Content-Type": content_type}
    assert running.post(body, headers).status == status
    assert running.slack.calls == []
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40]


def test_hundreds_of_idle_connections_leave_health_and_slack_answered(running):
    address = urlparse(running.url)
    idle = []
    try:
        for _ in range(300):
            sock = socket.create_connection((address.hostname, address.port), timeout=10)
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            idle.append(sock)
        assert running.get("/healthz").status == 200
        response = running.command("U0MANAGER1", "help")
        assert response.status == 200 and "/tat register" in json.loads(response.body)["text"]
    finally:
        for sock in idle:
            sock.close()
