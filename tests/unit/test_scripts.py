"""scripts/install-browser.sh (run by scripts/test.sh) says before it installs system packages, and
HANDMADE_NO_SYSTEM_INSTALL=1 stops it; run for real with a stand-in apt-get that records its calls."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-browser.sh"


def _run(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    fake = tmp_path / "fakebin"
    fake.mkdir(exist_ok=True)
    log = tmp_path / "apt.log"
    for tool in ("apt-get", "sudo"):
        (fake / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\n')
        (fake / tool).chmod(0o755)
    r = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False,
                       env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}",
                            "HANDMADE_BROWSER_BIN_DIR": str(tmp_path / "nobrowser"), **env})
    return r, (log.read_text().splitlines() if log.exists() else [])


def test_no_system_install_installs_nothing_and_says_so(tmp_path: Path) -> None:
    r, calls = _run(tmp_path, HANDMADE_NO_SYSTEM_INSTALL="1")
    assert r.returncode == 0
    assert calls == []
    assert "HANDMADE_NO_SYSTEM_INSTALL=1" in r.stderr and "will skip" in r.stderr


def test_it_says_so_before_installing_system_packages(tmp_path: Path) -> None:
    r, calls = _run(tmp_path)
    assert r.returncode == 0
    assert any("install" in c and "chromium" in c for c in calls), calls
    assert "installing Debian's chromium and chromium-driver system-wide with apt-get" in r.stderr
    assert "HANDMADE_NO_SYSTEM_INSTALL=1" in r.stderr


def test_test_sh_runs_the_announcing_installer() -> None:
    text = (SCRIPT.parent / "test.sh").read_text()
    assert "scripts/install-browser.sh" in text and "HANDMADE_NO_SYSTEM_INSTALL=1" in text


def test_the_quick_run_markers_select_the_browser_and_slow_tests() -> None:
    """README's quick run (`-m "not slow and not browser"`) leaves out exactly what it says: every Chromium test
    is marked `browser`, the service/load/trace modules `slow`."""
    import sys

    root = Path(__file__).resolve().parents[2]

    def collected(*args: str) -> set[str]:
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only", *args],
                           cwd=root, capture_output=True, text=True, timeout=120)
        return {line.split("::")[0] for line in r.stdout.splitlines() if "::" in line}

    assert collected("-m", "browser", "tests/web") == {"tests/web/test_page_browser.py", "tests/web/test_badges.py",
                                                       "tests/web/test_formats_web.py"}
    slow = collected("-m", "slow", "tests/web", "tests/hostile")
    assert {"tests/web/test_hostile_clients.py", "tests/web/test_load_smoke.py",
            "tests/hostile/test_offline.py"} <= slow
    assert "tests/web/test_api.py" not in slow
