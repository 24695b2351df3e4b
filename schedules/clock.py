"""The clock: asks the dispatcher every minute whether anything is due. It decides nothing."""
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler


def start_clock(tick: Callable[[], object], seconds: int = 60) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", seconds=seconds, max_instances=1, coalesce=True, id="dispatch")
    scheduler.start()
    return scheduler
