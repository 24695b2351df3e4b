"""The coalition's sectors, and the plain words shown for them."""
from enum import StrEnum


class Sector(StrEnum):
    LAW_ENFORCEMENT = "law_enforcement"
    ATTORNEY_GENERAL = "attorney_general"
    TRUCKING_COMPANY = "trucking_company"
    BUS_COMPANY = "bus_company"
    PUPIL_TRANSPORTATION = "pupil_transportation"
    TRUCK_STOP = "truck_stop"
    BUS_TERMINAL = "bus_terminal"
    ASSOCIATION = "association"
    VICTIM_SERVICES = "victim_services"
    TAT = "tat"
    OTHER = "other"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def has_jurisdiction(self) -> bool:
        """Law enforcement and the AG cover counties or a whole state; others have a location."""
        return self in (Sector.LAW_ENFORCEMENT, Sector.ATTORNEY_GENERAL)

    @property
    def has_site(self) -> bool:
        """Truck stops and bus terminals are sites that managers introduce to local officers."""
        return self in (Sector.TRUCK_STOP, Sector.BUS_TERMINAL)


LABELS = {
    Sector.LAW_ENFORCEMENT: "Law enforcement",
    Sector.ATTORNEY_GENERAL: "Attorney General / statewide task force",
    Sector.TRUCKING_COMPANY: "Trucking company",
    Sector.BUS_COMPANY: "Bus company (motorcoach, transit)",
    Sector.PUPIL_TRANSPORTATION: "Pupil transportation (school bus)",
    Sector.TRUCK_STOP: "Truck stop / travel plaza",
    Sector.BUS_TERMINAL: "Bus terminal",
    Sector.ASSOCIATION: "Trucking, bus or pupil-transportation association",
    Sector.VICTIM_SERVICES: "Victim service provider",
    Sector.TAT: "TAT",
    Sector.OTHER: "Other",
}
