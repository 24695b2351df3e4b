"""`/tat resources`, end to end: TAT's training for each audience by default; the state's leads and
the admins add, edit and remove items with a form; the follow-up post and the "We need materials"
answer point to it; and the leads' weekly note of who asked for materials."""
import json

from localslack import payloads
from tests.conftest import ADMIN, count_rows
from tests.test_contact import reply_of, shown
from tests.test_followups import CHANNEL, LEAD, approved, at_followup, dms, press, setup_coalition, tick, today
from tests.test_registration import MANAGER, TRUCK_STOP, submit

STRANGER = "U0STRANGER"
PLAN = {"kind": "pathway", "title": "Wallet cards at every weigh station", "url": "https://example.org/ne-plan",
        "note": "The State Patrol hands them out from March; ask Sgt. Lee for a box."}


def buttons(reply: dict) -> list[dict]:
    found = [b["accessory"] for b in reply.get("blocks", []) if "accessory" in b]
    return found + [e for b in reply.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def press_in_reply(running, user: str, reply: dict, button: dict):
    """Press a button of an ephemeral reply (a command's answer)."""
    message = {"ts": "1700000000.000009", "blocks": reply["blocks"], "text": reply["text"]}
    body = payloads.block_action(user, button, message, "C0GENERAL1", running.slack.response_url(user),
                                 ephemeral=True)
    assert running.send(body).status == 200
    running.bot.later.wait_idle()


def open_form(running, user: str, reply: dict, button: dict) -> dict:
    opened = len(running.slack.calls_to("views.open"))
    press_in_reply(running, user, reply, button)
    return running.slack.wait_for("views.open", count=opened + 1)[-1].params["view"]


def edit_button(reply: dict, title: str) -> dict:
    return next(b["accessory"] for b in reply["blocks"] if "accessory" in b and title in b["text"]["text"])


def test_a_registered_member_sees_tats_training_for_each_audience_and_its_materials(running):
    submit(running, MANAGER, TRUCK_STOP)          # waiting for approval is registered enough
    reply = reply_of(running, MANAGER, "resources")
    text = shown(reply)
    assert "Resources of the Nebraska coalition" in text
    for words in ("TAT's Industry Training Program", "BOTL (Busing on the Lookout)", "law enforcement training",
                  "wallet cards", "dash sticker", "Iowa MVE model"):
        assert words in text, words
    assert "<https://truckersagainsttrafficking.org/industry-training-program/|" in text
    assert buttons(reply) == [] and "leads keep this list" in text
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert "resources" in reply_of(running, MANAGER, "help")["text"]


def test_someone_not_registered_is_asked_to_register_and_a_wrong_state_is_named(running):
    assert "/tat register" in running.command(STRANGER, "resources").body
    submit(running, MANAGER, TRUCK_STOP)
    assert "not a US state I know" in running.command(MANAGER, "resources Narnia").body


def test_a_lead_adds_edits_and_removes_items_with_the_form(running):
    setup_coalition(running, today())
    submit(running, MANAGER, TRUCK_STOP)
    reply = reply_of(running, LEAD, "resources NE")
    add = next(b for b in buttons(reply) if b["action_id"] == "add_resource")
    botl = edit_button(reply, "BOTL")                       # a default, not copied in yet

    form = open_form(running, LEAD, reply, add)
    saved = running.send(payloads.view_submission(LEAD, form, PLAN))
    assert json.loads(saved.body)["response_action"] == "update"
    text = shown(reply_of(running, MANAGER, "resources"))
    assert "<https://example.org/ne-plan|Wallet cards at every weigh station>" in text and "Sgt. Lee" in text
    assert "TAT's Industry Training Program" in text and "until the coalition's leads add" not in text

    form = open_form(running, LEAD, reply, botl)            # the button from before the defaults were copied in
    assert next(b for b in form["blocks"] if b.get("block_id") == "title")["element"]["initial_value"].startswith(
        "Bus, transit and school bus staff")
    running.send(payloads.view_submission(LEAD, form, {"kind": "training", "title": "School buses: BOTL, "
                                                       "through the Pupil Transportation Association",
                                                       "url": "https://truckersagainsttrafficking.org/bus-training/",
                                                       "keep": "keep"}))
    text = shown(reply_of(running, MANAGER, "resources"))
    assert "through the Pupil Transportation Association" in text and "Bus, transit and school bus staff" not in text

    reply = reply_of(running, ADMIN, "resources NE")        # an admin edits too
    form = open_form(running, ADMIN, reply, edit_button(reply, "weigh station"))
    running.send(payloads.view_submission(ADMIN, form, {**PLAN, "keep": "remove"}))
    text = shown(reply_of(running, MANAGER, "resources"))
    assert "weigh station</" not in text and "Wallet cards at every weigh station" not in text
    assert count_rows(running.database_url, "resources", "removed_at IS NOT NULL") == 1
    again = running.send(payloads.view_submission(ADMIN, form, {**PLAN, "keep": "remove"}))   # removed already
    assert "removed meanwhile" in json.loads(again.body)["errors"]["title"]


def test_bad_input_in_the_form_is_refused_field_by_field_and_stores_nothing(running):
    setup_coalition(running, today())
    reply = reply_of(running, LEAD, "resources NE")
    form = open_form(running, LEAD, reply, next(b for b in buttons(reply) if b["action_id"] == "add_resource"))
    for answers, field in (({**PLAN, "title": ""}, "title"), ({**PLAN, "url": "javascript:alert(1)"}, "url"),
                           ({**PLAN, "url": "https://example.org/a|<!channel>"}, "url"),
                           ({**PLAN, "title": "Posters\u202e at rest areas"}, "title"),
                           ({**PLAN, "kind": "nonsense"}, "kind"), ({**PLAN, "note": "x" * 501}, "note")):
        refused = running.send(payloads.view_submission(LEAD, form, answers))
        assert refused.status == 200 and field in json.loads(refused.body)["errors"], answers
    assert count_rows(running.database_url, "resources") == 0


def test_only_the_states_leads_and_the_admins_change_its_list(running):
    setup_coalition(running, today())
    submit(running, MANAGER, TRUCK_STOP)
    reply = reply_of(running, LEAD, "resources NE")
    add = next(b for b in buttons(reply) if b["action_id"] == "add_resource")
    press_in_reply(running, MANAGER, reply, add)            # a member presses a lead's button
    assert "Only the NE coalition's leads" in running.slack.calls_to("response_url")[-1].params["text"]
    form = open_form(running, LEAD, reply, add)
    refused = running.send(payloads.view_submission(MANAGER, form, PLAN))
    assert "Only the NE coalition's leads" in json.loads(refused.body)["errors"]["title"]
    refused = running.send(payloads.view_submission(LEAD, {**form, "private_metadata": "IA:"}, PLAN))
    assert "errors" in json.loads(refused.body)                     # a lead of Nebraska, not of Iowa
    assert count_rows(running.database_url, "resources") == 0


def test_what_a_lead_typed_is_shown_as_typed(running):
    setup_coalition(running, today())
    submit(running, MANAGER, TRUCK_STOP)
    reply = reply_of(running, LEAD, "resources NE")
    form = open_form(running, LEAD, reply, next(b for b in buttons(reply) if b["action_id"] == "add_resource"))
    running.send(payloads.view_submission(LEAD, form, {**PLAN, "title": "<!channel> posters & <@U0ADMIN001>"}))
    text = shown(reply_of(running, MANAGER, "resources"))
    assert "&lt;!channel&gt; posters &amp; &lt;@U0ADMIN001&gt;" in text and "<!channel>" not in text


def test_the_follow_up_post_and_the_need_materials_answer_point_to_resources(running):
    meeting = today()
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    at_followup(running, meeting, 1)
    (post,) = running.slack.calls_to("chat.postMessage", channel=CHANNEL)
    assert "/tat resources" in json.dumps(post.params["blocks"])
    press(running, "U0DRIVER01", dms(running, "U0DRIVER01")[0], "checkin_need")
    assert "/tat resources" in running.slack.calls_to("response_url")[-1].params["text"]


def test_the_leads_hear_once_a_week_who_asked_for_materials_and_only_when_someone_did(running):
    meeting = today()
    setup_coalition(running, meeting)
    approved(running, "U0DRIVER01")
    approved(running, "U0DRIVER02")
    at_followup(running, meeting, 1)
    press(running, "U0DRIVER01", dms(running, "U0DRIVER01")[0], "checkin_need")
    press(running, "U0DRIVER02", dms(running, "U0DRIVER02")[0], "checkin_distribute")

    running.clock.advance(days=7)                 # past the next Monday, 10:00 in Nebraska
    tick(running)
    tick(running)
    digests = [c for c in dms(running, LEAD) if "We need materials" in c.params["text"]]
    assert len(digests) == 1
    said = digests[0].params["text"]
    assert "Plains Freight — Pat Driver (<@U0DRIVER01>)" in said and "U0DRIVER02" not in said
    assert "/tat resources" in said

    running.clock.advance(days=7)                 # nobody asked this week: no note
    tick(running)
    assert len([c for c in dms(running, LEAD) if "We need materials" in c.params["text"]]) == 1


def test_the_week_ends_on_monday_at_ten_in_the_coalitions_time_zone():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from domain.materials import week_end

    chicago = ZoneInfo("America/Chicago")
    for at, end in (("2027-03-10 15:00", "2027-03-08 10:00"), ("2027-03-08 09:59", "2027-03-01 10:00"),
                    ("2027-03-08 10:00", "2027-03-08 10:00"), ("2027-03-15 11:00", "2027-03-15 10:00")):
        moment = datetime.fromisoformat(at).replace(tzinfo=chicago).astimezone(UTC)
        assert week_end(moment, "America/Chicago") == datetime.fromisoformat(end).replace(tzinfo=chicago), at
