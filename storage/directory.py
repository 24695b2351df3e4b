"""Who covers a place: the queries behind /tat contact and introductions. Session first, never commit."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Coverage, Stakeholder

OFFICERS = ("law_enforcement", "attorney_general")
SITES = ("truck_stop", "bus_terminal")
VICTIM_SERVICES = "victim_services"


def covering(session: Session, county_fips: str) -> list[Stakeholder]:
    """Approved law enforcement whose jurisdiction names this county, by name."""
    return list(session.scalars(
        select(Stakeholder).join(Coverage, Coverage.stakeholder_id == Stakeholder.id)
        .where(Coverage.county_fips == county_fips, Stakeholder.status == "approved",
               Stakeholder.sector.in_(OFFICERS))
        .order_by(Stakeholder.name, Stakeholder.id)))


def statewide(session: Session, state: str) -> list[Stakeholder]:
    """Approved law enforcement and AG contacts of the whole state, by name."""
    return list(session.scalars(
        select(Stakeholder)
        .where(Stakeholder.state == state, Stakeholder.sector.in_(OFFICERS), Stakeholder.status == "approved",
               Stakeholder.statewide.is_(True))
        .order_by(Stakeholder.name, Stakeholder.id)))


def victim_services(session: Session, state: str, county_fips: str | None) -> list[Stakeholder]:
    """Approved victim service providers of the state: those of the county first."""
    found = session.scalars(
        select(Stakeholder)
        .where(Stakeholder.state == state, Stakeholder.sector == VICTIM_SERVICES, Stakeholder.status == "approved")
        .order_by(Stakeholder.name, Stakeholder.id))
    return sorted(found, key=lambda s: s.county_fips != county_fips) if county_fips else list(found)


def sites_in(session: Session, state: str, counties: tuple[str, ...] | None) -> list[Stakeholder]:
    """Approved truck stops and terminals of the state, in these counties (None: anywhere in it)."""
    query = select(Stakeholder).where(Stakeholder.state == state, Stakeholder.sector.in_(SITES),
                                      Stakeholder.status == "approved").order_by(Stakeholder.id)
    if counties is not None:
        query = query.where(Stakeholder.county_fips.in_(counties))
    return list(session.scalars(query))


def site_named(session: Session, name: str) -> Stakeholder | None:
    """The approved truck stop or terminal of that name (any case), if exactly one has it."""
    found = list(session.scalars(
        select(Stakeholder).where(func.lower(Stakeholder.site_name) == " ".join(name.split()).lower(),
                                  Stakeholder.sector.in_(SITES), Stakeholder.status == "approved").limit(2)))
    return found[0] if len(found) == 1 else None
