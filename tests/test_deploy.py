"""deploy/ as written, tried here: the systemd unit's command line run with its environment file
against the Slack stand-in; the Dockerfile's install steps in a fresh virtualenv (slow); the compose
file's services, volume and health check, whose command is run against a live bot. Docker itself
has no engine on this machine: docs/deploying.md says which steps could not be tried."""
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.test_running import bot_env, free_port, wait_for_health

UNIT_ROOT = "/opt/tat-bot"


def unit(project_root) -> dict[str, dict[str, str]]:
    """deploy/tat-bot.service read as systemd reads it: sections of key=value, # comments."""
    sections, current = {}, None
    for line in (project_root / "deploy" / "tat-bot.service").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return sections


def environment_file(text: str) -> dict[str, str]:
    """An EnvironmentFile as systemd reads it: KEY=VALUE lines; comments and blank lines skipped."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip().strip('"') for key, value in pairs}


def filled_in(example: str, values: dict[str, str]) -> str:
    """.env.example with these settings filled in, as the admin would edit it."""
    lines = [f"{line.split('=')[0]}={values.pop(line.split('=')[0])}" if line.split("=")[0] in values else line
             for line in example.splitlines()]
    return "\n".join(lines + [f"{k}={v}" for k, v in values.items()]) + "\n"


def test_the_unit_runs_the_bot_as_its_own_user_restarting_on_failure(project_root):
    service = unit(project_root)["Service"]
    assert service["User"] not in ("", "root") and service["Restart"] == "on-failure"
    assert service["WorkingDirectory"] == UNIT_ROOT and service["EnvironmentFile"].startswith("/etc/")
    assert service["KillSignal"] == "SIGTERM" and "multi-user.target" in unit(project_root)["Install"]["WantedBy"]


def test_the_units_command_line_serves_with_its_environment_file(project_root, tmp_path, slack, empty_database):
    service, port = unit(project_root)["Service"], free_port()
    settings = filled_in((project_root / ".env.example").read_text(),
                         {**bot_env(slack, empty_database), "HOST": "127.0.0.1", "PORT": str(port)})
    (tmp_path / "env").write_text(settings)
    env = {"PATH": "/usr/bin:/bin", **environment_file((tmp_path / "env").read_text())}
    command = [part.replace(UNIT_ROOT, str(project_root)) for part in shlex.split(service["ExecStart"])]
    process = subprocess.Popen(command, cwd=service["WorkingDirectory"].replace(UNIT_ROOT, str(project_root)),
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process) == 200
        process.send_signal(getattr(signal, service["KillSignal"]))
        output, _ = process.communicate(timeout=int(service["TimeoutStopSec"]))
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in output   # a clean stop: not restarted


def compose(project_root) -> dict:
    return yaml.safe_load((project_root / "deploy" / "compose.yaml").read_text())


def test_compose_runs_the_bot_beside_postgresql_with_a_volume_and_a_health_check(project_root):
    services = compose(project_root)["services"]
    bot, db = services["bot"], services["db"]
    assert db["image"].startswith("postgres:") and "db-data" in compose(project_root)["volumes"]
    assert any(v.startswith("db-data:") for v in db["volumes"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:" in url
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile"


def test_the_health_checks_command_passes_against_a_live_bot_and_fails_without_one(project_root, tmp_path, slack,
                                                                                  empty_database):
    from tests.test_running import bot_process, stop

    port = free_port()
    check = [sys.executable if part == ".venv/bin/python" else part.replace("3000", str(port))
             for part in compose(project_root)["services"]["bot"]["healthcheck"]["test"]]
    assert subprocess.run(check, capture_output=True, timeout=30).returncode != 0   # nothing listening
    process = bot_process(project_root, tmp_path, bot_env(slack, empty_database, PORT=str(port)))
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        assert subprocess.run(check, capture_output=True, timeout=30).returncode == 0
    finally:
        stop(process)
    dockerfile = (project_root / "deploy" / "Dockerfile").read_text()
    assert compose(project_root)["services"]["bot"]["healthcheck"]["test"][-1] in dockerfile   # the same check


def tracked_files(project_root) -> list[Path]:
    listed = subprocess.run(["git", "ls-files"], cwd=project_root, capture_output=True, text=True)
    return [project_root / name for name in listed.stdout.splitlines()] if listed.returncode == 0 else []


@pytest.mark.slow
def test_the_dockerfiles_install_steps_work_in_a_fresh_virtualenv(project_root, tmp_path, slack, empty_database):
    dockerfile = (project_root / "deploy" / "Dockerfile").read_text()
    assert "RUN sh deploy/install.sh /app" in dockerfile and 'CMD [".venv/bin/python", "bot.py", "serve"]' in dockerfile
    app = tmp_path / "app"
    for path in tracked_files(project_root) or [p for p in project_root.iterdir() if p.name not in (".venv", ".git")]:
        target = app / path.relative_to(project_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(path, target) if path.is_dir() else shutil.copy2(path, target)
    installed = subprocess.run(["sh", "deploy/install.sh", str(app)], cwd=app, capture_output=True, text=True,
                               timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    port = free_port()
    process = subprocess.Popen([str(app / ".venv/bin/python"), "bot.py", "serve"], cwd=app,
                               env={"PATH": "/usr/bin:/bin", **bot_env(slack, empty_database, PORT=str(port))},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for_health(f"http://127.0.0.1:{port}/healthz", process, timeout=120) == 200
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in output
