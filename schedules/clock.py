"""The clock: asks the dispatcher every minute whether anything is due. It decides nothing."""
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler


def start_clock(tick: Callable[[], object], seconds: int = 60) -> BackgroundScheduler:
    """Tick now (whatever fell due while the bot was down) and then every `seconds`."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(tick, "interval", seconds=seconds, max_instances=1, coalesce=True, id="dispatch",
                      next_run_time=datetime.now(UTC))
    scheduler.start()
    return scheduler
