"""The registration form while it is being filled: its hints follow the sector and state chosen."""
import logging

from slack_sdk.errors import SlackApiError

from handlers import registration_blocks as render
from handlers.blocks import submitted_values
from handlers.replays import opened_for_chooser

log = logging.getLogger(__name__)


def refit(ack, body, client, context):
    """A sector or state was chosen: show the form again with hints for it, keeping what was typed
    (only in a registration form the bot opened for whoever chose)."""
    ack()
    view, services = body["view"], context["services"]
    if not opened_for_chooser(services, body, "register"):
        return
    form = render.form_view(submitted_values(view), editing=render.is_editing(view))
    services.later(lambda: _update(client, view, form))



def _update(client, view: dict, form: dict) -> None:
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=form)
    except SlackApiError as error:
        if error.response.get("error") != "hash_conflict":
            raise
        log.info("the form %s changed again before its hints were refitted", view["id"])
