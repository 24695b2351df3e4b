"""What registration looks like in Slack: the form, the admins' request, and the outcomes."""
from domain import places
from domain.profile import MAX_LENGTH, Profile
from domain.sectors import Sector
from handlers.blocks import (
    Message,
    actions,
    button,
    confirm_dialog,
    context,
    fields_section,
    md,
    mention,
    modal,
    option,
    section,
    select_input,
    text_input,
)

PLACE_HINT = (
    "Your site's county, city or ZIP, like Douglas County or 68102. Law enforcement and AG: "
    'the counties you cover, separated by commas, or "statewide".'
)


def registration_form(profile: Profile | None) -> dict:
    """The modal of `/tat register`, filled in with the current profile when there is one."""
    p = profile
    sectors = [option(s.label, s.value) for s in Sector]
    states = [option(s.name, s.abbr) for s in places.all_states()]
    blocks = [
        text_input("name", "Your name", initial=p and p.name, max_length=MAX_LENGTH["name"]),
        select_input("sector", "Sector", sectors, initial=p and p.sector),
        text_input("organization", "Organization", initial=p and p.organization, max_length=MAX_LENGTH["organization"],
                   placeholder="Agency, company, truck stop chain or association"),
        text_input("title", "Title", initial=p and p.title, optional=True, max_length=MAX_LENGTH["title"],
                   placeholder="Sheriff, Sergeant, General Manager…"),
        text_input("phone", "Direct phone", initial=p and p.phone, placeholder="402-555-0100"),
        text_input("email", "Email", initial=p and p.email, email=True),
        select_input("state", "State", states, initial=p and p.state),
        text_input("place", "County, or counties you cover", initial=p and place_text(p),
                   hint=PLACE_HINT),
        section("*Truck stops and bus terminals*"),
        text_input("site_name", "Site name", initial=p and p.site_name, optional=True,
                   max_length=MAX_LENGTH["site_name"],
                   placeholder="e.g. Big Rig Plaza"),
        text_input("interstate", "Interstate", initial=p and p.interstate, optional=True,
                   placeholder="I-80"),
        text_input("exit", "Exit", initial=p and p.exit, optional=True, placeholder="440"),
    ]
    title = "Edit your registration" if profile else "Register"
    return modal("register", title, "Save", blocks)


def place_text(profile: Profile) -> str:
    """The place as a person would type it back into the form."""
    if profile.statewide:
        return "statewide"
    fips = profile.jurisdiction or ((profile.county_fips,) if profile.county_fips else ())
    return ", ".join(c.name for c in map(places.county_by_fips, fips) if c)


def where(profile: Profile) -> str:
    """'Douglas County, NE', 'Statewide, Nebraska' or 'Douglas County, Sarpy County (NE)'."""
    state = places.find_state(profile.state)
    if profile.statewide:
        return f"Statewide, {state.name}"
    if profile.jurisdiction:
        return f"{place_text(profile)} ({profile.state})"
    return f"{place_text(profile)}, {profile.state}"


def profile_fields(profile: Profile) -> dict:
    pairs = [
        ("Name", profile.name), ("Sector", profile.sector.label),
        ("Organization", profile.organization), ("Title", profile.title or "—"),
        ("Phone", profile.phone), ("Email", profile.email),
        ("Jurisdiction" if profile.sector.has_jurisdiction else "County", where(profile)),
    ]
    if profile.site_name:
        road = " ".join(filter(None, [profile.interstate, profile.exit and f"exit {profile.exit}"]))
        pairs.append(("Site", f"{profile.site_name} ({road})" if road else profile.site_name))
    return fields_section(pairs)


def approval_request(stakeholder_id: int, revision: int, user_id: str, profile: Profile, is_new: bool) -> Message:
    """The DM each admin gets, with Approve / Decline."""
    verb = "New registration" if is_new else "Changed registration"
    text = md("{} to approve: {} ({}, {}), {}.", verb, profile.name, profile.sector.label,
              profile.organization, where(profile))
    value = f"{stakeholder_id}:{revision}"
    confirm = confirm_dialog("Decline registration?",
                             md("{} will be told that the registration was not approved.", profile.name),
                             "Decline")
    return Message(text, [
        section(md("*{} to approve* from {}", verb, mention(user_id))),
        profile_fields(profile),
        actions(
            button("Approve", "approve_registration", value, style="primary"),
            button("Decline", "decline_registration", value, style="danger", confirm=confirm),
        ),
    ])


def approval_settled(user_id: str, profile: Profile, approved: bool, admin: str) -> Message:
    """An admin's request once decided: the buttons give way to who decided."""
    outcome = "Approved" if approved else "Declined"
    text = md("{} by {}: {} ({}).", outcome, mention(admin), profile.name, profile.organization)
    return Message(text, [
        section(md("*Registration* from {}", mention(user_id))),
        profile_fields(profile),
        context(md("{} {} by {}", "✅" if approved else "✖️", outcome, mention(admin))),
    ])


def submitted(profile: Profile, status: str, asked_admins: bool, is_new: bool) -> Message:
    """The registrant's DM after saving the form."""
    first = profile.name.split()[0]
    if status == "approved" and is_new:
        text = md("Thanks, {}: you are registered and approved. Type `/tat help` to see what you can do.", first)
    elif status == "approved":
        text = md("Thanks, {}: your profile is updated.", first)
    elif asked_admins and not is_new:
        text = md("Thanks, {}: your changes are saved. A coalition admin will review your registration "
                  "again, and I'll message you here when they have.", first)
    else:
        text = md("Thanks, {}: your registration is in. A coalition admin will review it and I'll "
                  "message you here when it is approved.", first)
    return Message(text, [section(text), profile_fields(profile)])


def decided(profile: Profile, approved: bool) -> Message:
    """The registrant's DM once an admin has decided."""
    if approved:
        text = "Your coalition registration is approved. Welcome! Type `/tat help` to see what you can do."
    else:
        text = ("Your coalition registration was not approved. If you think this is a mistake, please "
                "contact your coalition lead, or correct your details with `/tat register`.")
    return Message(text)


def decision_refused(verdict: str, admin_of_record: str | None, status: str | None) -> Message:
    """Why pressing Approve / Decline did nothing."""
    if verdict == "not_admin":
        return Message("Only coalition admins can approve or decline registrations; nothing was changed.")
    if verdict == "gone":
        return Message("That registration no longer exists; nothing was changed.")
    if verdict == "stale":
        return Message("That registration was changed after this request was sent, so nothing was changed. "
                       "Please use the newest request.")
    return Message(md("That registration was already {} by {}; nothing was changed.", status,
                      mention(admin_of_record)))


def button_expired() -> Message:
    """Why a button whose value cannot be read did nothing."""
    return Message("That button is not valid any more; nothing was changed.")
