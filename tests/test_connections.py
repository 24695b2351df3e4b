"""No number of idle or slow connections stops the process or keeps /healthz from answering."""
import json
import resource
import socket
import threading
from contextlib import contextmanager
from urllib.parse import urlparse

import bot as tat_bot
from tests.conftest import SECRET, RunningBot, stop_server

PARTIAL = b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"   # a request never finished


@contextmanager
def idle_connections(url: str, count: int):
    """`count` sockets to the server at `url`, each holding half a request, open for the block."""
    address, opened = urlparse(url), []
    try:
        for _ in range(count):
            sock = socket.create_connection((address.hostname, address.port), timeout=10)
            sock.sendall(PARTIAL)
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


@contextmanager
def served_with(running: RunningBot, connections: int):
    """The running bot behind a second real HTTP server, built as `serving` builds it, with a connection limit."""
    server = tat_bot.http_server(running.bot, SECRET, "127.0.0.1", 0, connections=connections)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield RunningBot(f"http://127.0.0.1:{server.effective_port}", running.slack, running.bot)
    finally:
        stop_server(server, thread)


def dropped_by_the_server(sock: socket.socket) -> bool:
    """True when the server has closed this connection (it reads as ended, or reset)."""
    sock.settimeout(2)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def answers(bot: RunningBot) -> bool:
    helped = bot.command("U0MANAGER1", "help")
    return bot.get("/healthz").status == 200 and helped.status == 200 and "/tat register" in json.loads(
        helped.body)["text"]


def test_connections_past_the_limit_drop_the_longest_idle_one_and_health_still_answers(running):
    with served_with(running, connections=20) as bot, idle_connections(bot.url, 60) as idle:
        assert answers(bot)                               # while sixty idle sockets are held against twenty
        assert all(dropped_by_the_server(sock) for sock in idle[:30])   # the oldest idle ones went first
        assert not dropped_by_the_server(idle[-1])
    assert answers(running)


def test_more_connections_than_select_can_watch_leave_the_process_answering(running):
    needed = 2 * 1100 + 500   # the test's own sockets, the server's, and the rest of the process
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard == resource.RLIM_INFINITY or hard >= needed, \
        f"this machine lets a process open {hard} descriptors; the test needs {needed}: raise `ulimit -Hn`"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, needed), hard))
    with idle_connections(running.url, 1100):             # past 1,024 descriptors, and past the limit
        assert answers(running)
    assert answers(running)
