"""The clock's job for the leads' weekly note of who asked for materials."""
import logging

from domain.materials import owe_digests

log = logging.getLogger(__name__)


def weekly_materials(services) -> int:
    with services.sessions.begin() as session:
        queued = owe_digests(session, services.clock())
    if queued:
        log.info("materials: %s weekly note(s) to leads queued", queued)
    return queued
