"""Slack's end of Socket Mode: a WebSocket server that greets the bot, sends it envelopes, and
collects the bot's acknowledgements."""
import json
import queue
import threading
import uuid

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve


class SocketModeStandIn:
    def __init__(self) -> None:
        self.acks: queue.Queue[dict] = queue.Queue()
        self._outgoing: queue.Queue[dict] = queue.Queue()
        self._server = serve(self._session, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=local"
        self.connected = threading.Event()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()

    def send(self, kind: str, payload: dict) -> str:
        """Deliver an envelope as Slack would; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        self._outgoing.put({"envelope_id": envelope_id, "type": kind, "payload": payload,
                            "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                            "retry_reason": ""})
        return envelope_id

    def ack_for(self, envelope_id: str, timeout: float = 15) -> dict:
        """The bot's acknowledgement of one envelope (others are kept for later)."""
        kept = []
        try:
            while True:
                ack = self.acks.get(timeout=timeout)
                if ack.get("envelope_id") == envelope_id:
                    return ack
                kept.append(ack)
        finally:
            for ack in kept:
                self.acks.put(ack)

    def _session(self, connection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                    "debug_info": {"host": "local", "approximate_connection_time": 18060},
                                    "connection_info": {"app_id": "A0TATBOT01"}}))
        self.connected.set()
        while True:
            try:
                connection.send(json.dumps(self._outgoing.get(timeout=0.05)))
            except queue.Empty:
                pass
            try:
                self.acks.put(json.loads(connection.recv(timeout=0.05)))
            except TimeoutError:
                pass
            except ConnectionClosed:
                return
