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
import secrets
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

from handmade.errors import InputError, SigningError

#: Files larger than this are refused (a guard against exhausting memory; configurable per call).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


#: Films at least this big are not read into memory: c2pa-rs reads them through a file handle (a ``FileData``).
STREAM_BYTES = 64 * 1024 * 1024
#: The size limit for those films (they cost no memory; the limit guards the disk and the time).
MAX_STREAMED_BYTES = 64 * 1024 * 1024 * 1024
#: The formats read through a file handle when big (c2pa-rs hashes ISO BMFF boxes as it reads them).
STREAMED_MIMES = frozenset({"video/mp4", "video/x-m4v", "video/quicktime"})


#: Called with the size of every read of a big file (``metered``), from whichever thread reads; None when nobody
#: watches. A progress bar for a film that is never in memory counts what was read.
_meter: Callable[[int], None] | None = None


@contextlib.contextmanager
def metered(callback: Callable[[int], None]) -> Iterator[None]:
    """Call ``callback(n)`` for the ``n`` bytes of each read of a ``FileData`` while the block runs."""
    global _meter
    previous, _meter = _meter, callback
    try:
        yield
    finally:
        _meter = previous


def count_reads(counter: Any) -> contextlib.AbstractContextManager[None]:
    """``metered`` adding every read to ``counter``, a shared ``multiprocessing.Value`` (a progress bar's source,
    in this process or a worker's); reads from several threads (a digest beside c2pa-rs) all count."""

    def add(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    return metered(add)


class FileData:
    """A big file's bytes, read on demand through one open handle (``os.pread``: no shared position), never
    held whole. It offers what the readers of ``LoadedFile.data`` use: ``len``, slices, ``startswith``,
    ``open()`` (a fresh seekable reader for c2pa-rs) and ``sha256()`` (read in 1 MiB blocks).

    The handle pins the file read at ``load_input`` time: a file renamed or replaced meanwhile is not mixed
    in; one truncated meanwhile gives short reads, which c2pa-rs reports as a damaged file.
    """

    BLOCK = 1024 * 1024

    def __init__(self, path: str | os.PathLike[str], size: int | None = None) -> None:
        self.path = str(path)
        self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        self.size = os.fstat(self._fd).st_size if size is None else size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: slice) -> bytes:
        if not isinstance(key, slice):
            raise TypeError("FileData is read by slices")
        start, stop, step = key.indices(self.size)
        if step != 1:
            raise ValueError("FileData slices have no step")
        chunk = os.pread(self._fd, max(0, stop - start), start) if stop > start else b""
        if _meter is not None:
            _meter(len(chunk))
        return chunk

    def startswith(self, prefix: bytes | tuple[bytes, ...]) -> bool:
        prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
        head = self[:max(len(p) for p in prefixes)]
        return any(head.startswith(p) for p in prefixes)

    def open(self) -> io.RawIOBase:
        """A new reader over the same handle, with its own position."""
        return _PositionalReader(self)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for pos in range(0, self.size, self.BLOCK):
            block = os.pread(self._fd, self.BLOCK, pos)
            digest.update(block)
            if _meter is not None:
                _meter(len(block))
        return digest.hexdigest()

    def close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


