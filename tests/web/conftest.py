"""A real handmade service on 127.0.0.1 (uvicorn in a thread), and real files to upload."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from handmade.keys import bundled_test_root_pem, load_identity
from handmade.sign import SignOptions, sign_image
from handmade.verify import TrustAnchors
from handmade.web.app import create_app, server_options
from handmade.web.config import ServiceConfig
from tests.conftest import make_photo
from tests.pki import Pki, make_pki


@dataclass
class Server:
    url: str
    config: ServiceConfig
    app: Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(config: ServiceConfig, port: int | None = None) -> Iterator[Server]:
    app = create_app(config)
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           **server_options(config)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the service did not start")
    yield Server(url, config, app)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """The press site's own PKI: its root is the service's trust anchor, its signer a staff photographer."""
    return make_pki(tmp_path_factory.mktemp("newsroom-pki"))


@pytest.fixture(scope="session")
def signed_image(tmp_path_factory: pytest.TempPathFactory, newsroom: Pki) -> Path:
    folder = tmp_path_factory.mktemp("web-signed")
    out = folder / "jane-doe-harbour.jpg"
    sign_image(make_photo(folder / "in.jpg", size=(480, 320)), out, SignOptions(author="Jane Doe"),
               load_identity(newsroom.key_pem, newsroom.chain_pem))
    return out


@pytest.fixture(scope="session")
def test_key_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Signed with handmade's public TEST key, which anyone can use."""
    folder = tmp_path_factory.mktemp("web-test-key")
    out = folder / "test-key.jpg"
    sign_image(make_photo(folder / "in.jpg", size=(320, 240)), out, SignOptions(author="Jane Doe"))
    return out


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, newsroom: Pki) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("audit") / "audit.sqlite"
    # The TEST root is an anchor too, as a careless operator might set it: TEST-key files must still be refused.
    anchors = TrustAnchors.from_pem(newsroom.root_pem.read_bytes(), "newsroom root") + TrustAnchors.from_pem(
        bundled_test_root_pem(), "test root")
    config = ServiceConfig(trust=anchors, audit_db=str(db), max_upload_bytes=8 * 1024 * 1024,
                           max_pixels=40_000_000)
    yield from start(config)


@contextlib.contextmanager
def serve_process(*args: str, start_s: float = 60) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """A real ``handmade serve`` process on 127.0.0.1 with ``args``: (url, port, process) once /healthz answers;
    terminated (then killed) afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "handmade", "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_s
        while True:
            assert proc.poll() is None, proc.communicate(timeout=5)[1]
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.1)
        yield url, port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
