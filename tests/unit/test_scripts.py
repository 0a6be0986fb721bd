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