class _PositionalReader(io.RawIOBase):
    def __init__(self, source: FileData) -> None:
        self._source, self._pos = source, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._source[self._pos:self._pos + len(buffer)]
        buffer[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._source.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def as_stream(data: bytes | FileData) -> io.RawIOBase | io.BytesIO:
    """A seekable reader over ``data``: a file reader for a ``FileData``, an in-memory buffer for bytes
    (about twice as fast through c2pa-python's callbacks for images)."""
    return data.open() if isinstance(data, FileData) else io.BytesIO(data)


@dataclass(frozen=True)
class LoadedFile:
    """An input read whole into memory, with its detected type and digest; a big film's ``data`` is a
    ``FileData`` instead (typed as bytes for the readers, which only slice it or hand it to c2pa-rs)."""

    path: str
    data: bytes
    mime: str

    @property
    def sha256(self) -> str:
        if isinstance(self.data, FileData):
            return self.data.sha256()
        return hashlib.sha256(self.data).hexdigest()

    @property
    def streamed(self) -> bool:
        return isinstance(self.data, FileData)


#: ISO BMFF major/compatible brands of MP4 video (ISO/IEC 14496-12 and -14, 3GPP, DASH, Apple M4V).
_MP4_BRANDS = frozenset({b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
                         b"mp41", b"mp42", b"avc1", b"dash", b"mmp4", b"msnv", b"f4v ", b"3gp4", b"3gp5",
                         b"3gp6", b"3g2a"})
_M4V_BRANDS = frozenset({b"M4V ", b"M4VH", b"M4VP"})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"})
_AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P "})
#: JPEG XL: the bare codestream, and the ISO BMFF container's signature box (ISO/IEC 18181-2).
_JXL_CODESTREAM = b"\xff\x0a"
_JXL_CONTAINER = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
#: How much of an XML file is read to find its root element: an SVG whose root does not start within it
#: (after the XML declaration, comments and a DOCTYPE) is not recognised.
SVG_HEAD_BYTES = 64 * 1024
_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"

#: The formats ``sniff_mime`` recognises that c2pa-rs reads but cannot write: verified, never signed.
READ_ONLY_MIMES = frozenset({"image/x-nikon-nef", "image/x-sony-arw"})
#: Every format handmade reads, by its MIME type (the words used in messages and ``--help``).
FORMAT_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/tiff": "TIFF",
                "image/x-adobe-dng": "DNG", "image/gif": "GIF", "image/heic": "HEIC", "image/avif": "AVIF",
                "image/jxl": "JPEG XL", "image/svg+xml": "SVG", "video/mp4": "MP4", "video/x-m4v": "M4V",
                "video/quicktime": "MOV", "application/pdf": "PDF", "image/x-nikon-nef": "NEF (read only)",
                "image/x-sony-arw": "ARW (read only)"}
#: File names a folder walk offers for signing (the bytes then decide the format): images, films, SVG, PDF.
SIGNABLE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".dng", ".gif", ".heic",
                               ".heif", ".avif", ".jxl", ".svg", ".pdf", ".mp4", ".m4v", ".mov"})
#: File names a folder walk verifies or scans: what it signs, and the camera raw files it only reads.
READABLE_SUFFIXES = SIGNABLE_SUFFIXES | {".nef", ".arw"}
#: Formats whose content is not a raster picture Pillow can decode (no pixel checks, badge or Pillow preview).
NOT_RASTER = frozenset({"video/mp4", "video/x-m4v", "video/quicktime", "application/pdf", "image/svg+xml"})


def sniff_mime(data: bytes, name: str = "") -> str | None:
    """The type of ``data`` from its bytes, or None if it is not a format we know.

    Names are never enough: a ``.dng`` name only tells DNG from a plain TIFF when the file itself does not
    (no DNGVersion tag). SVG is recognised by its root element, read with defusedxml from the first
    ``SVG_HEAD_BYTES`` only (a DTD that declares entities is refused, never expanded).
    """
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
        return _tiff_kind(data, name)
    if head.startswith(_JXL_CODESTREAM) or head.startswith(_JXL_CONTAINER):
        return "image/jxl"
    if head[4:8] == b"ftyp":
        return _bmff_kind(data)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if _is_svg(data):
        return "image/svg+xml"
    return None


def _bmff_kind(data: bytes) -> str | None:
    """HEIC, AVIF, MP4, M4V or MOV from the ``ftyp`` box's major and compatible brands."""
    size = int.from_bytes(data[:4], "big")
    end = min(len(data), size if 16 <= size <= 4096 else 64)
    major = data[8:12]
    brands = {major} | {data[i:i + 4] for i in range(16, end - 3, 4)}
    if brands & {b"avif", b"avis"}:
        return "image/avif"
    if brands & _HEIF_BRANDS:
        return "image/heic"
    if major == b"qt  ":
        return "video/quicktime"
    if major in _AUDIO_BRANDS:
        return None  # sound only: not a picture or a film
    if brands & _M4V_BRANDS:
        return "video/x-m4v" if major in _M4V_BRANDS else "video/mp4"
    if brands & _MP4_BRANDS:
        return "video/mp4"
    if b"qt  " in brands:
        return "video/quicktime"
    return None


