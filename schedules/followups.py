"""The clock's follow-up job: check-ins owed for follow-ups that fell due, and leads told of posts that failed.

The channel posts themselves are queued when a coalition is set up; this job fans out the
check-ins when a follow-up falls due (so that everyone approved by then is asked) and tells the
leads when a post could not go out (the bot is not in the channel, say) or was missed.
"""
import logging

from domain.coalitions import alert_leads, fan_out_checkins

log = logging.getLogger(__name__)


def due_followups(services) -> int:
    """Queue what the follow-ups owe now; how many messages were queued."""
    with services.sessions.begin() as session:
        at = services.clock()
        asked = fan_out_checkins(session, at)
        told = alert_leads(session, at)
    if asked or told:
        log.info("follow-ups: %s check-in(s) and %s note(s) to leads queued", asked, told)
    return asked + told
