"""Introducing truck stops and bus terminals to their local law enforcement: each pair once.

A site is introduced to the officers whose jurisdiction covers its county, or, when none does,
to its state's statewide contacts. The pairs are recorded and the group message queued in the
same transaction, so a crash or a retry never introduces a pair twice.
"""
from collections import defaultdict

from sqlalchemy.orm import Session

from domain import notices
from domain.notices import Introduction
from domain.sectors import Sector
from storage import directory, introductions, stakeholders
from storage.models import Stakeholder

PER_GROUP = 7   # officers in one group DM: with the manager, the 8 people a group DM may hold


def officers_for(session: Session, site: Stakeholder) -> list[Stakeholder]:
    """The site's local law enforcement (of its own workspace): its county's, else its state's statewide contacts."""
    local = directory.covering(session, site.team_id, site.county_fips) if site.county_fips else []
    return local or directory.statewide(session, site.team_id, site.state)


def on_approved(session: Session, team_id: str, who: Stakeholder) -> int:
    """A newly approved site meets its officers; a newly approved officer meets the sites of their
    jurisdiction. How many pairs were introduced."""
    sector = Sector(who.sector)
    if not (sector.has_site or sector.has_jurisdiction):
        return 0
    introductions.take_turn(session, team_id, who.state)
    if sector.has_site:
        return _introduce(session, team_id, who, officers_for(session, who))
    if who.statewide:   # a statewide contact meets the sites no county officer covers
        covered = directory.counties_with_officers(session, team_id, who.state)
        sites = [s for s in directory.sites_in(session, team_id, who.state, None) if s.county_fips not in covered]
    else:
        sites = directory.sites_in(session, team_id, who.state, who.jurisdiction)
    return sum(_introduce(session, team_id, site, [who]) for site in sites)


def reintroduce(session: Session, team_id: str, who: Stakeholder, day: str) -> tuple[int, int]:
    """`/tat introduce`: re-send the caller's introductions, once a `day` per pair (the day is in the
    key, so a second request that day, or a replay, owes nothing), and make any still owed. How many
    pairs were introduced or re-sent now, and how many had been re-sent already that day."""
    earlier = defaultdict(list)
    for site_id, officer_id in introductions.pairs_of(session, team_id, who.id):
        earlier[site_id].append(officer_id)
    made, again = on_approved(session, team_id, who), 0
    for site_id, officer_ids in earlier.items():
        site = stakeholders.by_id(session, team_id, site_id)
        if site is not None:
            again += _queue(session, team_id, site, officer_ids, resend=day)
    return made + again, sum(map(len, earlier.values())) - again


def _introduce(session: Session, team_id: str, site: Stakeholder, officers: list[Stakeholder]) -> int:
    new = introductions.record(session, team_id, site.id, [o.id for o in officers if o.id != site.id])
    _queue(session, team_id, site, new)
    return len(new)


def _queue(session: Session, team_id: str, site: Stakeholder, officer_ids: list[int], resend: str = "") -> int:
    """One group DM per up to PER_GROUP officers; how many officers' introductions were newly owed."""
    queued = 0
    for start in range(0, len(officer_ids), PER_GROUP):
        group = tuple(officer_ids[start:start + PER_GROUP])
        users = [site.slack_user_id] + [stakeholders.by_id(session, team_id, o).slack_user_id for o in group]
        queued += len(group) * notices.queue(session, team_id,
                                             Introduction(team_id, site.id, group, tuple(users), resend))
    return queued