def _ifd0_tags(data: bytes, wanted: frozenset[int]) -> dict[int, bytes | None]:
    """The raw values of the ``wanted`` tags of a TIFF's first IFD (None: present, value not read).

    A bounded walk (at most 1,000 entries, values of at most 256 bytes, only the tags asked for): enough to
    tell a camera's raw file from a plain TIFF, and nothing a hostile file can make expensive.
    """
    order: Literal["little", "big"] = "little" if data[:2] == b"II" else "big"
    found: dict[int, bytes | None] = {}
    offset = int.from_bytes(data[4:8], order)
    if offset < 8 or offset + 2 > len(data):
        return found
    count = min(int.from_bytes(data[offset:offset + 2], order), 1000)
    unit = {1: 1, 2: 1, 3: 2, 4: 4, 7: 1}
    for i in range(count):
        entry = data[offset + 2 + 12 * i: offset + 14 + 12 * i]
        if len(entry) < 12:
            break
        tag = int.from_bytes(entry[:2], order)
        if tag not in wanted:
            continue
        kind, n = int.from_bytes(entry[2:4], order), int.from_bytes(entry[4:8], order)
        length = unit.get(kind, 0) * n
        if not 0 < length <= 256:
            found[tag] = None
        elif length <= 4:
            found[tag] = entry[8:8 + length]
        else:
            at = int.from_bytes(entry[8:12], order)
            found[tag] = data[at:at + length] if at + length <= len(data) else None
    return found


_MAKE, _SUB_IFDS, _DNG_VERSION = 0x010F, 0x014A, 0xC612


def _tiff_kind(data: bytes, name: str) -> str:
    """DNG, a Nikon NEF or Sony ARW raw file, or a plain TIFF, from IFD0's DNGVersion, Make and SubIFDs."""
    tags = _ifd0_tags(data, frozenset({_MAKE, _SUB_IFDS, _DNG_VERSION}))
    if _DNG_VERSION in tags or name.lower().endswith(".dng"):
        return "image/x-adobe-dng"
    make = (tags.get(_MAKE) or b"").strip(b"\x00 ").upper()
    if _SUB_IFDS in tags:  # raw files keep the sensor data in a sub-IFD; a camera's plain TIFF has none
        if make.startswith(b"NIKON"):
            return "image/x-nikon-nef"
        if make.startswith(b"SONY"):
            return "image/x-sony-arw"
    return "image/tiff"


class _RootFound(Exception):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


