"""A stand-in for Slack's Web API, served over real HTTP on 127.0.0.1.

It answers the Web API methods the bot calls with Slack's response shapes, records every call
(and every post to a response_url), and can answer 429 with Retry-After, 5xx, or an API error
on demand. The tests use it in place of slack.com; so does the local shell.

It is as strict as Slack: every message and view is held against Slack's documented rules
(localslack/rules.py) and refused as Slack refuses it; each breach is kept in `breaches`, with the
call, for the tests to fail on.
"""
import hashlib
import itertools
import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from localslack import strict
from localslack.checks import Context

BOT_USER = "UTATBOT01"
TEAM = "T0COALITION"
MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"


def manifest_scopes() -> list[str]:
    """The bot scopes manifest.json asks for: what an installed app's token is granted."""
    return list(json.loads(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    method: str                 # "chat.postMessage", or "response_url" for posts to a response_url
    params: dict
    token: str | None = None
    path: str = ""
    response: dict = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    status: int = 200
    retry_after: int | None = None
    error: str | None = None
    matching: dict = field(default_factory=dict)   # only calls whose params match
    posted: bool = False    # Slack took the message, then the answer was lost (a 5xx, say)


class SlackStandIn:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.refused: list[Call] = []    # calls answered with a scripted 429 or 5xx
        self.breaches: list[tuple[Call, list[strict.Breach]]] = []   # what real Slack would refuse (or warn of)
        self.users: dict[str, dict] = {}
        self.history: dict[str, list[dict]] = {}   # conversation → messages posted, newest last
        self.members: dict[str, list[str]] = {}    # group DM → the people conversations.open put in it
        self.socket_url: str | None = None     # what apps.connections.open hands out (Socket Mode)
        self.files: dict[str, dict] = {}       # file id → its name, length, the bytes uploaded, where shared
        self.processing: set[str] = set()      # files an image block may not show yet (add "*": every file)
        self.scopes: list[str] = manifest_scopes()   # granted to the token: Slack's x-oauth-scopes header
        self.channels: dict[str, dict] = {}    # conversations.info: channel id → {"name", "is_member", ...}
        self.strangers: set[str] = set()       # ids users.info does not know (anyone else is a member)
        self.team = TEAM                       # the workspace auth.test names (a second stand-in: another)
        self.replies: dict[tuple[str, str], list[dict]] = {}   # (conversation, thread ts) → its replies, oldest first
        self._failures: dict[str, deque[Failure]] = {}
        self._holds: list[Hold] = []
        self._limits: dict[str, RateLimit] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- running --------------------------------------------------------------------------------
    def start(self) -> "SlackStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base}/respond/{key}"

    # -- scripting ------------------------------------------------------------------------------
    def fail(self, method: str, *, status: int = 200, retry_after: int | None = None,
             error: str | None = None, times: int = 1, posted: bool = False, **matching) -> None:
        """The next `times` calls of `method` (with these params) answer with this status or API error;
        with `posted`, the message is posted all the same, as when Slack's answer is lost."""
        if status == 200 and error is None:
            raise ValueError("give a status other than 200, or an error")
        with self._changed:
            queue = self._failures.setdefault(method, deque())
            queue.extend(Failure(status, retry_after, error, matching, posted) for _ in range(times))

    def limit(self, method: str, per_minute: int, per_channel_per_second: float = 1.0) -> None:
        """Enforce Slack's rate limits on `method`: past them, 429 with Retry-After, as Slack does."""
        with self._changed:
            self._limits[method] = RateLimit(per_minute, per_channel_per_second)

    def hold(self, method: str, **matching) -> "Hold":
        """The next matching call is taken (a message is posted) but not answered until released:
        a sender killed meanwhile never learns that Slack has the message."""
        held = Hold(method, matching)
        with self._changed:
            self._holds.append(held)
        return held

    def _held(self, call: Call) -> "Hold | None":
        with self._changed:
            held = next((h for h in self._holds if h.method == call.method and _matches(call.params, h.matching)), None)
            if held:
                self._holds.remove(held)
        return held

    def stop_failing(self) -> None:
        """Forget every scripted failure not yet used."""
        with self._changed:
            self._failures.clear()

    # -- reading --------------------------------------------------------------------------------
    def calls_to(self, method: str, **matching) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and _matches(c.params, matching)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10, **matching) -> list[Call]:
        """Block until `count` matching calls were made; fail with what was seen instead."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.calls_to(method, **matching)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("channel")) for c in self.calls]
                    raise AssertionError(f"expected {count} {method} {matching}; saw {seen}")
                self._changed.wait(left)
            return found

    def since(self, mark: int) -> list[Call]:
        with self._changed:
            return self.calls[mark:]

    # -- answering ------------------------------------------------------------------------------
    def _record(self, call: Call) -> Failure | None:
        """Decide the answer (scripted failure or normal), then record the call with it."""
        with self._changed:
            queue = self._failures.get(call.method) or deque()
            failure = next((f for f in queue if _matches(call.params, f.matching)), None)
            if failure:
                queue.remove(failure)
            elif self._limits.get(call.method):
                failure = self._limits[call.method].check(call.params.get("channel") or "")
            if failure:
                if failure.posted:
                    self.answer(call.method, call.params)
                call.response = {"ok": False, "error": failure.error or _status_error(failure.status)}
            else:
                call.response = self._answer_strictly(call)
            (self.calls if failure is None or failure.status == 200 else self.refused).append(call)
            self._changed.notify_all()
            return failure

    def _answer_strictly(self, call: Call) -> dict:
        """Slack's answer once the payload is held against Slack's rules: refused as Slack refuses it."""
        breaches = strict.check_call(call.method, call.params, Context(self._conversation(call.params), self.visible))
        if breaches:
            self.breaches.append((call, breaches))
        refused = strict.refusal(call.method, breaches)
        if refused:
            return refused
        return self.answer(call.method, call.params) if call.method != "response_url" else {"ok": True}

    def hold_answer(self, request_body: str, answer: dict) -> list[strict.Breach]:
        """Hold the bot's HTTP answer to a request from Slack (an acknowledgement's body, a view_submission's
        response_action) against Slack's rules, as Slack does when it gets it; keep any breach."""
        breaches = strict.check_answer(request_body, answer)
        if breaches:
            with self._changed:
                self.breaches.append((Call("http_answer", answer), breaches))
        return breaches

    @staticmethod
    def _conversation(params: dict) -> str:
        channel = str(params.get("channel") or "")
        return "D" + channel[1:] if channel[:1] in ("U", "W") else channel

    def answer(self, method: str, params: dict) -> dict:
        """Slack's response shape for each method the bot uses."""
        channel = params.get("channel") or ""
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BTATBOT01", "team_id": self.team,
                    "team": "Coalition", "user": "tat", "url": "https://coalition.slack.com/"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if channel[:1] in ("U", "W"):
                channel = "D" + channel[1:]
            ts = params.get("ts") or f"{time.time():.0f}.{next(self._ts):06d}"
            key = "message_ts" if method == "chat.postEphemeral" else "ts"
            if method == "chat.postMessage":
                self.history.setdefault(channel, []).append(
                    {"type": "message", "ts": ts, "text": params.get("text"), "bot_id": "BTATBOT01",
                     **({"metadata": params["metadata"]} if params.get("metadata") else {})})
            return {"ok": True, "channel": channel, key: ts,
                    "message": {"text": params.get("text"), "blocks": params.get("blocks", [])}}
        if method.startswith("views."):
            view = params.get("view") or {}
            view_id = params.get("view_id") or f"V{next(self._ts):08d}"   # views.update keeps the view's id
            return {"ok": True, "view": {**view, "id": view_id, "hash": f"{next(self._ts)}.hash",
                                         "state": {"values": {}}}}
        if method == "conversations.open":
            users = str(params.get("users", "")).split(",")
            if len(users) == 1:
                return {"ok": True, "channel": {"id": "D" + users[0][1:]}}
            group = group_id(users)
            self.members[group] = users
            return {"ok": True, "channel": {"id": group}}
        if method == "conversations.history":
            return self._history(params)
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False, "error": "invalid_auth"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            self.files[file_id] = {"id": file_id, "name": params.get("filename"), "content": None, "channel": None,
                                   "length": int(params.get("length") or 0), "alt_txt": params.get("alt_txt")}
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete_upload(params)
        if method == "files.delete":
            stored = self.files.get(params.get("file") or "")
            if stored is None or stored.get("deleted"):
                return {"ok": False, "error": "file_not_found"}
            stored["deleted"] = True
            return {"ok": True}
        if method == "conversations.replies":
            return self._replies(params)
        if method == "users.lookupByEmail":
            wanted = str(params.get("email", "")).lower()
            found = [u for u in self.users.values() if (u.get("profile") or {}).get("email", "").lower() == wanted]
            return {"ok": True, "user": found[0]} if found else {"ok": False, "error": "users_not_found"}
        if method == "users.list":
            people = list(self.users.values())
            start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 200)
            more = start + limit < len(people)
            return {"ok": True, "members": people[start:start + limit],
                    "response_metadata": {"next_cursor": str(start + limit) if more else ""}}
        if method == "users.info":
            if params.get("user") in self.strangers:
                return {"ok": False, "error": "user_not_found"}
            user = self.users.get(params.get("user"), {"id": params.get("user"), "real_name": "Coalition Member"})
            return {"ok": True, "user": user}
        if method == "conversations.info":
            channel = self.channels.get(params.get("channel") or "")
            return ({"ok": True, "channel": {"id": params.get("channel"), "is_archived": False, **channel}}
                    if channel is not None else {"ok": False, "error": "channel_not_found"})
        return {"ok": True}


    def visible(self, file_id: str, conversation: str) -> bool:
        """Whether a file can be shown in a conversation (an image block's `slack_file`): its bytes arrived
        and it was shared there. Slack refuses a file uploaded without a channel: only the uploader sees it."""
        stored = self.files.get(file_id)
        return bool(stored and stored["content"] is not None and not stored.get("deleted")
                    and conversation and stored.get("channel") == conversation)

    def _complete_upload(self, params: dict) -> dict:
        """Share uploaded files in a channel (in a thread, with `thread_ts`); a file whose bytes never
        arrived, or not as many as promised, is refused as Slack refuses it."""
        listed = params.get("files")
        listed = json.loads(listed) if isinstance(listed, str) else listed or []
        channel, thread = params.get("channel_id"), params.get("thread_ts")
        shared = []
        for item in listed:
            stored = self.files.get(item.get("id"))
            if stored is None or stored["content"] is None or len(stored["content"]) != stored["length"] \
                    or stored.get("deleted"):
                return {"ok": False, "error": "file_uploads_not_finished"}
            stored.update(channel=channel, thread_ts=thread, title=item.get("title"),
                          initial_comment=params.get("initial_comment"))
            shared.append({"id": stored["id"], "name": stored["name"], "title": item.get("title"),
                           "size": stored["length"]})
        if channel and thread and shared:   # the share is a reply in the thread, as in Slack
            self.replies.setdefault((channel, thread), []).append(
                {"type": "message", "subtype": "file_share", "ts": f"{time.time():.0f}.{next(self._ts):06d}",
                 "thread_ts": thread, "bot_id": "BTATBOT01", "files": shared})
        return {"ok": True, "files": shared}

    def _replies(self, params: dict) -> dict:
        """A thread: its parent first (as conversations.replies answers), then its replies, a page at a time."""
        channel, ts = params.get("channel") or "", params.get("ts") or ""
        parent = [m for m in self.history.get(channel, []) if m["ts"] == ts]
        if not parent:
            return {"ok": False, "error": "thread_not_found"}
        thread = [*parent, *self.replies.get((channel, ts), [])]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        more = start + limit < len(thread)
        return {"ok": True, "messages": thread[start:start + limit], "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _upload(self, file_id: str, content: bytes) -> Call:
        """The POST of a file's bytes to the upload URL files.getUploadURLExternal handed out."""
        with self._changed:
            stored = self.files.get(file_id)
            if stored is not None:
                stored["content"] = content
            call = Call("upload", {"file_id": file_id, "length": len(content)},
                        response={"ok": stored is not None})
            self.calls.append(call)
            self._changed.notify_all()
            return call

    def uploaded(self, channel: str | None = None) -> list[dict]:
        """Files shared (their bytes in `content`), in the order they were shared; optionally in one channel."""
        with self._changed:
            return [f for f in self.files.values() if f.get("channel") and not f.get("deleted")
                    and (channel is None or f["channel"] == channel)]

    def orphans(self) -> list[dict]:
        """Files uploaded but never shared nor deleted: invisible to everyone, kept by Slack for nothing."""
        with self._changed:
            return [f for f in self.files.values() if not f.get("channel") and not f.get("deleted")]

    def _history(self, params: dict) -> dict:
        """Newest first, `limit` a page, from `oldest` on; metadata only when asked for."""
        oldest = float(params.get("oldest") or 0)
        found = [m for m in reversed(self.history.get(params.get("channel") or "", [])) if float(m["ts"]) > oldest]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 100)
        page = found[start:start + limit]
        if str(params.get("include_all_metadata")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


class RateLimit:
    """A workspace-wide limit (a token bucket holding one second's worth: short bursts only), and
    one message a second per conversation."""

    def __init__(self, per_minute: int, per_channel_per_second: float):
        self.rate = per_minute / 60
        self.capacity = self.tokens = max(1.0, self.rate)
        self.gap = 1.0 / per_channel_per_second
        self.filled = time.monotonic()
        self.last: dict[str, float] = {}

    def check(self, channel: str) -> Failure | None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.filled) * self.rate)
        self.filled = now
        if self.tokens < 1:
            return Failure(429, retry_after=max(1, math.ceil((1 - self.tokens) / self.rate)))
        if now - self.last.get(channel, -1e9) < self.gap:
            return Failure(429, retry_after=max(1, math.ceil(self.last[channel] + self.gap - now)))
        self.tokens -= 1
        self.last[channel] = now
        return None


