"""A state coalition's resources (phase 1, goal 6): its links and the pathways its build meeting agreed
for getting TAT training and materials into the state. No Slack here.

Until a state's leads edit its list, it is TAT's own training for each audience and its materials
(DEFAULTS, from DOMAIN.md; the links are TAT's public pages). The first edit copies them in, so
that leads can change or remove them like any item. Anyone registered sees the list; the state's
coalition leads and the admins edit it.
"""
import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from domain.profile import Invalid, text_problem
from storage import coalitions
from storage import resources as store

KINDS = {
    "training": "Training for each audience",
    "materials": "Materials",
    "pathway": "Pathways the coalition agreed",
    "link": "Links",
}
MAX_ITEMS = 30          # a state's list, shown in one message (a block each, within Slack's 50)
LIMITS = {"title": 150, "url": 500, "note": 500}
URL = re.compile(r"^https?://[^\s<>|\"]+$", re.IGNORECASE)
TAT = "https://truckersagainsttrafficking.org"
ASK_TAT = "TAT's materials are free: ask info@truckersagainsttrafficking.org."


@dataclass(frozen=True)
class Item:
    kind: str
    title: str
    url: str | None = None
    note: str | None = None
    id: int | None = None          # None for a default not copied in yet
    key: str | None = None         # which of TAT's defaults it is (or was)

    @property
    def ref(self) -> int | str:
        """How a button names it: its id, or a default's key until the defaults are copied in."""
        return self.id if self.id is not None else self.key

    def values(self) -> dict:
        return {"kind": self.kind, "title": self.title, "url": self.url, "note": self.note}


DEFAULTS = {
    "tat_drivers": Item("training", "Drivers, truck stop and trucking staff: TAT's Industry Training Program",
                        f"{TAT}/industry-training-program/",
                        "A free video of about 26 minutes and a short quiz: passing makes a driver TAT Trained, "
                        "and a company can register as TAT-trained."),
    "botl": Item("training", "Bus, transit and school bus staff: BOTL (Busing on the Lookout)", f"{TAT}/bus-training/",
                 "For drivers, terminal workers, dispatch, ticket counters and security. Its four best practices: "
                 "train all employees; an internal reporting policy; connect with the anti-trafficking task "
                 "force; a victim-centred awareness campaign."),
    "law_enforcement": Item("training", "Law enforcement: TAT's law enforcement training",
                            f"{TAT}/state-based-initiatives/",
                            "1-hour and 3–4-hour versions, co-taught by a survivor-leader: a victim-centred "
                            "approach, red flags, and trucking as an ally."),
    "tat_materials": Item("materials", "Truck stops, terminals and officers: wallet cards, window decals, posters",
                          f"{TAT}/industry-training-program/",
                          "Cab window decals, posters for driver lounges and victim-centred posters for restrooms, "
                          "brochures, response cards. " + ASK_TAT),
    "botl_materials": Item("materials", "Buses: BOTL wallet card, dash sticker, driver and dispatch posters",
                           f"{TAT}/transit-motorcoach/",
                           "And a human trafficking response-protocol template for bus companies. " + ASK_TAT),
    "mve_materials": Item("pathway", "Materials where drivers stop: the Iowa MVE model",
                          note="Weigh stations, rest areas, bus terminals, CDL issuing and renewal centres, safety "
                               "meetings and ports of entry. Sites that hand materials out say so with "
                               "`/tat distribute`."),
}


def listing(session: Session, team: str, state: str) -> tuple[list[Item], bool]:
    """The state's items in the order shown, and whether they are still TAT's defaults."""
    if not store.is_kept(session, team, state):
        return [replace(item, key=key) for key, item in DEFAULTS.items()], True
    return [_item(r) for r in store.items(session, team, state)], False


def may_edit(session: Session, team: str, state: str, user: str, is_admin: bool) -> bool:
    """The admins and the state's coalition leads keep its list."""
    return is_admin or user in coalitions.leads_of(session, team, state)


def keep(session: Session, team: str, state: str, by: str, at: datetime) -> None:
    """Make the state's list its own to edit: TAT's defaults copied in, once."""
    if not store.is_kept(session, team, state):
        store.copy_defaults(session, team, state, [{**item.values(), "default_key": key}
                                                  for key, item in DEFAULTS.items()], by, at)


def parse_item(values) -> Item:
    """The form's answers, checked: raises Invalid naming each field that is wrong."""
    errors: dict[str, str] = {}
    typed = {f: " ".join((values.get(f) or "").split()) or None for f in ("title", "url", "note")}
    for field, value in typed.items():
        if value and (problem := text_problem(values.get(field) or "")):
            errors[field] = problem
        elif value and len(value) > LIMITS[field]:
            errors[field] = f"Please keep this to {LIMITS[field]} characters or fewer."
    if not typed["title"] and "title" not in errors:
        errors["title"] = "Please say what it is, like “Drivers: TAT's Industry Training Program”."
    if typed["url"] and "url" not in errors and not URL.match(typed["url"]):
        errors["url"] = "Please give a web address starting with https://, like https://truckersagainsttrafficking.org/."
    kind = values.get("kind")
    if kind not in KINDS:
        errors["kind"] = "Please choose what kind of item it is."
    if errors:
        raise Invalid(errors)
    return Item(kind, typed["title"], typed["url"], typed["note"])


def save(session: Session, team: str, state: str, item: Item, by: str, at: datetime,
         ref: int | str | None = None) -> bool:
    """Add an item, or change one (by id, or a default's key); False when the list is full, or the
    item was removed meanwhile."""
    keep(session, team, state, by, at)
    if ref is not None:
        found = _stored(session, team, state, ref)
        return found is not None and store.change(session, team, state, found.id, item.values(), by, at)
    if store.count(session, team, state) >= MAX_ITEMS:
        return False
    store.add(session, team, state, item.values(), by, at)
    return True


def remove(session: Session, team: str, state: str, ref: int | str, by: str, at: datetime) -> bool:
    """Remove one of the state's items, once; False when it was removed already."""
    keep(session, team, state, by, at)
    found = _stored(session, team, state, ref)
    return found is not None and store.remove(session, team, state, found.id, by, at)


def find(session: Session, team: str, state: str, ref: int | str) -> Item | None:
    """One of the state's items, as the form shows it; None once removed."""
    if isinstance(ref, str) and not store.is_kept(session, team, state):
        return replace(DEFAULTS[ref], key=ref) if ref in DEFAULTS else None
    found = _stored(session, team, state, ref)
    return _item(found) if found else None


def parse_ref(text: str) -> int | str | None:
    """A button's or form's reference to an item: an id, or a default's key."""
    if text.isdigit() and len(text) < 12:
        return int(text)
    return text if text in DEFAULTS else None


def _stored(session: Session, team: str, state: str, ref: int | str):
    if isinstance(ref, str):
        return store.by_default(session, team, state, ref)
    return store.get(session, team, state, ref)


def _item(row) -> Item:
    return Item(row.kind, row.title, row.url, row.note, row.id, row.default_key)
