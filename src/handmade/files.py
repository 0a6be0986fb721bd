"""Reading inputs safely and writing outputs atomically.

Formats are recognised by their bytes, not their names: a PNG called ``photo.jpg`` is read as a PNG, and
a text file called ``photo.jpg`` is refused as "not an image" before c2pa-rs sees it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
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
            # Ask for the size stat() gave (+1 to notice growth): read(max_bytes + 1) makes CPython
            # allocate the whole limit up front, which cost 1.2 ms of a 12 MP verify's 9.
            data = fh.read(st.st_size + 1)
            if len(data) > st.st_size:  # the file grew since stat(): read on, still bounded
                data += fh.read(max_bytes + 1 - len(data))
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


def too_many_pixels(data: bytes, limit: int) -> str | None:
    """What is wrong when the image's header announces more than ``limit`` pixels, else None.

    Nothing is decoded: Pillow reads the size from the header. Formats Pillow cannot read pass (the caller's
    next step decides about them). Pillow's own bomb guard is raised to ``limit`` first (never lowered), so
    its error always means "over the limit" rather than hiding the size.
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < limit:
        Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
    except Image.DecompressionBombError as exc:  # more than twice Pillow's guard, itself >= limit
        return f"too many pixels to process safely ({exc})"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if width * height > limit:
        return f"{width}x{height} pixels is over the limit of {limit}"
    return None


def output_error(dest: Path, exc: OSError) -> SigningError:
    """An ``OSError`` met while writing ``dest`` (or making its folder), in words."""
    if isinstance(exc, PermissionError):
        return SigningError(f"{dest}: cannot write here (permission denied)", code="output.not_writable")
    if exc.errno == errno.ENOSPC:
        return SigningError(f"{dest}: the disk is full", code="output.disk_full")
    if exc.errno in (errno.EROFS, errno.ENOTDIR, errno.EEXIST):
        why = {errno.EROFS: "read-only file system", errno.ENOTDIR: "a part of the path is a file, not a folder",
               errno.EEXIST: "a file is in the way of the folder"}[exc.errno]
        return SigningError(f"{dest}: cannot write here ({why})", code="output.not_writable")
    return SigningError(f"{dest}: could not be written ({exc.strerror or exc})", code="output.failed")


def _refuse_existing(dest: Path) -> SigningError:
    return SigningError(f"{dest}: already exists", code="output.exists",
                        hint="Choose another output name, or pass --overwrite (or --skip-existing).")


class StagedWrite:
    """``data`` written and fsync'ed under a temporary name beside ``path``; ``commit()`` puts it in place.

    Staging is the slow half of an atomic write (the bytes reach the disk), so a caller can stage while it
    still checks the data, then ``commit()`` (an atomic rename) or ``discard()``. Without ``overwrite``
    an existing destination is refused now and again at commit (a file that appears meanwhile is not
    clobbered: ``link()`` fails on it).

    ``mode`` (permission bits, e.g. the input's) is set on the staged file; without it the file keeps
    mkstemp's 0600. Every staged name of this process is listed in ``STAGED`` until it is committed or
    discarded, so a worker told that its parent died can remove its own (``discard_all_staged``).

    Raises (constructor and commit): SigningError with code ``output.exists``, ``output.no_dir``,
    ``output.not_writable``, ``output.disk_full`` or ``output.failed``; the temporary file is removed.
    """

    def __init__(self, path: str | os.PathLike[str], data: bytes, *, overwrite: bool = False,
                 mode: int | None = None) -> None:
        self.dest = Path(path)
        self.overwrite = overwrite
        self._tmp: str | None = None
        if self.dest.exists() and not overwrite:
            raise _refuse_existing(self.dest)
        folder = self.dest.parent if str(self.dest.parent) else Path(".")
        if not folder.is_dir():
            raise SigningError(f"{folder}: output folder does not exist", code="output.no_dir")
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.dest.name}.", suffix=".part", dir=folder)
            STAGED.add(self._tmp)
            with os.fdopen(fd, "wb") as fh:
                if mode is not None:
                    os.fchmod(fh.fileno(), mode & 0o777)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            self.discard()
            raise output_error(self.dest, exc) from exc

    def commit(self) -> None:
        """Put the staged file in place atomically. Raises: SigningError (see the class)."""
        tmp, dest = self._tmp, self.dest
        if tmp is None:
            raise SigningError(f"{dest}: nothing staged to write", code="output.failed")
        try:
            _before_rename_hook(Path(tmp), dest)
            if self.overwrite:
                os.replace(tmp, dest)
            else:
                # link() fails if dest appeared meanwhile: no silent clobbering between check and rename.
                try:
                    os.link(tmp, dest)
                except FileExistsError as exc:
                    raise _refuse_existing(dest) from exc
                except OSError:
                    if dest.exists():
                        raise _refuse_existing(dest) from None
                    os.replace(tmp, dest)  # file systems without hard links
                else:
                    os.unlink(tmp)
            STAGED.discard(tmp)
            self._tmp = None
        except OSError as exc:
            raise output_error(dest, exc) from exc
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the staged file, if any (idempotent; never raises)."""
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            STAGED.discard(self._tmp)
            self._tmp = None


#: Temporary names staged by this process and not yet committed or discarded.
STAGED: set[str] = set()


def discard_all_staged() -> None:
    """Remove every file this process has staged and not committed (never raises): what a worker does
    when its parent dies, since nobody else will know these names."""
    for tmp in list(STAGED):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        STAGED.discard(tmp)




def _before_rename_hook(tmp: Path, dest: Path) -> None:
    """A seam for fault-injection tests (replaced by monkeypatch to simulate a crash before rename)."""
