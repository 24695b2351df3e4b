"""How long `python bot.py import` takes, and its peak memory, for registration lists of 10,000 and
50,000 rows on a fresh SQLite database, with people matched through the Slack stand-in: the peak
should stay flat as the rows grow (rows are read and checked a chunk at a time). Run from the
project root: `.venv/bin/python bench/import.py [ROWS]`."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localslack.standin import SlackStandIn  # noqa: E402  (needs the project root on sys.path)

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
SITES = ["68102", "Lancaster County", '"Douglas, NE"', "Omaha", "Sarpy County", "Lincoln County"]
HEADER = "name,email,sector,organization,title,phone,state,counties,site,interstate,exit\n"
# Runs bot.py and prints the peak resident memory (MB) of it and of its checking workers.
MEASURED = """import resource, runpy, sys
sys.argv = ["bot.py", *sys.argv[1:]]
try:
    runpy.run_path("bot.py", run_name="__main__")
finally:
    own, workers = (resource.getrusage(w).ru_maxrss / 1024 for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"peak {own:.0f} {workers:.0f}", file=sys.stderr)
"""


def row(i: int) -> str:
    if i % 10 == 0:
        return (f"Officer {i},o{i}@patrol.example,law_enforcement,Patrol Troop {i % 7},,402-471-{i % 10000:04d},NE,"
                "statewide,,,")
    return (f"Manager {i},m{i}@stops.example,truck_stop,Stop {i},Manager,402-555-{i % 10000:04d},NE,{SITES[i % 6]},"
            f"Stop {i},80,{400 + i % 90}")


def imported(folder: str, rows: int, slack: SlackStandIn) -> None:
    listed = Path(folder) / f"meeting-{rows}.csv"
    listed.write_text(HEADER + "\n".join(row(i) for i in range(rows)) + "\n")
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": slack.api_url,
           "DATABASE_URL": f"sqlite:///{folder}/bench-{rows}.db", "TAT_ADMINS": ""}
    for attempt in ("first import", "same file again"):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", MEASURED, "import", str(listed), "--approved"], cwd=ROOT,
                              env=env, capture_output=True, text=True)
        took = time.perf_counter() - start
        said = done.stdout.strip().splitlines()[0] if done.stdout.strip() else done.stderr[-500:]
        own, workers = next(line.split()[1:] for line in done.stderr.splitlines() if line.startswith("peak "))
        print(f"{attempt}: {rows:,} rows ({listed.stat().st_size / 1e6:.1f} MB) in {took:.1f} s "
              f"({rows / took:,.0f} rows/s), peak memory {own} MB (checking workers {workers} MB): {said}")


with tempfile.TemporaryDirectory() as folder:
    slack = SlackStandIn().start()
    for i in range(ROWS):
        email = f"o{i}@patrol.example" if i % 10 == 0 else f"m{i}@stops.example"
        slack.users[f"U{i:09d}"] = {"id": f"U{i:09d}", "profile": {"email": email}}
    for rows in (ROWS // 5, ROWS):
        imported(folder, rows, slack)
    slack.stop()
