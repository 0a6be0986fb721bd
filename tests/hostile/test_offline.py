"""Verification never reaches the network unless asked: no DNS lookup, no connection, for any file.

c2pa-rs is native code and resolves ``did:web`` identities named inside a file (DNS, then HTTPS to a host
the file chose), which Python hooks cannot see. So the check runs in an empty network namespace
(``unshare -n``: nothing can leave the machine even if tried) under ``strace -f``, which sees every
``connect``/``sendto`` of every thread and child, native or not. Skipped loudly where either is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, EXTERNAL, ROOT

# Files whose CAWG identity names a did:web host (c2pa-rs looked these up before the fix).
DID_WEB_FILES = [
    CORPUS / "chain-aca-over-algorithmic-ingredient.jpg",
    CORPUS / "edit-adobe-content-authenticity-training-allowed.jpg",
    EXTERNAL / "contentauth+c2pa-js-legacy__tools__testing__fixtures__images__ims_multiple_manifests.jpg",
]

DRIVER = r"""
TSA = "http://127.0.0.1:9/tsa"
import sys
from pathlib import Path
allow_remote = sys.argv[1] == "remote"
files = sys.argv[2:]
from handmade.verify import inspect
for f in files:
    r = inspect(f, allow_remote=allow_remote)
    print(f, r.summary(), flush=True)
if not allow_remote:
    # The service path, in process (Starlette's test client has no socket), and signing over such a parent.
    from starlette.testclient import TestClient
    from handmade.web.app import create_app
    with TestClient(create_app()) as client:
        for f in files:
            resp = client.post("/v1/verify", content=Path(f).read_bytes(), headers={"content-type": "image/jpeg"})
            print("serve", resp.status_code, flush=True)
    from handmade.errors import SigningError
    from handmade.sign import SignOptions, sign_bytes
    sign_bytes(Path(files[0]).read_bytes(), "parent.jpg", SignOptions(author="X"))
    print("signed", flush=True)
    # With a timestamp authority, that one host is reached (and fails here: no network), nothing else.
    try:
        sign_bytes(Path(files[0]).read_bytes(), "parent.jpg", SignOptions(author="X", tsa_url=TSA))
    except SigningError:
        print("tsa refused", flush=True)
"""


def _namespace_prefix() -> list[str]:
    if not shutil.which("strace") or not shutil.which("unshare"):
        pytest.skip("OFFLINE CHECK NOT RUN: strace or unshare missing (scripts/install-strace.sh installs them)")
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
            return prefix
    pytest.skip("OFFLINE CHECK NOT RUN: cannot create a network namespace here (unshare -n / -rn refused)")


#: Local sockets through which a name lookup could leave the machine (nscd, systemd-resolved's varlink, D-Bus).
RESOLVER_SOCKETS = ("nscd", "resolve", "dbus")


def _network_calls(tmp_path: Path, mode: str, files: list[str] | None = None,
                   driver: str = DRIVER) -> tuple[list[str], str]:
    """Run the driver in an empty network namespace under strace; the non-local socket calls it made, and
    any connection to a local resolver socket."""
    if files is None:
        files = [str(f) for f in DID_WEB_FILES if f.is_file()]
        if len(files) < len(DID_WEB_FILES):
            pytest.skip("OFFLINE CHECK NOT RUN: corpus files missing")
    log = tmp_path / f"strace-{mode}.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run([*_namespace_prefix(), "strace", "-f", "-e", "trace=connect,sendto,sendmsg",
                           "-o", str(log), sys.executable, "-c", driver, mode, *files],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    calls = [line for line in log.read_text().splitlines()
             if (("AF_INET" in line or "sin_port" in line or "sin6_port" in line) and "AF_UNIX" not in line)
             or ("AF_UNIX" in line and any(name in line for name in RESOLVER_SOCKETS))]
    return calls, proc.stdout


VERIFY_ALL = r"""
import sys
from handmade.verify import inspect
for f in sys.argv[2:]:
    print(f, inspect(f).summary(), flush=True)
"""


def test_no_file_of_either_corpus_makes_a_network_call(tmp_path: Path) -> None:
    """Every real file of both corpora, verified offline: not one lookup or connection, whatever it names."""
    files = sorted(str(f) for folder in (CORPUS, EXTERNAL) if folder.is_dir() for f in folder.iterdir()
                   if f.is_file() and f.suffix.lower() not in (".json", ".md", ".txt"))
    if len(files) < 100:
        pytest.skip("OFFLINE CHECK NOT RUN: the corpora are missing")
    calls, out = _network_calls(tmp_path, "offline", files, VERIFY_ALL)
    assert out.count("\n") == len(files)
    assert calls == [], "network calls while verifying offline:\n" + "\n".join(calls[:10])


def test_verify_serve_and_sign_make_no_network_call(tmp_path: Path) -> None:
    calls, out = _network_calls(tmp_path, "offline")
    assert "signed" in out and "tsa refused" in out and out.count("serve 200") == len(DID_WEB_FILES)
    tsa = [c for c in calls if 'inet_addr("127.0.0.1")' in c and "htons(9)" in c]
    others = [c for c in calls if c not in tsa]
    assert others == [], "network calls while verifying offline:\n" + "\n".join(others[:10])
    assert tsa, "the signing with --tsa-url did not try its authority: the probe missed it"


def test_the_probe_sees_native_lookups_when_remote_is_allowed(tmp_path: Path) -> None:
    """The control: with --allow-remote, c2pa-rs does try to resolve the did:web hosts, and strace sees it
    (so the test above would fail if the offline setting stopped working)."""
    calls, _ = _network_calls(tmp_path, "remote")
    assert calls, "strace saw no network call even with remote access allowed: the probe is blind"
