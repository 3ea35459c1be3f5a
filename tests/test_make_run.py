"""`make run PORT=…` serves on that port and every absolute link (mail, the sheet's QR code, the API's
links) says the same port: BASE_URL follows HOST and PORT unless it is set."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def planned_run(*args, **environment) -> str:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    env = {key: value for key, value in os.environ.items() if key != "BASE_URL"} | environment
    result = subprocess.run(["make", "--dry-run", "--always-make", "run", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    [serve] = [line for line in result.stdout.splitlines() if "flask run" in line]
    return serve


def test_links_follow_the_port_make_run_serves_on():
    serve = planned_run("PORT=5101")
    assert "--port 5101" in serve and "BASE_URL=http://127.0.0.1:5101 " in serve


def test_listening_everywhere_still_gives_links_a_browser_can_open():
    assert "BASE_URL=http://127.0.0.1:5000 " in planned_run("HOST=0.0.0.0")


def test_a_base_url_that_is_set_wins():
    assert "BASE_URL=https://maillage.exemple.fr " in planned_run("PORT=5101", BASE_URL="https://maillage.exemple.fr")
