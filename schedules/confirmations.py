"""The clock's job for contacts staying current: yearly questions owed, and leads told of unanswered ones."""
import logging

from domain.confirmations import ask_due, tell_leads

log = logging.getLogger(__name__)


def due_confirmations(services) -> int:
    """Queue the yearly questions that fell due and the leads' notes of questions left unanswered."""
    with services.sessions.begin() as session:
        at = services.clock()
        asked = ask_due(session, at)
        told = tell_leads(session, at)
    if asked or told:
        log.info("contacts: %s yearly question(s) and %s note(s) to leads queued", asked, told)
    return asked + told
