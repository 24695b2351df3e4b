"""How light and quick to start `python bot.py` is, beside a bare Bolt app, in the same run.

Run from the project root: `.venv/bin/python bench/startup.py [runs]` (3 runs by default).
Each run starts `python bot.py` as a subprocess in HTTP mode, with fake credentials and
SLACK_API_URL pointed at the local Slack stand-in (localslack/standin.py, which answers
auth.test), twice on one SQLite file: a first start, on a fresh file (every migration), then a
usual start, on the same file (already at the newest migration). It measures the time from
spawning the process to its first 200 on GET /healthz, then its resident memory once idle
(VmRSS from /proc/PID/status). The bare app is a Bolt App (token_verification_enabled=False)
served over waitress with a /healthz of its own: the floor any Bolt bot stands on. Figures are
medians; read the ratios to the bare app, not the absolute numbers. The processes inherit the
environment: with PYTHONDONTWRITEBYTECODE=1 (said in the output) and no __pycache__ in the
checkout, Python compiles the bot's own modules at every start; the bare app's modules are all in
site-packages, compiled when they were installed. The first run of `bot.py` on a fresh clone builds
the place index cache (see README.md): run the bench twice, or look at the later runs.
"""
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localslack.standin import SlackStandIn  # noqa: E402

IDLE_SECONDS = 2.0  # how long the process sits after its first 200 before its memory is read
TIMEOUT = 60.0

BARE_APP = '''
import os
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import serve

app = App(token="xoxb-fake", signing_secret="fake", token_verification_enabled=False)
slack = SlackRequestHandler(app)

def application(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok\\n"]
    return slack(environ, start_response)

serve(application, host="127.0.0.1", port=int(os.environ["PORT"]), threads=8)
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    """The process's resident set size, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def measure(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Seconds from spawn to the first 200 on /healthz, and idle RSS in MB, of one process."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(command, env={**env, "PORT": str(port)}, cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not healthy(port):
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited with {process.returncode}:\n"
                                   f"{process.stderr.read().decode()}")
            if time.perf_counter() - started > TIMEOUT:
                raise RuntimeError(f"{command} did not answer /healthz in {TIMEOUT} s")
            time.sleep(0.005)
        ready = time.perf_counter() - started
        time.sleep(IDLE_SECONDS)
        return ready, rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    slack = SlackStandIn().start()
    work = tempfile.mkdtemp(prefix="tat-startup-")  # cwd with no .env; the SQLite files go here
    bare_script = Path(work, "bare_bolt.py")
    bare_script.write_text(BARE_APP)
    base_env = {key: value for key, value in os.environ.items()
                if not key.startswith(("SLACK_", "DATABASE_URL", "TAT_", "PORT"))}
    bot_env = {**base_env, "SLACK_BOT_TOKEN": "xoxb-fake", "SLACK_SIGNING_SECRET": "fake-secret",
               "SLACK_API_URL": slack.api_url, "TAT_ADMINS": "U0ADMIN"}
    bot = [sys.executable, str(ROOT / "bot.py")]
    results: dict[str, list[tuple[float, float]]] = {"bot.py first": [], "bot.py usual": [], "bare Bolt": []}
    try:
        for run in range(runs):
            env = {**bot_env, "DATABASE_URL": f"sqlite:///{work}/bench-{run}.db"}
            results["bot.py first"].append(measure(bot, env, work))  # a fresh file: every migration
            results["bot.py usual"].append(measure(bot, env, work))  # the same file, now at the newest
            results["bare Bolt"].append(measure([sys.executable, str(bare_script)], base_env, work))
    finally:
        slack.stop()
    report(results, runs)


def report(results: dict[str, list[tuple[float, float]]], runs: int) -> None:
    medians = {name: (statistics.median(s for s, _ in figures), statistics.median(mb for _, mb in figures))
               for name, figures in results.items()}
    bare_ready, bare_rss = medians["bare Bolt"]
    print(f"{'process':<13}{'to /healthz (s)':>16}{'idle RSS (MB)':>15}{'ratio to bare':>15}"
          "   runs: start s / RSS MB")
    for name, figures in results.items():
        ready, rss = medians[name]
        ratio = f"{ready / bare_ready:.1f}x / {rss / bare_rss:.1f}x"
        each = ", ".join(f"{seconds:.2f}/{mb:.0f}" for seconds, mb in figures)
        print(f"{name:<13}{ready:>16.2f}{rss:>15.0f}{ratio:>15}   {each}")
    written = not os.environ.get("PYTHONDONTWRITEBYTECODE")
    bytecode = "written and reused" if written else "not written (PYTHONDONTWRITEBYTECODE)"
    print(f"\nmedians of {runs} runs, {IDLE_SECONDS:.0f} s idle before RSS, Python {sys.version.split()[0]}, "
          f"bytecode {bytecode}")


if __name__ == "__main__":
    main()
