"""A workspace the bot is not installed in is a stranger.

The bot holds one bot token, and the token belongs to one workspace (auth.test says which). A
request from anyone else — a second install of the same app, or a Slack Connect partner in a shared
channel, whose payloads carry their own `user.team_id` beside the host's `team.id` — is answered
with one polite private sentence and nothing else: no registration put to the admins, no contacts,
lists or exports. Until auth.test has answered (Slack unreachable since start-up) the workspace is
not known, and requests are served as before.
"""
import json

from slack_bolt import BoltResponse

STRANGER = ("Sorry, I serve one Slack workspace's TAT coalition, and you are writing from another "
            "workspace, so I can't help you here. Nothing was done. If you belong to the coalition, "
            "please use me from its own workspace.")


def teams_of(body: dict) -> set[str]:
    """Every workspace a request names as the one it comes from (its host's and its person's)."""
    found = [body.get("team_id")]   # a slash command; an event's envelope
    for key in ("team", "user"):                         # an interaction: the host's team, the person's
        part = body.get(key)
        if isinstance(part, dict):
            found += [part.get("id") if key == "team" else None, part.get("team_id")]
    view = body.get("view")
    if isinstance(view, dict):
        found += [view.get("team_id"), view.get("app_installed_team_id")]
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict):
            found.append(authorization.get("team_id"))
    event = body.get("event")
    if isinstance(event, dict):   # a message or a member from a shared channel names their own team
        found += [event.get("team"), event.get("user_team"), event.get("source_team")]
        if isinstance(event.get("user"), dict):   # user_change: the person, with their team
            found.append(event["user"].get("team_id"))
    return {team for team in found if isinstance(team, str) and team}


def refuse_strangers(identity):
    """A Bolt middleware: a request from a workspace other than the token's is refused privately."""

    def middleware(body: dict, context, next):
        home = identity.team_id
        if home is None or teams_of(body) <= {home}:
            return next()
        if "command" in body:
            return _json({"response_type": "ephemeral", "text": STRANGER})
        if body.get("type") == "view_submission":
            first = _first_input(body.get("view"))
            if first:
                return _json({"response_action": "errors", "errors": {first: STRANGER}})
        respond, services = context.get("respond"), context.get("services")
        if respond is not None and services is not None and body.get("response_url"):
            services.later(lambda: respond(text=STRANGER, response_type="ephemeral", replace_original=False))
        return BoltResponse(status=200, body="")   # an event, or a button: acknowledged, nothing else

    return middleware


def _first_input(view) -> str | None:
    blocks = view.get("blocks") if isinstance(view, dict) and isinstance(view.get("blocks"), list) else []
    return next((b["block_id"] for b in blocks if isinstance(b, dict) and b.get("type") == "input"
                 and isinstance(b.get("block_id"), str)), None)


def _json(answer: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json;charset=utf-8"})
