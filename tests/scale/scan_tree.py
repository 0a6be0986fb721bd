"""A real folder tree for scan tests: files signed by a throwaway PKI, unsigned photos, a corrupt JPEG, a text
file and a symbolic link (neither of which a scan lists), nested a few levels deep."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handmade.keys import load_identity
from handmade.sign import SignOptions, sign_image
from tests.conftest import make_photo
from tests.pki import Pki, make_pki


@dataclass(frozen=True)
class Tree:
    root: Path
    pki: Pki
    images: tuple[str, ...]  # every path a scan must report, as the walk spells it
    signed: int
    plain: int
    corrupt: int


def build_tree(folder: Path, copies: int = 10) -> Tree:
    """``copies`` each of a signed and an unsigned photo spread over nested folders, one corrupt JPEG, plus
    things a scan skips (a .txt file, a symlink to an image)."""
    pki = make_pki(folder / "pki")
    root = folder / "archive"
    src = make_photo(folder / "src.jpg", size=(96, 64))
    signed = folder / "signed.jpg"
    sign_image(src, signed, SignOptions(author="Jane Doe"), load_identity(pki.key_pem, pki.chain_pem))
    signed_bytes, plain_bytes = signed.read_bytes(), src.read_bytes()
    images: list[str] = []
    for i in range(copies):
        sub = root / f"{2020 + i % 3}" / f"roll-{i % 4:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        for name, data in ((f"s{i:04d}.jpg", signed_bytes), (f"p{i:04d}.JPG", plain_bytes)):
            (sub / name).write_bytes(data)
            images.append(str(sub / name))
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    images.append(str(root / "broken.jpg"))
    (root / "notes.txt").write_text("not an image")
    (root / "link.jpg").symlink_to(signed)
    return Tree(root, pki, tuple(sorted(images)), copies, copies, 1)


def read_lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
