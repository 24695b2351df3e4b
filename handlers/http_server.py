"""The production HTTP server: waitress, kept alive and answering whatever sockets are held open.

waitress's default loop watches its sockets with select(), which cannot watch a descriptor
numbered 1,024 or more: past that the loop raises and the process stops. This server polls
instead (no such ceiling), holds at most a number of connections the process has descriptors
for, and, when one more arrives, drops the connection idle the longest, so a crowd of idle or
slow sockets costs their owner their oldest socket and never keeps /healthz or Slack waiting.
"""
import logging
import resource

from waitress.adjustments import Adjustments
from waitress.server import TcpWSGIServer

CONNECTIONS = 1000         # open connections held at most (fewer if the process has fewer descriptors)
KEPT_FOR_THE_REST = 200    # descriptors left for the database pool, log files and calls to Slack
LOWEST_LIMIT = 8

log = logging.getLogger("tat.http")


def descriptors_allowed() -> int:
    """How many descriptors this process may open, its soft limit raised to the hard one first."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1 << 20
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            return wanted
        except (ValueError, OSError):
            return soft
    return soft


def connection_limit(wanted: int = CONNECTIONS) -> int:
    """`wanted`, or fewer when the process could not hold that many sockets beside everything else."""
    return max(LOWEST_LIMIT, min(wanted, descriptors_allowed() - KEPT_FOR_THE_REST))


class BoundedServer(TcpWSGIServer):
    """waitress's TCP server, polled, that never holds more than `limit` connections."""

    def __init__(self, application, limit: int, **adjustments):
        self.limit, self.full = limit, False
        # waitress itself would stop accepting at its own limit, leaving newcomers in the backlog
        adj = Adjustments(asyncore_use_poll=True, connection_limit=limit + 8, **adjustments)
        super().__init__(application, adj=adj)

    def handle_accept(self) -> None:
        super().handle_accept()
        over = len(self.active_channels) > self.limit
        if over and not self.full:
            log.warning("%s connections are open: each new one now closes the one idle the longest", self.limit)
        elif self.full and not over:
            log.info("open connections are below the limit of %s again", self.limit)
        self.full = over
        if over:
            self._drop_longest_idle()

    def _drop_longest_idle(self) -> None:
        """Close the connection with no request in hand that was active least recently (the newest
        one, just accepted, if every other is being answered)."""
        idle = [channel for channel in self.active_channels.values() if not channel.requests]
        if idle:
            min(idle, key=lambda channel: channel.last_activity).handle_close()