@dataclass
class Hold:
    method: str
    matching: dict
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


def group_id(users: list[str]) -> str:
    """The id of the group DM of these people: the same for the same people, as in Slack."""
    return "G" + hashlib.sha1(",".join(users).encode()).hexdigest()[:10].upper()


def _status_error(status: int) -> str:
    return "ratelimited" if status == 429 else "internal_error"


def _matches(params: dict, matching: dict) -> bool:
    return all(params.get(k) == v for k, v in matching.items())


def _parse(body: bytes, content_type: str) -> dict:
    if "json" in content_type:
        return json.loads(body or b"{}")
    params: dict = dict(parse_qsl(body.decode()))
    for key in ("blocks", "view", "attachments", "metadata"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params


def _handler_for(standin: SlackStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._answer(dict(parse_qsl(urlsplit(self.path).query)))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if self.path.startswith("/upload/"):   # a file's bytes, as they are: not form fields
                call = standin._upload(self.path.removeprefix("/upload/"), self.rfile.read(length))
                body = b"OK - " + str(call.params["length"]).encode()
                self.send_response(200 if call.response["ok"] else 404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            params = _parse(self.rfile.read(length), self.headers.get("Content-Type", ""))
            self._answer({**dict(parse_qsl(urlsplit(self.path).query)), **params})

        def _answer(self, params: dict) -> None:
            if self.path.startswith("/respond/"):
                method = "response_url"
            else:
                method = self.path.removeprefix("/api/").split("?")[0]
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or params.get("token")
            call = Call(method, params, token, self.path)
            failure = standin._record(call)
            if failure:
                return self._fail(failure, call.response)
            if method == "response_url" and call.response.get("ok") is False:   # Slack answers a webhook in words
                return self._send_text(400, call.response["error"])
            held = standin._held(call)
            if held:
                held.arrived.set()
                held.released.wait(60)
            self._send(200, call.response)

        def _fail(self, failure: Failure, payload: dict) -> None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            self._send(failure.status, payload, headers)

        def _send_text(self, status: int, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            if self.path.startswith("/api/"):   # as Slack does: the scopes the token was granted
                self.send_header("x-oauth-scopes", ",".join(standin.scopes))
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
