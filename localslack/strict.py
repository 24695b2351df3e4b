"""Holding what the bot sends against Slack's rules (localslack/rules.py): which rules a payload
breaks, and what Slack answers it.

Web API calls and response_url posts are checked by the stand-in as they arrive; HTTP answers to
Slack's requests (a command's acknowledgement, a view_submission's `response_action`) by whoever
sent the request: the tests' client and the shell.
"""
import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

from localslack.checks import Context, Found
from localslack.rules import Rule, rules_for

MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage",
                             "response_url"})
VIEW_METHODS = frozenset({"views.open", "views.update", "views.push", "views.publish"})
SURFACES = frozenset({"message", "modal", "home"})
ELEMENTS_OF = {"section": ("accessory",), "actions": ("elements[]",), "input": ("element",),
               "context": ("elements[]",)}


@dataclass(frozen=True)
class Breach:
    rule: Rule
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} [json-pointer:{self.pointer}] (rule {self.rule})"


ANYWHERE = Context()


def check_call(method: str, params: dict, context: Context = ANYWHERE) -> list[Breach]:
    """What a Web API call (or a response_url post) breaks of Slack's rules."""
    if method in MESSAGE_METHODS:
        return check_message(params, context)
    if method in VIEW_METHODS:
        view = params.get("view")
        return check_view(json.loads(view) if isinstance(view, str) else view or {})
    return []


def check_message(message: dict, context: Context = ANYWHERE) -> list[Breach]:
    blocks = message.get("blocks")
    if isinstance(blocks, str):   # form-encoded calls carry blocks as JSON text
        message = {**message, "blocks": _json_or(blocks, blocks)}
    return _apply(_walk("message", message, ""), context)


def check_view(view: dict, pointer: str = "/view") -> list[Breach]:
    kind = view.get("type") if view.get("type") in ("modal", "home") else "modal"
    return _apply(_walk(kind, view, pointer), ANYWHERE)


def check_answer(request_body: str, answer: dict) -> list[Breach]:
    """What the bot's HTTP answer to a request from Slack breaks: a command's or a button's
    acknowledgement body, or a view_submission's `response_action` (errors, update, push)."""
    action = answer.get("response_action")
    if action == "errors":
        submitted = (_payload(request_body) or {}).get("view") or {}
        return _apply(_walk("errors", answer.get("errors") or {}, "/errors"), Context(submitted=submitted))
    if action in ("update", "push"):
        return check_view(answer.get("view") or {})
    if "text" in answer or "blocks" in answer:
        return check_message(answer)
    return []


def refusal(method: str, breaches: list[Breach]) -> dict | None:
    """Slack's answer to a payload with these breaches, or None when Slack takes it (a warning aside)."""
    refused = [b for b in breaches if not b.rule.warns]
    if not refused:
        return None
    error = next((b.rule.error for b in refused if b.rule.error),
                 "invalid_arguments" if method in VIEW_METHODS else "invalid_blocks")
    errors = [f"{b.message} [json-pointer:{b.pointer}]" for b in refused]
    return {"ok": False, "error": error, "errors": errors,
            "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]}}


# -- walking a payload ----------------------------------------------------------------------------
def _walk(kind: str, value, pointer: str) -> Iterator[tuple[str, Found]]:
    """Every node a rule may apply to, with its kind: the surface, its blocks and their elements, the
    options and confirm dialogs of those, and every text object anywhere."""
    yield kind, Found(pointer, value)
    if kind in SURFACES and isinstance(value, dict):
        for index, block in enumerate(_items(value.get("blocks"))):
            yield from _block(block, f"{pointer}/blocks/{index}")
    yield from _texts(value, pointer)


def _block(block, pointer: str) -> Iterator[tuple[str, Found]]:
    yield "block", Found(pointer, block)
    if not isinstance(block, dict):
        return
    yield str(block.get("type")), Found(pointer, block)
    for path in ELEMENTS_OF.get(block.get("type"), ()):
        for element in _select(Found(pointer, block), path):
            if isinstance(element.value, dict) and element.value.get("type") not in ("mrkdwn", "plain_text"):
                yield from _element(element)


def _element(element: Found) -> Iterator[tuple[str, Found]]:
    yield "element", element
    yield str(element.value.get("type")), element
    for path in ("options[]", "initial_options[]", "initial_option", "option_groups[].options[]"):
        for found in _select(element, path):
            yield "option", found
    for found in _select(element, "confirm"):
        yield "confirm", found


def _texts(value, pointer: str) -> Iterator[tuple[str, Found]]:
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
            yield "text", Found(pointer, value)
        for key, inner in value.items():
            yield from _texts(inner, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _texts(inner, f"{pointer}/{index}")


def _apply(nodes: Iterator[tuple[str, Found]], context: Context) -> list[Breach]:
    """Every rule of every node, each problem once (a section's text is also a text object)."""
    breaches: dict[tuple[str, str], Breach] = {}
    for kind, node in nodes:
        for rule in rules_for(kind):
            for pointer, message in rule.check(_select(node, rule.field), node, rule.field, context):
                breaches.setdefault((pointer, message), Breach(rule, pointer, message))
    return list(breaches.values())


def _select(node: Found, path: str) -> list[Found]:
    """The values at `path` within a node (`a.b`, `a[]` for each item, `*` for each key)."""
    current = [node]
    for part in filter(None, path.split(".")):
        following = []
        for found in (f for f in current if isinstance(f.value, dict)):
            if part == "*":
                following += [Found(f"{found.pointer}/{k}", v) for k, v in found.value.items()]
            elif part.endswith("[]"):
                name = part[:-2]
                items = enumerate(_items(found.value.get(name)))
                following += [Found(f"{found.pointer}/{name}/{i}", v) for i, v in items]
            elif found.value.get(part) is not None:
                following.append(Found(f"{found.pointer}/{part}", found.value[part]))
        current = following
    return current


def _items(value) -> list:
    return value if isinstance(value, list) else []


def _payload(body: str) -> dict | None:
    """The JSON payload of an interactive request (form field `payload`), if it is one."""
    fields = dict(parse_qsl(body or ""))
    return _json_or(fields["payload"], None) if "payload" in fields else None


def _json_or(text: str, default):
    try:
        return json.loads(text)
    except ValueError:
        return default
