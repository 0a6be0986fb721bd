"""Rewrite the bundled FOR TESTING ONLY identity (keys/signer.key, keys/signer-chain.pem, keys/root-ca.pem).

    python scripts/make-test-keys.py [--out DIR]

Run it from a source checkout when the bundled signer certificate has expired (it is valid 366 days, the C2PA
profile's most), then commit keys/ (keys/README.md). The work is the library's:
``handmade.keys.regenerate_test_identity``. This checkout's ``src/`` is imported first, so the script writes the
keys of the checkout it lives in. Exit status 0 when written, 1 when refused.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from handmade.errors import KeyMaterialError
from handmade.keys import regenerate_test_identity


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate, say what was written; returns the exit status. Raises: SystemExit for bad arguments."""
    parser = argparse.ArgumentParser(prog="scripts/make-test-keys.py",
                                     description="Rewrite handmade's bundled FOR TESTING ONLY identity.")
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default: the checkout's keys/)")
    args = parser.parse_args(argv)
    try:
        target = regenerate_test_identity(args.out)
    except KeyMaterialError as exc:
        sys.stderr.write(exc.diagnostics() + "\n")
        return 1
    leaf = x509.load_pem_x509_certificates((target / "signer-chain.pem").read_bytes())[0]
    digest = hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest()[:16]
    sys.stdout.write(f"rewrote {target}: signer.key, signer-chain.pem, root-ca.pem (FOR TESTING ONLY); "
                     f"signer certificate {digest}... valid until {leaf.not_valid_after_utc:%Y-%m-%d}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
