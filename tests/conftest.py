"""Shared fixtures: the third-party corpus, a test PKI made at test time, fresh real images."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("HANDMADE_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_trust_snapshot(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A trust snapshot the user installed with 'handmade trust update', or their settings, must never change
    what the tests see: every test (and every command a test runs) gets an empty data directory."""
    os.environ["HANDMADE_DATA_DIR"] = str(tmp_path_factory.mktemp("handmade-data"))
    os.environ.pop("HANDMADE_NO_DEFAULT_TRUST", None)
    from handmade import trust

    trust.reset_cache()


#: Test modules that start real services, load them, or trace them: `-m "not slow"` leaves them out of a quick run.
SLOW_MODULES = {"test_load_smoke.py", "test_hostile_clients.py", "test_multi_host.py", "test_offline.py",
                "test_scan_dask.py", "test_parent_death.py", "test_pkcs11.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The markers README's quick run relies on: `browser` for every test that drives Chromium (it takes the
    `browser` fixture), `slow` for the modules of SLOW_MODULES."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def corpus_or_skip() -> Path:
    if not (CORPUS / "CATALOG.json").is_file():
        pytest.skip(f"THIRD-PARTY CORPUS NOT FOUND at {CORPUS}: set HANDMADE_CORPUS to run these tests")
    return CORPUS


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_or_skip()


@pytest.fixture(scope="session")
def catalog(corpus: Path) -> list[dict[str, Any]]:
    return list(json.loads((corpus / "CATALOG.json").read_text()))


def catalog_entries() -> list[dict[str, Any]]:
    """The catalog at collection time (empty when the corpus is absent: tests then skip loudly)."""
    path = CORPUS / "CATALOG.json"
    return list(json.loads(path.read_text())) if path.is_file() else []


def make_photo(path: Path, size: tuple[int, int] = (320, 240), fmt: str | None = None, seed: int = 1) -> Path:
    """A small photographic-like image (noise over a gradient), written for real with Pillow."""
    from PIL import Image, ImageFilter

    w, h = size
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    noise = Image.effect_noise((w, h), 30 + seed).convert("RGB")
    img = Image.blend(base, noise, 0.4).filter(ImageFilter.SMOOTH)
    fmt = fmt or {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".tif": "TIFF",
                  ".tiff": "TIFF", ".gif": "GIF"}[path.suffix.lower()]
    kwargs: dict[str, Any] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    img.save(path, fmt, **kwargs)
    return path


def photo_folder(folder: Path, count: int, size: tuple[int, int]) -> Path:
    """``count`` copies of one photographic-like JPEG in ``folder`` (p000.jpg, p001.jpg ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    photo = make_photo(folder / "p000.jpg", size=size).read_bytes()
    for i in range(1, count):
        (folder / f"p{i:03d}.jpg").write_bytes(photo)
    return folder


def photo_bytes(fmt: str = "JPEG", size: tuple[int, int] = (320, 240)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, fmt)
    return out.getvalue()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "photo.jpg")


EXTERNAL = Path(os.environ.get("HANDMADE_CORPUS_EXTERNAL", ROOT.parent / "shared" / "corpus-external"))


def external_entries() -> list[dict[str, Any]]:
    """The second corpus's catalog at collection time (empty when absent: its tests then skip loudly)."""
    path = EXTERNAL / "CATALOG.json"
    return list(json.loads(path.read_text())) if path.is_file() else []


@pytest.fixture(scope="session")
def external() -> Path:
    if not (EXTERNAL / "CATALOG.json").is_file():
        pytest.skip(f"EXTERNAL CORPUS NOT FOUND at {EXTERNAL}: set HANDMADE_CORPUS_EXTERNAL to run these tests")
    return EXTERNAL


def make_lookalike(src: Path, dest: Path, amplitude: int = 70) -> Path:
    """The picture's layout at 32x32 kept, its pixels not: a strong checkerboard whose 2x2 cells cancel out inside
    each cell of the fingerprint's 32x32 grid (a crafted near-collision, and what unrelated pictures of the same
    layout look like to a 64-bit fingerprint)."""
    from PIL import Image, ImageChops

    with Image.open(src) as im:
        base = im.convert("RGB").resize((1280, 960))
    cells = Image.new("L", (64, 64))
    cells.putdata([128 + (amplitude if (x + y) % 2 else -amplitude) for y in range(64) for x in range(64)])
    pattern = cells.resize(base.size, Image.Resampling.NEAREST).convert("RGB")
    ImageChops.add(base, pattern, scale=1.0, offset=-128).save(dest, "PNG")
    return dest


def make_scene(path: Path, size: tuple[int, int] = (640, 480), seed: int = 1, fmt: str | None = None) -> Path:
    """A picture with shapes and shading (not noise): its perceptual fingerprint is as stable under re-encoding and
    resizing as a photograph's, and two seeds give unrelated pictures. Written for real with Pillow."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    w, h = size
    img = Image.linear_gradient("L").rotate(rng.choice([0, 90, 180, 270])).resize((w, h)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(w // 8, w // 2), y0 + rng.randrange(h // 8, h // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(2))
    fmt = fmt or {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".tif": "TIFF"}[path.suffix.lower()]
    img.save(path, fmt, **({"quality": 92} if fmt in ("JPEG", "WEBP") else {}))
    return path
