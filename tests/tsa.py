"""A real RFC 3161 time-stamping authority on 127.0.0.1 for tests: OpenSSL's own responder (``openssl ts
-reply``) behind a small HTTP handler, with a TSA certificate made at test time."""

from __future__ import annotations

import datetime as dt
import http.server
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from handmade.keys import build_root, generate_private_key

PEM = serialization.Encoding.PEM

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
certs = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass(frozen=True)
class Tsa:
    url: str
    root_pem: Path  # give it to verifiers as a trust anchor: then the timestamps are trusted
    requests: list[bytes]


def _tsa_files(folder: Path) -> Path:
    root_key = generate_private_key("es256")
    root = build_root(root_key, "Test TSA Root", organization="handmade tests")
    key = generate_private_key("es256")
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "handmade tests"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
            .issuer_name(root.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    (folder / "tsa.key").write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    (folder / "tsa.pem").write_bytes(cert.public_bytes(PEM))
    (folder / "root.pem").write_bytes(root.public_bytes(PEM))
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(CONFIG.format(dir=folder))
    return folder / "root.pem"


@contextmanager
def running_tsa(mode: str = "ok") -> Iterator[Tsa]:
    """A TSA on 127.0.0.1. ``mode``: ``ok`` answers with ``openssl ts -reply``; ``garbage`` answers 200 with
    bytes that are not a timestamp response."""
    openssl = shutil.which("openssl")
    if openssl is None:
        import pytest

        pytest.skip("OPENSSL NOT FOUND: the RFC 3161 responder of the TSA tests is 'openssl ts -reply'")
    folder = Path(tempfile.mkdtemp(prefix="handmade-tsa-"))
    root_pem = _tsa_files(folder)
    requests: list[bytes] = []
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            query = self.rfile.read(min(length, 1 << 20))
            requests.append(query)
            if mode == "garbage":
                body = b"this is not an RFC 3161 answer"
            else:
                with lock:
                    q, r = folder / "q.tsq", folder / "r.tsr"
                    q.write_bytes(query)
                    subprocess.run([openssl, "ts", "-reply", "-config", str(folder / "tsa.cnf"), "-queryfile",
                                    str(q), "-out", str(r)], check=True, capture_output=True, timeout=30)
                    body = r.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Tsa(f"http://127.0.0.1:{server.server_address[1]}/", root_pem, requests)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(folder, ignore_errors=True)
