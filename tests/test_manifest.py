"""No Web API call can lack its scope: every method the code calls, and the scope it needs, checked
against manifest.json."""
import json
import re

import pytest

# Every Slack Web API method the bot calls, and the bot scopes it needs (any one of a set will do
# where Slack accepts several: conversations.history needs the one for the conversation's type).
METHOD_SCOPES = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "views.open": set(),
    "views.publish": set(),
    "views.update": set(),
    "conversations.open": {"im:write", "mpim:write"},   # a DM; a group DM for introductions
    "conversations.history": {"channels:history", "groups:history", "im:history", "mpim:history"},
    "files.upload_v2": {"files:write"},         # files.getUploadURLExternal, files.completeUploadExternal
    "files.getUploadURLExternal": {"files:write"},      # a follow-up's chart, step by step into its post's thread
    "files.completeUploadExternal": {"files:write"},
    "files.delete": {"files:write"},            # an upload that was never shared: no orphan left behind
    "conversations.replies": {"channels:history", "groups:history"},   # is the chart in the thread already?
    "users.lookupByEmail": {"users:read.email"},
    "users.list": {"users:read"},
    "users.info": {"users:read"},   # a person a message is for still in the workspace? check: admins are people
    "conversations.info": {"channels:read", "groups:read"},   # check: the bot is in each coalition channel
}
# Every event the bot subscribes to, and the bot scopes Slack asks for it (all of them).
EVENT_SCOPES = {
    "app_home_opened": set(),
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "member_joined_channel": {"channels:read", "groups:read"},   # public and private channels alike
    "channel_unarchive": {"channels:read"},
    "group_unarchive": {"groups:read"},
    "user_change": {"users:read"},               # a member deactivated in Slack leaves the directory
}
# Scopes a method needs besides its own: users.list gives e-mail addresses only with users:read.email.
ALSO_NEEDED = {"users.list": {"users:read.email"}, "users.lookupByEmail": {"users:read"}}
CODE = ("bot.py", "datafiles.py", "preflight.py", "handlers", "schedules", "domain", "storage")
CALL = re.compile(r"client\.([a-z]+)_([a-zA-Z_]+)\(")


def called_methods(root) -> set[str]:
    paths = [root / p for p in CODE]
    files = [p for p in paths if p.is_file()] + [f for p in paths if p.is_dir() for f in p.rglob("*.py")]
    found = set()
    for path in files:
        for family, name in CALL.findall(path.read_text()):
            found.add(f"{family}.{name}")   # client.chat_postMessage → chat.postMessage
    return found


@pytest.fixture(scope="module")
def bot_scopes(project_root) -> set[str]:
    return set(json.loads((project_root / "manifest.json").read_text())["oauth_config"]["scopes"]["bot"])


def test_every_method_the_code_calls_is_in_the_scope_table(project_root):
    assert called_methods(project_root) - set(METHOD_SCOPES) == set()


def test_the_manifest_grants_every_scope_the_table_names(bot_scopes):
    assert {scope for scopes in METHOD_SCOPES.values() for scope in scopes} <= bot_scopes
    assert {scope for scopes in ALSO_NEEDED.values() for scope in scopes} <= bot_scopes


def test_the_manifest_grants_every_scope_of_a_method_with_several(bot_scopes):
    assert {"im:write", "mpim:write"} <= bot_scopes   # conversations.open: one person, or several


def test_the_manifest_subscribes_to_the_events_the_bot_listens_to(project_root):
    from handlers import EVENTS

    manifest = json.loads((project_root / "manifest.json").read_text())
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == set(EVENT_SCOPES)
    assert {name.split(".")[0] for name in events} == set(EVENTS)
    assert {scope for scopes in EVENT_SCOPES.values() for scope in scopes} <= set(
        manifest["oauth_config"]["scopes"]["bot"])


def test_the_table_finds_calls_in_the_code(project_root):
    assert {"chat.postMessage", "views.open", "conversations.history"} <= called_methods(project_root)
