"""The phase-2 checklist of each follow-up, and which of its items the coalition's figures show done.

An item is ticked only when what the bot records shows it (an introduction made, people trained, a
distribution point, a milestone); the others stay open for the coalition to judge. No Slack here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.followups import nearest_stage

if TYPE_CHECKING:
    from domain.progress import Figures


@dataclass(frozen=True)
class Item:
    text: str
    done: Callable[[Figures], bool] | None = None   # None: nothing the bot records can show it


def _reached(*kinds: str) -> Callable[[Figures], bool]:
    """Done once any of these milestones is recorded."""
    return lambda found: any(kind in kinds for kind, _, _ in found.milestones)


def _registered(found: Figures) -> bool:
    return sum(found.by_sector.values()) > 0 and found.waiting == 0


def _introduced(found: Figures) -> bool:
    return bool(found.introductions)


def _industry_trained(found: Figures) -> bool:
    return found.by_program.get("TAT", 0) + found.by_program.get("BOTL", 0) > 0


def _distributing(found: Figures) -> bool:
    return found.distribution_points > 0


CHECKLIST = {
    1: [Item("Every stakeholder registered (`/tat register`) and approved", _registered),
        Item("Truck stops and terminals have met their local law enforcement contact", _introduced),
        Item("Drivers and staff started TAT training, or BOTL for bus staff", _industry_trained),
        Item("TAT/BOTL materials at truck stops, terminals, weigh stations and rest areas", _distributing)],
    3: [Item("Trainings logged: drivers, bus staff, law enforcement",
             lambda found: _industry_trained(found) and found.by_program.get("LE", 0) > 0),
        Item("Materials at CDL issuing and renewal centres, safety meetings and ports of entry",
             _reached("mve_materials")),
        Item("Law enforcement connected with the National Human Trafficking Hotline's network",
             _reached("mve_hotline_network")),
        Item("Progress toward the Iowa MVE model: an executive order, agency training",
             _reached("mve_executive_order", "mve_enforcement_training"))],
    6: [Item("The coalition's results reviewed with the AG office and the State Trucking Association"),
        Item("Anti-trafficking training in the state's CDL curriculum under discussion",
             _reached("mve_cdl_curriculum", "cdl_mandate")),
        Item("Materials funding (asset forfeiture, say) found for the next year", _reached("mve_asset_forfeiture")),
        Item("A date set for the next coalition meeting")],
}
LATER = [Item("Trainings and materials kept up", lambda found: found.trained > 0 and _distributing(found)),
         Item("New stakeholders registered and introduced", lambda found: _registered(found) and _introduced(found)),
         Item("A date set for the next coalition meeting")]


def checklist(months: int) -> list[Item]:
    """The phase-2 checklist for the follow-up N months after the meeting."""
    return LATER if months > 6 else CHECKLIST[nearest_stage(months)]


def ticked(months: int, found: Figures) -> list[tuple[str, bool]]:
    """Each item of the stage's checklist, and whether the figures show it done."""
    return [(item.text, bool(item.done and item.done(found))) for item in checklist(months)]
