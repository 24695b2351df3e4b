"""How long `python bot.py import` takes for a registration list of 50,000 rows, on a fresh SQLite
database, with people matched through the Slack stand-in. Run from the project root:
`.venv/bin/python bench/import.py [ROWS]`."""
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


def row(i: int) -> str:
    if i % 10 == 0:
        return (f"Officer {i},o{i}@patrol.example,law_enforcement,Patrol Troop {i % 7},,402-471-{i % 10000:04d},NE,"
                "statewide,,,")
    return (f"Manager {i},m{i}@stops.example,truck_stop,Stop {i},Manager,402-555-{i % 10000:04d},NE,{SITES[i % 6]},"
            f"Stop {i},80,{400 + i % 90}")


with tempfile.TemporaryDirectory() as folder:
    listed = Path(folder) / "meeting.csv"
    listed.write_text(HEADER + "\n".join(row(i) for i in range(ROWS)) + "\n")
    slack = SlackStandIn().start()
    for i in range(ROWS):
        email = f"o{i}@patrol.example" if i % 10 == 0 else f"m{i}@stops.example"
        slack.users[f"U{i:09d}"] = {"id": f"U{i:09d}", "profile": {"email": email}}
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": slack.api_url,
           "DATABASE_URL": f"sqlite:///{folder}/bench.db", "TAT_ADMINS": ""}
    for attempt in ("first import", "same file again"):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "bot.py", "import", str(listed), "--approved"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        took = time.perf_counter() - start
        said = done.stdout.strip().splitlines()[0] if done.stdout.strip() else done.stderr[-500:]
        print(f"{attempt}: {ROWS:,} rows in {took:.1f} s ({ROWS / took:,.0f} rows/s): {said}")
    slack.stop()
