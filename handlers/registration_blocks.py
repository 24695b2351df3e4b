"""What registration looks like in Slack: the form, the admins' request, and the outcomes."""
from collections.abc import Mapping

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
    more_button,
    option,
    section,
    select_input,
    text_input,
)

SECTOR_CHOSEN = "registration_sector_chosen"   # the form's selects that refit its hints when chosen
STATE_CHOSEN = "registration_state_chosen"

SITE_HINT = "Required for truck stops and bus terminals: the name on the sign, like Big Rig Plaza."
EDITING = "edit"


def registration_form(profile: Profile | None) -> dict:
    """The modal of `/tat register`, filled in with the current profile when there is one."""
    return form_view(profile_answers(profile) if profile else {}, editing=profile is not None)


def form_view(answers: Mapping[str, str | None], editing: bool) -> dict:
    """The registration modal filled in with `answers`, its hints fitted to the sector and state chosen."""
    a = answers.get
    sector = next((s for s in Sector if s.value == a("sector")), None)
    state = places.find_state(a("state")) if a("state") else None
    sectors = [option(s.label, s.value) for s in Sector]
    states = [option(s.name, s.abbr) for s in places.all_states()]
    site_optional = not (sector and sector.has_site)
    blocks = [
        text_input("name", "Your name", initial=a("name"), max_length=MAX_LENGTH["name"]),
        select_input("sector", "Sector", sectors, initial=a("sector"), action_id=SECTOR_CHOSEN, dispatch=True),
        text_input("organization", "Organization", initial=a("organization"), max_length=MAX_LENGTH["organization"],
                   placeholder="Agency, company, truck stop chain or association"),
        text_input("title", "Title", initial=a("title"), optional=True, max_length=MAX_LENGTH["title"],
                   placeholder="Sheriff, Sergeant, General Manager…"),
        text_input("phone", "Direct phone", initial=a("phone"), placeholder="402-555-0100",
                   max_length=MAX_LENGTH["phone"]),
        text_input("email", "Email", initial=a("email"), email=True),
        select_input("state", "State", states, initial=state and state.abbr, action_id=STATE_CHOSEN, dispatch=True),
        text_input("place", place_label(sector), initial=a("place"), hint=place_hint(sector, state),
                   max_length=MAX_LENGTH["place"]),
        section("*Truck stops and bus terminals*"),
        text_input("site_name", "Site name", initial=a("site_name"), optional=site_optional,
                   max_length=MAX_LENGTH["site_name"], placeholder="e.g. Big Rig Plaza", hint=SITE_HINT),
        text_input("interstate", "Interstate", initial=a("interstate"), optional=True, placeholder="I-80",
                   max_length=MAX_LENGTH["interstate"]),
        text_input("exit", "Exit", initial=a("exit"), optional=True, placeholder="440",
                   max_length=MAX_LENGTH["exit"]),
    ]
    title = "Edit your registration" if editing else "Register"
    return modal("register", title, "Save", blocks, metadata=EDITING if editing else "")


def is_editing(view: dict) -> bool:
    """Whether an open registration form edits a profile (rather than making one)."""
    return view.get("private_metadata") == EDITING


def profile_answers(p: Profile) -> dict[str, str | None]:
    """A profile as the form's answers, as a person would type them."""
    return {"name": p.name, "sector": p.sector.value, "organization": p.organization, "title": p.title,
            "phone": p.phone, "email": p.email, "state": p.state, "place": place_text(p),
            "site_name": p.site_name, "interstate": p.interstate, "exit": p.exit}


def place_label(sector: Sector | None) -> str:
    if sector is None:
        return "County, or counties you cover"
    return "Counties you cover" if sector.has_jurisdiction else "County"


def place_hint(sector: Sector | None, state: places.State | None) -> str:
    """How to write the place: statewide only for those who may cover a state, a county of the state chosen."""
    counties = [c.name for c in places.counties_of(state.abbr)[:2]] if state else []
    if sector and sector.has_jurisdiction:
        like = f", like {', '.join(counties)}" if counties else ""
        return f'The counties you cover, separated by commas{like}; or "statewide" for the whole state.'
    like = f", like {counties[0]}" if counties else ""
    whose = "your site's" if sector and sector.has_site else "your"
    return f"The county of {whose} address{like}; a city or ZIP code works too."


COUNTIES_SHOWN = 12   # a jurisdiction of all 254 Texas counties is named by its first few


def place_text(profile: Profile) -> str:
    """The place as a person would type it back into the form."""
    return "statewide" if profile.statewide else ", ".join(_county_names(profile))


def _county_names(profile: Profile) -> list[str]:
    fips = profile.jurisdiction or ((profile.county_fips,) if profile.county_fips else ())
    return [c.name for c in map(places.county_by_fips, fips) if c]


def where(profile: Profile) -> str:
    """'Douglas County, NE', 'Statewide, Nebraska' or 'Douglas County, Sarpy County (NE)'; a long
    jurisdiction by its first counties and how many more."""
    state = places.find_state(profile.state)
    if profile.statewide:
        return f"Statewide, {state.name}"
    names = _county_names(profile)
    listed = ", ".join(names[:COUNTIES_SHOWN]) + (f" and {len(names) - COUNTIES_SHOWN} more"
                                                   if len(names) > COUNTIES_SHOWN else "")
    return f"{listed} ({profile.state})" if profile.jurisdiction else f"{listed}, {profile.state}"


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
    return Message(text, [
        section(md("*{} to approve* from {}", verb, mention(user_id))),
        profile_fields(profile),
        decision_buttons(stakeholder_id, revision, profile),
    ])


def decision_buttons(stakeholder_id: int, revision: int, profile: Profile) -> dict:
    """Approve / Decline for one revision of a registration; Decline asks first."""
    value = f"{stakeholder_id}:{revision}"
    confirm = confirm_dialog("Decline registration?",
                             md("{} will be told that the registration was not approved.", profile.name),
                             "Decline")
    return actions(
        button("Approve", "approve_registration", value, style="primary"),
        button("Decline", "decline_registration", value, style="danger", confirm=confirm),
    )


PENDING_SHOWN = 15   # three blocks each: within Slack's 50 blocks a message


def pending_list(waiting: list[tuple[int, int, str, Profile]], total: int, page: int = 1) -> Message:
    """`/tat pending`: one page of the waiting registrations, oldest first, each with its buttons, and
    a More button while there are more."""
    if not total:
        return Message("No registrations are waiting for approval.")
    pages = -(-total // PENDING_SHOWN)
    text = f"{total} registration(s) waiting for approval, oldest first" + (
        f" (page {page} of {pages})." if pages > 1 else ".")
    blocks = [section(md("*{}*", text))]
    for stakeholder_id, revision, user_id, profile in waiting[:PENDING_SHOWN]:
        blocks += [section(md("From {}", mention(user_id))), profile_fields(profile),
                   decision_buttons(stakeholder_id, revision, profile)]
    if page < pages:
        blocks.append(more_button(total - page * PENDING_SHOWN, f"pending page {page + 1}"))
    return Message(text, blocks)


def pending_refused() -> Message:
    """`/tat pending` asked by someone who decides on nobody's registration."""
    return Message("`/tat pending` is for coalition admins and the approved leads of a state's coalition, so "
                   "nothing was shown. `/tat help` lists what you can do.")


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
    if verdict == "own":
        return Message("Nobody decides on their own registration: another coalition admin or lead will. "
                       "Nothing was changed.")
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
