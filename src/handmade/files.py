"""Reading inputs safely and writing outputs atomically.

Formats are recognised by their bytes, not their names: a PNG called ``photo.jpg`` is read as a PNG, and
a text file called ``photo.jpg`` is refused as "not an image" before c2pa-rs sees it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from handmade.errors import InputError, SigningError

#: Files larger than this are refused (a guard against exhausting memory; configurable per call).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class LoadedFile:
    """An input read whole into memory, with its detected type and digest."""

    path: str
    data: bytes
    mime: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff_mime(data: bytes, name: str = "") -> str | None:
    """The image type of ``data`` from its magic bytes, or None if it is not an image we know."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/x-adobe-dng" if name.lower().endswith(".dng") else "image/tiff"
    if head[4:8] == b"ftyp":
        brands = {head[i:i + 4] for i in range(8, min(len(head), 32), 4)}
        if brands & {b"avif", b"avis"}:
            return "image/avif"
        if brands & {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}:
            return "image/heic"
    return None


def load_input(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedFile:
    """Read an image file whole, checking that it exists, is a regular file, is not too big, is an image.

    Raises: InputError with code ``input.not_found``, ``input.is_directory``, ``input.permission``,
    ``input.too_large``, ``input.empty`` or ``input.not_image``.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError as exc:
        raise InputError(f"{p}: no such file", code="input.not_found") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror})", code="input.unreadable") from exc
    if p.is_dir():
        raise InputError(f"{p}: is a directory", code="input.is_directory",
                         hint="Give image files, or a folder to 'handmade sign' to sign all images in it.")
    if st.st_size > max_bytes:
        raise InputError(f"{p}: {st.st_size} bytes is over the limit of {max_bytes}", code="input.too_large")
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError as exc:
        raise InputError(f"{p}: permission denied", code="input.permission") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror})", code="input.unreadable") from exc
    return loaded_from_bytes(data, str(p), max_bytes=max_bytes)


def loaded_from_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedFile:
    """Wrap bytes received another way (an upload) after the same checks as ``load_input``.

    Raises: InputError (``input.too_large``, ``input.empty``, ``input.not_image``).
    """
    if len(data) > max_bytes:
        raise InputError(f"{name}: over the size limit of {max_bytes} bytes", code="input.too_large")
    if not data:
        raise InputError(f"{name}: the file is empty", code="input.empty")
    mime = sniff_mime(data, name)
    if mime is None:
        raise InputError(f"{name}: not an image handmade can read (JPEG, PNG, WebP, TIFF, DNG, GIF, HEIC, AVIF)",
                         code="input.not_image")
    return LoadedFile(path=name, data=data, mime=mime)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename.

    The destination either keeps its old content or has the complete new content; never half of it.
    Without ``overwrite`` an existing file is refused (checked again at rename time, so a file that
    appears meanwhile is not clobbered).

    Raises: SigningError with code ``output.exists``, ``output.no_dir``, ``output.not_writable``,
    ``output.disk_full`` or ``output.failed``.
    """
    dest = Path(path)
    if dest.exists() and not overwrite:
        raise SigningError(f"{dest}: already exists", code="output.exists",
                           hint="Choose another output name, or pass --overwrite.")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise SigningError(f"{folder}: output folder does not exist", code="output.no_dir")
    tmp_name: str | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _before_rename_hook(Path(tmp_name), dest)
        if overwrite:
            os.replace(tmp_name, dest)
        else:
            # link() fails if dest appeared meanwhile: no silent clobbering between check and rename.
            try:
                os.link(tmp_name, dest)
            except FileExistsError as exc:
                raise SigningError(f"{dest}: already exists", code="output.exists",
                                   hint="Choose another output name, or pass --overwrite.") from exc
            except OSError:
                if dest.exists():
                    raise SigningError(f"{dest}: already exists", code="output.exists") from None
                os.replace(tmp_name, dest)  # file systems without hard links
            else:
                os.unlink(tmp_name)
        tmp_name = None
    except PermissionError as exc:
        raise SigningError(f"{dest}: cannot write here (permission denied)", code="output.not_writable") from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise SigningError(f"{dest}: the disk is full", code="output.disk_full") from exc
        raise SigningError(f"{dest}: could not be written ({exc.strerror or exc})", code="output.failed") from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def _before_rename_hook(tmp: Path, dest: Path) -> None:
    """A seam for fault-injection tests (replaced by monkeypatch to simulate a crash before rename)."""
