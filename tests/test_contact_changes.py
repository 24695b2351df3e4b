"""An approved contact's new phone or e-mail: no new approval, the admins told old → new, and audited."""
from sqlalchemy import delete, select

from storage.models import ContactChange
from tests.conftest import ADMIN, SECOND_ADMIN
from tests.test_contact import ADVOCATE, ADVOCATE_FORM, registered
from tests.test_registration import MANAGER, SHERIFF, SHERIFF_FORM, TRUCK_STOP, stakeholder, submit, wait_until


def notes_to(running, admin: str) -> list:
    return [c for c in running.slack.calls_to("chat.postMessage", channel=admin)
            if "changed their contact details" in c.params["text"]]


def test_a_sheriffs_new_phone_and_email_reach_the_admins_and_the_audit_without_a_new_approval(running):
    registered(running, (SHERIFF, SHERIFF_FORM))
    submit(running, SHERIFF, {**SHERIFF_FORM, "phone": "402-444-7000", "email": "dana.deputy@sheriff.example"})

    wait_until(lambda: notes_to(running, ADMIN) and notes_to(running, SECOND_ADMIN))
    said = notes_to(running, ADMIN)[0].params["text"]
    assert "Dana Deputy" in said and "(402) 444-6000 → (402) 444-7000" in said
    assert "dana@sheriff.example → dana.deputy@sheriff.example" in said
    assert stakeholder(running, SHERIFF).status == "approved"
    with running.bot.services.sessions() as session:
        audit = session.scalars(select(ContactChange).order_by(ContactChange.id)).all()
    assert [(a.field, a.old_value, a.new_value, a.changed_by, a.team_id) for a in audit] == [
        ("phone", "(402) 444-6000", "(402) 444-7000", SHERIFF, "T0COALITION"),
        ("email", "dana@sheriff.example", "dana.deputy@sheriff.example", SHERIFF, "T0COALITION")]
    assert all(a.changed_at is not None for a in audit)


def test_a_victim_service_providers_new_phone_is_told_too(running):
    registered(running, (ADVOCATE, ADVOCATE_FORM))
    submit(running, ADVOCATE, {**ADVOCATE_FORM, "phone": "402-555-0199"})
    wait_until(lambda: notes_to(running, ADMIN))
    assert "(402) 555-0177 → (402) 555-0199" in notes_to(running, ADMIN)[0].params["text"]


def test_saving_the_same_details_again_or_a_truck_stops_new_phone_tells_nobody(running):
    registered(running, (SHERIFF, SHERIFF_FORM), (MANAGER, TRUCK_STOP))
    submit(running, SHERIFF, SHERIFF_FORM)
    submit(running, MANAGER, {**TRUCK_STOP, "phone": "402-555-0101"})
    wait_until(lambda: len(running.slack.calls_to("chat.postMessage", channel=MANAGER)) >= 3)
    running.bot.sender.send_due()
    assert notes_to(running, ADMIN) == []
    with running.bot.services.sessions() as session:
        assert session.scalars(select(ContactChange)).all() == []


def test_a_pending_sheriffs_change_is_not_a_contact_change(running):
    registered(running, (SHERIFF, SHERIFF_FORM), approved=False)
    submit(running, SHERIFF, {**SHERIFF_FORM, "phone": "402-444-7000"})
    running.bot.sender.send_due()
    assert notes_to(running, ADMIN) == [] and stakeholder(running, SHERIFF).status == "pending"


def test_a_change_after_the_audits_last_row_was_deleted_is_still_told(running):
    """SQLite gives a deleted last row's id to the next one: the new change's note is keyed by the
    change's own token, so it is not taken for the old one's ("already sent") and dropped."""
    registered(running, (SHERIFF, SHERIFF_FORM))
    submit(running, SHERIFF, {**SHERIFF_FORM, "phone": "402-444-7000"})
    wait_until(lambda: notes_to(running, ADMIN))
    with running.bot.services.sessions() as session:
        first = session.scalars(select(ContactChange)).one().id
        session.execute(delete(ContactChange))
        session.commit()

    submit(running, SHERIFF, {**SHERIFF_FORM, "phone": "402-444-8000"})
    wait_until(lambda: len(notes_to(running, ADMIN)) == 2)
    assert "(402) 444-7000 → (402) 444-8000" in notes_to(running, ADMIN)[1].params["text"]
    with running.bot.services.sessions() as session:
        again = session.scalars(select(ContactChange)).one()
    assert again.id == first or running.database_url.startswith("postgresql")   # SQLite reused the id
