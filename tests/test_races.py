"""What happens at the same moment: real parallel requests through the HTTP server, on both databases."""
import json
import threading

from localslack import payloads
from tests.conftest import ADMIN, SECOND_ADMIN, count_rows
from tests.test_registration import MANAGER, TRUCK_STOP, open_form, stakeholder, wait_until


def at_once(*sends):
    """Run each send in its own thread, released together; their responses in order."""
    start, responses = threading.Barrier(len(sends)), [None] * len(sends)

    def run(i, send):
        start.wait()
        responses[i] = send()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def press_body(running, user, request, action_id, value=None):
    """Pressing a button of a message the bot sent (the first with this action, or the one with this value)."""
    message = {**request.params, "ts": request.response["ts"]}
    button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id and value in (None, e["value"]))
    return payloads.block_action(user, button, message, request.response["channel"], running.slack.response_url(user))


def requests_sent(running, count=2):
    wait_until(lambda: count_rows(running.database_url, "outbox", "key LIKE 'approval:%' AND sent_at IS NOT NULL")
               >= count)
    return [running.slack.wait_for("chat.postMessage", channel=admin)[0] for admin in (ADMIN, SECOND_ADMIN)]


def test_ten_approve_and_decline_presses_at_once_make_exactly_one_decision_told_truthfully(running):
    running.send(payloads.view_submission(MANAGER, open_form(running, MANAGER), TRUCK_STOP))
    first, second = requests_sent(running)
    bodies = [press_body(running, ADMIN, first, "approve_registration") for _ in range(5)]
    bodies += [press_body(running, SECOND_ADMIN, second, "decline_registration") for _ in range(5)]

    responses = at_once(*[lambda b=b: running.send(b) for b in bodies])

    assert [r.status for r in responses] == [200] * 10
    stored = stakeholder(running, MANAGER).status
    news = running.slack.wait_for("chat.postMessage", count=2, channel=MANAGER)[1]
    running.bot.later.wait_idle()
    refusals = running.slack.wait_for("response_url", count=9)
    updates = running.slack.wait_for("chat.update", count=2)
    wait_until(lambda: count_rows(running.database_url, "outbox", "sent_at IS NULL AND cancelled_at IS NULL") == 0)
    assert len(running.slack.calls_to("chat.postMessage", channel=MANAGER)) == 2      # one decision told, once
    assert len(running.slack.calls_to("chat.update")) == 2                            # each admin's copy, once
    assert ("not approved" in news.params["text"]) == (stored == "declined")
    assert all(f"Sam Stone (Big Rig Plaza LLC) {stored} by" in json.dumps(u.params["blocks"]) for u in updates)
    assert all(f"already {stored}" in r.params["text"] for r in refusals)


def test_two_identity_edits_at_once_leave_admins_approving_only_what_they_were_shown(running):
    running.send(payloads.view_submission(MANAGER, open_form(running, MANAGER), TRUCK_STOP))
    requests_sent(running)
    views = [open_form(running, MANAGER) for _ in range(2)]
    names = ["Samantha Stone", "Sam Q. Stone"]

    at_once(*[lambda v=v, n=n: running.send(payloads.view_submission(MANAGER, v, {**TRUCK_STOP, "name": n}))
              for v, n in zip(views, names, strict=True)])

    saved = stakeholder(running, MANAGER)
    assert saved.revision == 3 and saved.name in names
    wait_until(lambda: count_rows(running.database_url, "outbox", "sent_at IS NULL AND cancelled_at IS NULL") == 0)
    for request in running.slack.calls_to("chat.postMessage", channel=ADMIN):
        value = next(e["value"] for b in request.params["blocks"] if b["type"] == "actions" for e in b["elements"])
        if value == f"{saved.id}:{saved.revision}":
            assert saved.name in request.params["text"]


def test_the_same_form_submitted_twice_at_once_is_one_registration_and_one_set_of_messages(running):
    body = payloads.view_submission(MANAGER, open_form(running, MANAGER), TRUCK_STOP)

    responses = at_once(lambda: running.send(body), lambda: running.send(body))

    assert [(r.status, r.body) for r in responses] == [(200, ""), (200, "")]
    assert count_rows(running.database_url, "stakeholders") == 1
    requests_sent(running)
    running.send(body)                                       # and replayed later
    wait_until(lambda: count_rows(running.database_url, "outbox", "sent_at IS NULL AND cancelled_at IS NULL") == 0)
    assert len(running.slack.calls_to("chat.postMessage", channel=MANAGER)) == 1
    assert len(running.slack.calls_to("chat.postMessage", channel=ADMIN)) == 1
    assert len(running.slack.calls_to("chat.postMessage", channel=SECOND_ADMIN)) == 1


def test_while_slack_rate_limits_the_bot_every_request_is_still_answered_and_nothing_is_lost(running):
    running.slack.fail("chat.postMessage", status=429, retry_after=20, times=1000)
    bodies = [payloads.view_submission(f"U0RUSH{i:04d}", open_form(running, f"U0RUSH{i:04d}"), TRUCK_STOP)
              for i in range(12)]
    submitted = at_once(*[lambda b=b: running.send(b) for b in bodies])
    help_reply = running.command(MANAGER, "help")

    assert [(r.status, r.body) for r in submitted] == [(200, "")] * 12
    assert help_reply.status == 200 and "/tat register" in help_reply.body
    assert count_rows(running.database_url, "stakeholders") == 12
    refused = len(running.slack.refused)
    assert refused <= 3          # the first 429 paused the method: nobody hammers Slack meanwhile

    running.slack.stop_failing()
    running.bot.sender.wake()
    running.clock.advance(seconds=21)
    running.slack.wait_for("chat.postMessage", count=14, timeout=20)   # 12 notes, and one message per admin
    for admin in (ADMIN, SECOND_ADMIN):   # listing all twelve, at once or once updated
        wait_until(lambda a=admin: "12 registrations waiting" in (running.slack.showing(a) or [{}])[-1].get("text",
                                                                                                          ""))
    assert len(running.slack.calls_to("chat.postMessage", channel=ADMIN)) == 1


def test_views_open_is_tried_once_within_its_trigger_and_never_retried(running):
    running.slack.fail("views.open", status=429, retry_after=5)
    assert running.command(MANAGER, "register").status == 200
    running.bot.later.wait_idle()
    assert [c.method for c in running.slack.refused] == ["views.open"]
    assert running.slack.calls_to("views.open") == []