class _FirstElement:
    """An XML parser target that stops at the root element's start tag."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootFound(tag)

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        return None


def _is_svg(data: bytes) -> bool:
    """True when ``data`` is XML whose root element is ``<svg>`` in the SVG namespace."""
    head = data[:SVG_HEAD_BYTES]
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if not text.lstrip(b" \t\r\n").startswith(b"<"):
        return False
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    parser = DefusedXMLParser(target=_FirstElement(), forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    try:
        parser.feed(head)
    except _RootFound as found:
        return found.tag == _SVG_ROOT
    except (DefusedXmlException, SyntaxError, ValueError):  # entities declared, or not well-formed XML
        return False
    return False


def jxl_container(codestream: bytes) -> bytes:
    """A bare JPEG XL codestream in the ISO BMFF container (ISO/IEC 18181-2: signature box, ``ftyp``, one
    ``jxlc`` box), which can hold a C2PA manifest store; the codestream itself is unchanged."""
    head = _JXL_CONTAINER + (20).to_bytes(4, "big") + b"ftypjxl " + bytes(4) + b"jxl "
    if len(codestream) + 8 < 2**32:
        return head + (len(codestream) + 8).to_bytes(4, "big") + b"jxlc" + codestream
    return head + (1).to_bytes(4, "big") + b"jxlc" + (len(codestream) + 16).to_bytes(8, "big") + codestream


def format_list() -> str:
    """The formats handmade reads, in words: "JPEG, PNG, ... ARW (read only)"."""
    return ", ".join(dict.fromkeys(FORMAT_NAMES.values()))


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
    if stat.S_ISDIR(st.st_mode):  # what p.is_dir() said, from the stat already made
        raise InputError(f"{p}: is a directory", code="input.is_directory",
                         hint="Give image files, or a folder to 'handmade sign' to sign all images in it.")
    if st.st_size >= STREAM_BYTES and stat.S_ISREG(st.st_mode):
        streamed = _load_streamed(p, st.st_size)
        if streamed is not None:
            return streamed
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


def big_film_size(path: str | os.PathLike[str]) -> int | None:
    """The size of ``path`` if it is a film big enough to be streamed (see ``STREAM_BYTES``), else None.
    Never raises (the signing that follows reports what is wrong)."""
    try:
        size = os.stat(path).st_size
        if size < STREAM_BYTES:
            return None
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return None
    return size if sniff_mime(head, str(path)) in STREAMED_MIMES else None


def _load_streamed(p: Path, size: int) -> LoadedFile | None:
    """A big film as a ``FileData`` (None if the file is not one of ``STREAMED_MIMES``: read it whole)."""
    try:
        source = FileData(p)
    except PermissionError as exc:
        raise InputError(f"{p}: permission denied", code="input.permission") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror})", code="input.unreadable") from exc
    mime = sniff_mime(source[:SVG_HEAD_BYTES], str(p))
    if mime not in STREAMED_MIMES:
        source.close()
        return None
    if source.size > MAX_STREAMED_BYTES:
        source.close()
        raise InputError(f"{p}: {source.size} bytes is over the limit of {MAX_STREAMED_BYTES} for a film",
                         code="input.too_large")
    return LoadedFile(path=str(p), data=cast(bytes, source), mime=mime)


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
        raise InputError(f"{name}: not an image handmade can read ({format_list()})", code="input.not_image")
    return LoadedFile(path=name, data=data, mime=mime)


def too_many_pixels(data: bytes, limit: int) -> str | None:
    """What is wrong when the image's header announces more than ``limit`` pixels, else None.

    Nothing is decoded: Pillow reads the size from the header. Formats Pillow cannot read pass (the caller's
    next step decides about them). Pillow's own bomb guard is at least ``limit`` (``_imaging.decode_guard``,
    never lowered), so its error always means "over the limit" rather than hiding the size.
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    from handmade._imaging import decode_guard

    decode_guard(limit)
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


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same path once links are resolved, or a hard link."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


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

    ``writer``, if given, writes the content into the open temporary file instead of ``data``.
    ``mode`` (permission bits, e.g. the input's) is set on the staged file; without it the file keeps
    0600. Every staged name of this process is listed in ``STAGED`` until it is committed or
    discarded, so a worker told that its parent died can remove its own (``discard_all_staged``).

    Raises (constructor and commit): SigningError with code ``output.exists``, ``output.no_dir``,
    ``output.not_writable``, ``output.disk_full`` or ``output.failed``; the temporary file is removed.
    """

    def __init__(self, path: str | os.PathLike[str], data: bytes, *, overwrite: bool = False,
                 mode: int | None = None, writer: Callable[[BinaryIO], None] | None = None) -> None:
        self.dest = Path(path)
        self.overwrite = overwrite
        self._tmp: str | None = None
        if self.dest.exists() and not overwrite:
            raise _refuse_existing(self.dest)
        folder = self.dest.parent if str(self.dest.parent) else Path(".")
        if not folder.is_dir():
            raise SigningError(f"{folder}: output folder does not exist", code="output.no_dir")
        try:
            fd = self._create(folder)
            with os.fdopen(fd, "w+b") as fh:
                if mode is not None:
                    os.fchmod(fh.fileno(), mode & 0o777)
                if writer is not None:  # the caller writes the content (a film signed straight to disk)
                    writer(fh)
                else:
                    fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            self.discard()
            raise output_error(self.dest, exc) from exc
        except BaseException:  # the writer's own errors (a refusal while signing): nothing is left behind
            self.discard()
            raise

    def _create(self, folder: Path) -> int:
        """Create the temporary file in ``folder`` (0600, never an existing name) and return its open descriptor.
        Its name is listed in ``STAGED`` *before* the file exists, so a death handler running at any moment (a
        worker's SIGTERM handler, between two bytecodes of this thread) finds every file there is; the creation
        holds ``_CREATING``, which the cleaning takes for good first, so no file is created behind its back."""
        for _ in range(100):
            name = os.path.join(folder, f".{self.dest.name}.{secrets.token_hex(4)}.part")
            with _CREATING:
                self._tmp = name
                STAGED.add(name)
                try:
                    return os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
                except FileExistsError:
                    STAGED.discard(name)
                    self._tmp = None
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))

    @property
    def staged_path(self) -> str | None:
        """The temporary file holding the content until ``commit()``."""
        return self._tmp

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
#: Held while a staged file is created (by whichever thread stages: signing stages in a helper thread when a
#: core is free); taken for good by ``discard_all_staged``. Reentrant: a signal handler that cleans may run in
#: the thread that holds it.
_CREATING = threading.RLock()


def discard_all_staged() -> None:
    """Remove every file this process has staged and not committed (never raises): what a worker does
    when its parent dies, since nobody else will know these names. Call it only just before the process
    exits: it first waits (at most 5 s) for a file being created by another thread to be listed, and keeps
    the lock, so no file is created after this cleaning. In the thread that was creating one (a signal
    handler run between two of its bytecodes) it proceeds at once: the name was listed before the file
    was created."""
    _CREATING.acquire(timeout=5)
    for tmp in list(STAGED):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        STAGED.discard(tmp)




def _before_rename_hook(tmp: Path, dest: Path) -> None:
    """A seam for fault-injection tests (replaced by monkeypatch to simulate a crash before rename)."""
