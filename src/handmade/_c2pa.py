"""The only module that imports ``c2pa``: contexts, trust settings, reading, signing, error mapping.

Everything else in handmade sees plain Python data (dicts parsed from c2pa-rs's JSON) and handmade's own
errors. ``c2pa.C2paError`` never leaves this module: ``_map_errors`` turns it into an ``InputError`` or a
``SigningError`` with a stable code (``raise ... from exc`` keeps the cause for ``--verbose``).

c2pa is imported lazily (``import c2pa`` costs ~60 ms) so that ``handmade --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

from handmade.errors import HandmadeError, InputError, SigningError

if TYPE_CHECKING:
    from handmade.keys import SigningIdentity

log = logging.getLogger(__name__)


def _c2pa() -> Any:
    import c2pa

    return c2pa


def sdk_versions() -> dict[str, str]:
    """The versions of c2pa-python and of the native c2pa-rs it carries."""
    c2pa = _c2pa()
    from importlib.metadata import version

    return {"c2pa-python": version("c2pa-python"), "c2pa-rs": str(c2pa.sdk_version())}


# --- error mapping -------------------------------------------------------------------------------------
# c2pa-python raises subclasses named after c2pa-rs's error kinds (C2paError.Signature, .NotSupported ...).
_READ_CODES = {
    "NotSupported": ("input.unsupported", "This file type cannot carry Content Credentials here."),
    "ManifestNotFound": ("manifest.not_found", None),
    "RemoteManifest": ("manifest.remote", "The manifest lives at a remote URL; pass --allow-remote to fetch it."),
    "Decoding": ("manifest.unreadable", None),
    "Encoding": ("manifest.unreadable", None),
    "Json": ("manifest.unreadable", None),
    "Manifest": ("manifest.unreadable", None),
    "Signature": ("manifest.unreadable", None),
    "Verify": ("manifest.unreadable", None),
    "Io": ("input.corrupt", "The file looks truncated or damaged."),
    "FileNotFound": ("input.not_found", None),
    "Other": ("manifest.unreadable", None),
}


def _kind(exc: BaseException) -> str:
    name = type(exc).__name__.lstrip("_").removeprefix("C2pa")
    return name or "Other"


def _clean(message: str) -> str:
    # c2pa-rs messages are "Kind: detail" and can quote the file: through the one cleaner, bounded.
    from handmade.text import clean_text

    return clean_text(message, 400) or ""


@contextmanager
def _map_errors(action: str, *, signing: bool = False) -> Iterator[None]:
    """Turn c2pa's exceptions into handmade's; the single boundary for foreign errors.

    Raises: InputError (reading) or SigningError (signing), each ``from`` the original.
    """
    c2pa = _c2pa()
    try:
        yield
    except HandmadeError:
        raise
    except c2pa.C2paError as exc:
        kind = _kind(exc)
        message = _clean(str(exc))
        if signing:
            code = "sign.unsupported_format" if kind == "NotSupported" else f"sign.{kind.lower()}"
            raise SigningError(f"{action} failed: {message}", code=code) from exc
        code, hint = _READ_CODES.get(kind, ("manifest.unreadable", None))
        lowered = message.lower()
        if "remote" in lowered and code == "manifest.unreadable":
            code, hint = _READ_CODES["RemoteManifest"]
        if "could not be parsed" in lowered:
            code = "input.corrupt"
        raise InputError(f"{action} failed: {message}", code=code, hint=hint) from exc
    except (ValueError, TypeError, OSError) as exc:  # c2pa-python's own argument/stream checks
        cls = SigningError if signing else InputError
        raise cls(f"{action} failed: {_clean(str(exc))}",
                  code="sign.failed" if signing else "input.corrupt") from exc


@contextmanager
def _tsa_errors(tsa_url: str | None) -> Iterator[None]:
    """Word the ways a timestamp server fails (c2pa-rs reports them all as a signature error)."""
    if tsa_url is not None and not tsa_url.lower().startswith(("http://", "https://")):
        raise SigningError(f"'{tsa_url[:200]}' is not the address of a timestamp server", code="sign.tsa_url",
                           hint="Give an http:// or https:// address of an RFC 3161 time-stamping service.")
    try:
        yield
    except SigningError as exc:
        if tsa_url is None:
            raise
        text = exc.message.lower()
        if "http resolver" in text or "error sending request" in text or "connect" in text:
            raise SigningError(f"the timestamp server at {tsa_url} could not be reached, so nothing was signed",
                               code="sign.tsa_unreachable",
                               hint="Check the address and your connection, or sign without --tsa-url (the signature "
                                    "then stops verifying when your certificate expires).") from exc
        if "decode error" in text or "timestamp" in text:
            raise SigningError(f"the server at {tsa_url} did not answer with an RFC 3161 timestamp, so nothing was "
                               "signed", code="sign.tsa_bad_answer",
                               hint="Check that the address is a time-stamping service (RFC 3161).") from exc
        if "uri" in text or "url" in text:
            raise SigningError(f"'{tsa_url[:200]}' is not a usable address for a timestamp server",
                               code="sign.tsa_url") from exc
        raise


# --- reading -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawStore:
    """What c2pa-rs says about a file, as plain data."""

    store: dict[str, Any]  # the manifest store JSON (active_manifest, manifests, validation_*)
    state: str  # "Invalid" | "Valid" | "Trusted"
    embedded: bool
    remote_url: str | None
    claim_thumbnail: bytes | None = None  # the active manifest's raster claim thumbnail, when asked for


#: No network for c2pa-rs: ``remote_manifest_fetch: false`` does not stop it from resolving the
#: ``did:web`` identities named inside a file (DNS, then HTTPS to the host the file chose); an empty
#: ``core.allowed_network_hosts`` does (checked under strace: tests/hostile/test_offline.py).
OFFLINE: dict[str, Any] = {"core": {"allowed_network_hosts": []}}


def _read_settings(trust: dict[str, Any] | None, allow_remote: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "verify": {
            "verify_trust": True,
            "remote_manifest_fetch": allow_remote,
            "ocsp_fetch": False,
        },
    }
    if trust:
        settings["trust"] = dict(trust)
    if not allow_remote:
        settings.update(OFFLINE)
    return settings


_USED_IN: set[int] = set()


def _mark_used(size: int = 0) -> None:
    """This process uses c2pa (see ``worker_context``), now on an asset of ``size`` bytes: glibc's allocator is
    tuned for it, as in the processes handmade owns (``handmade.tuning``; a library caller opts out with
    HANDMADE_DEFAULT_MALLOC=1)."""
    _USED_IN.add(os.getpid())
    from handmade.tuning import tune_allocator, tune_for_size

    tune_allocator()
    tune_for_size(size)


def _only_thread() -> bool:
    """True when this process runs one OS thread (Linux: /proc/self/task), so a fork copies no lock held
    by another thread. Elsewhere, or when unsure, False."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def worker_context() -> Any:
    """The multiprocessing context for handmade's worker children (batch pool, per-file time limits).

    A plain fork costs a few milliseconds, but c2pa-rs starts native threads (an async runtime, used for
    CAWG identity checks) the first time it validates such a manifest, and a child forked after that can
    hang on the same kind of file. So: fork while this process has not used c2pa yet, or still runs a
    single thread (checked, not assumed); else children come from a fork server started clean, with
    handmade, c2pa and Pillow already imported.
    """
    import multiprocessing

    if os.getpid() not in _USED_IN or _only_thread():
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["handmade.verify", "handmade.sign", "handmade.batch", "c2pa", "PIL.Image",
                                "PIL.JpegImagePlugin"])
    return ctx


def _context(settings_json: str) -> Any:
    """A reusable c2pa Context per distinct settings (building one parses the trust list).

    Keyed by process: c2pa-python invalidates Contexts in a forked child ("Context is not valid"), and
    handmade forks for batch workers and per-file time limits.
    """
    _mark_used()
    return _context_for_pid(settings_json, os.getpid())


@lru_cache(maxsize=16)
def _context_for_pid(settings_json: str, pid: int) -> Any:
    return _c2pa().Context.from_json(settings_json)


_READ_CONTEXTS: dict[tuple[int, str, bool], Any] = {}


def _read_context(trust: dict[str, Any] | None, trust_key: str, allow_remote: bool) -> Any:
    """The reading Context for a trust configuration, cached by its key (the settings carry hundreds of KB of
    PEM, too much to serialise and hash on every read), per process as ``_context`` is."""
    _mark_used()
    key = (os.getpid(), trust_key, allow_remote)
    ctx = _READ_CONTEXTS.get(key)
    if ctx is None:
        if len(_READ_CONTEXTS) >= 16:
            _READ_CONTEXTS.clear()
        ctx = _READ_CONTEXTS[key] = _c2pa().Context.from_json(json.dumps(_read_settings(trust, allow_remote)))
    return ctx


#: A bare JPEG XL codestream (no ISO BMFF container) has no box to hold a manifest store.
_JXL_CODESTREAM = b"\xff\x0a"


def _try_reader(data: bytes, mime: str, ctx: Any) -> Any:
    """``Reader.try_create`` on ``data``; None when there is no manifest, or none can be there (a bare
    JPEG XL codestream, which c2pa-rs reports as an error)."""
    if mime == "image/jxl" and data.startswith(_JXL_CODESTREAM):
        return None
    from handmade.files import as_stream

    return _c2pa().Reader.try_create(mime, as_stream(data), context=ctx)


def read_store(data: bytes, mime: str, *, trust: dict[str, Any] | None = None, trust_key: str = "",
               allow_remote: bool = False) -> RawStore | None:
    """Read and validate the manifest store of an asset held in memory.

    ``trust`` is the ``trust`` section of c2pa-rs's settings (``TrustConfig.settings()``), ``trust_key`` a
    stable name for it. Returns None when the asset has no C2PA manifest.
    Raises: InputError (unsupported type, corrupt file, unreadable or remote-only manifest).
    """
    ctx = _read_context(trust, trust_key or json.dumps(trust, sort_keys=True), allow_remote)
    _mark_used(len(data))
    with _map_errors("Reading the manifest"):
        reader = _try_reader(data, mime, ctx)
        if reader is None:
            return None
        with reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state() or store.get("validation_state") or "Invalid"
            embedded = bool(reader.is_embedded())
            remote = reader.get_remote_url()
    return RawStore(store=store, state=str(state), embedded=embedded, remote_url=remote)


def _read_with(data: bytes, mime: str, ctx: Any, view: Callable[[Any], Any]) -> Any:
    """``view(reader)`` for the asset read under ``ctx``; None when it has no manifest. Raises: InputError."""
    with _map_errors("Reading the manifest"):
        reader = _try_reader(data, mime, ctx)
        if reader is None:
            return None
        with reader:
            return view(reader)


def read_crjson(data: bytes, mime: str, *, trust: dict[str, Any] | None, trust_key: str,
                allow_remote: bool = False, store: bytes | None = None) -> dict[str, Any] | None:
    """The manifest store as crJSON (the C2PA JSON form the conformance program evaluates), validated under
    ``trust``; ``store``: a manifest store kept apart (a registry's), read against ``data``. Returns None when
    the asset has no manifest. Raises: InputError."""
    ctx = _read_context(trust, trust_key, allow_remote)
    if store is not None:
        from handmade.files import as_stream

        with _map_errors("Reading the registered manifest"), \
                _c2pa().Reader(mime, as_stream(data), manifest_data=store, context=ctx) as reader:
            doc: Any = json.loads(reader.crjson())
    else:
        doc = _read_with(data, mime, ctx, lambda r: json.loads(r.crjson()))
    if doc is None:
        return None
    return doc if isinstance(doc, dict) else {"crjson": doc}


def read_views(data: bytes, mime: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]] | None:
    """The manifest store as c2pa-rs details it (``Reader.detailed_json``: claims, assertion store,
    signatures), its CrJSON view (``Reader.crjson``: each signing certificate's details) and each manifest's
    signature (COSE_Sign1 bytes, by manifest label; it carries the certificate chain), or None when the asset
    has no manifest. Validation uses no trust anchors (these views are for inspection).

    Neither JSON view holds the certificates themselves, so the signature is read as a resource:
    ``resource_to_stream("self#jumbf=/c2pa/<label>/c2pa.signature")`` answers with the JUMBF manifest store
    that holds that box (``_jumbf_signature`` takes the box's CBOR payload out of it).

    Raises: InputError (unsupported type, corrupt file, unreadable manifest).
    """
    c2pa = _c2pa()
    ctx = _context(json.dumps(_read_settings(None, False), sort_keys=True))
    with _map_errors("Reading the manifest"):
        reader = _try_reader(data, mime, ctx)
        if reader is None:
            return None
        with reader:
            detailed = json.loads(reader.detailed_json())
            signatures: dict[str, bytes] = {}
            manifests = detailed.get("manifests")
            for label in manifests if isinstance(manifests, dict) else ():
                out = io.BytesIO()
                try:
                    reader.resource_to_stream(f"self#jumbf=/c2pa/{label}/c2pa.signature", out)
                except (c2pa.C2paError, ValueError, OSError):
                    continue  # no chain for this manifest; its certificate details still come from CrJSON
                cose = _jumbf_signature(out.getvalue(), label)
                if cose is not None:
                    signatures[label] = cose
            return detailed, json.loads(reader.crjson()), signatures


# --- JUMBF (ISO/IEC 19566-5) framing, only to reach a signature box's payload --------------------------------
# A box is LBox (4 bytes, big-endian size including the header; 1: an 8-byte XLBox follows; 0: to the end) and
# TBox (4 bytes). A "jumb" superbox holds a "jumd" description box (16-byte type UUID, 1 toggle byte, then a
# NUL-terminated label when toggle bit 0x02 is set) and its content boxes. A manifest store is jumb "c2pa" >
# jumb <manifest label> > jumb "c2pa.signature" > "cbor" box, whose payload is the COSE_Sign1 (decoded with
# cbor2 by handmade.verify: no CBOR is parsed here).
def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box between ``start`` and ``end``; stops at a malformed one."""
    off = start
    while off + 8 <= end:
        size, kind = int.from_bytes(data[off:off + 4], "big"), data[off + 4:off + 8]
        head = 8
        if size == 1:
            if off + 16 > end:
                return
            size, head = int.from_bytes(data[off + 8:off + 16], "big"), 16
        elif size == 0:
            size = end - off
        if size < head or off + size > end:
            return
        yield kind, off + head, off + size
        off += size


def _jumb_label(data: bytes, start: int, end: int) -> str | None:
    """The label in the description box of the superbox whose payload is ``start:end``."""
    for kind, body, box_end in _boxes(data, start, end):
        if kind != b"jumd" or body + 17 > box_end or not data[body + 16] & 0x02:
            return None
        label = data[body + 17:box_end].split(b"\0", 1)[0]
        return label.decode("utf-8", "replace")
    return None


def _jumbf_signature(store: bytes, manifest: str) -> bytes | None:
    """The payload of the ``cbor`` box of manifest ``manifest``'s ``c2pa.signature`` box in a JUMBF store."""
    path = ("c2pa", manifest, "c2pa.signature")
    start, end = 0, len(store)
    for want in path:
        found = None
        # the store is the outermost box; below it, the superbox with the label wanted among the children
        for kind, body, box_end in _boxes(store, start, end):
            if kind == b"jumb" and _jumb_label(store, body, box_end) == want:
                found = (body, box_end)
                break
        if found is None:
            return None
        start, end = found
    for kind, body, box_end in _boxes(store, start, end):
        if kind == b"cbor":
            return store[body:box_end]
    return None


#: Thumbnail formats handed on to the page as pictures; an SVG "thumbnail" (a document) never is.
_RASTER_THUMBNAILS = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"})


def _resource(reader: Any, ref: Any, max_bytes: int) -> tuple[str, bytes] | None:
    """A manifest's thumbnail resource (format, bytes) as c2pa-rs reads it; None when it is missing, not a raster
    picture, over ``max_bytes`` or unreadable."""
    if not isinstance(ref, dict) or not isinstance(ref.get("identifier"), str):
        return None
    out = io.BytesIO()
    try:
        reader.resource_to_stream(ref["identifier"], out)
    except (_c2pa().C2paError, ValueError, OSError):
        return None
    blob = out.getvalue()
    fmt = str(ref.get("format") or "image/jpeg")
    return (fmt, blob) if 0 < len(blob) <= max_bytes and fmt in _RASTER_THUMBNAILS else None


def read_thumbnails(data: bytes, mime: str, *, max_ingredients: int = 8,
                    max_bytes: int = 512 * 1024) -> tuple[tuple[str, bytes] | None, list[tuple[str, str, bytes]]]:
    """The active manifest's claim thumbnail (format, bytes) and its ingredients' thumbnails (title, format,
    bytes), as stored in the manifest (c2pa-rs reads the resources; nothing is decoded here). A thumbnail
    over ``max_bytes`` or that cannot be read is left out.

    Raises: InputError (unreadable manifest); a file without one gives (None, []).
    """
    ctx = _context(json.dumps(_read_settings(None, False), sort_keys=True))
    with _map_errors("Reading the manifest"):
        reader = _try_reader(data, mime, ctx)
        if reader is None:
            return None, []
        with reader:
            store = json.loads(reader.json())
            active = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
            claim = _resource(reader, active.get("thumbnail"), max_bytes)
            ingredients = []
            for ing in (active.get("ingredients") or [])[:max_ingredients]:
                got = _resource(reader, ing.get("thumbnail"), max_bytes) if isinstance(ing, dict) else None
                if got is not None:
                    ingredients.append((str(ing.get("title") or ""), got[0], got[1]))
    return claim, ingredients


@lru_cache(maxsize=1)
def writable_mimes() -> frozenset[str]:
    """MIME types c2pa-rs can embed a manifest into."""
    _mark_used()
    return frozenset(_c2pa().Builder.get_supported_mime_types())


# --- signing -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ingredient:
    """A parent asset whose manifest is kept as an ingredient."""

    data: bytes
    mime: str
    definition: dict[str, Any]


def sign_bytes(
    manifest: dict[str, Any],
    data: bytes,
    mime: str,
    identity: SigningIdentity,
    *,
    ingredient: Ingredient | None = None,
    thumbnail: bytes | None = None,
    engine_thumbnail: int | None = None,
    tsa_url: str | None = None,
    out: BinaryIO | None = None,
) -> bytes:
    """Embed and sign ``manifest`` into the asset ``data``; return the signed asset's bytes (or b"" when
    they were written to ``out``, a file opened for reading and writing).

    Signing happens in memory: c2pa-python's file-stream callbacks cost twice as much (C2PA-NOTES). A big
    film (``data`` a ``files.FileData``) is read through its file handle and written to ``out`` instead.
    c2pa-rs's default claim thumbnail decodes the whole image at full size; we switch it off and, where the
    caller made one cheaply, attach ``thumbnail`` as the claim thumbnail resource instead, or, with
    ``engine_thumbnail=N``, let c2pa-rs make one whose long edge is N pixels.

    Raises: SigningError (unsupported format, signer refused, c2pa-rs failure).
    """
    from handmade.files import as_stream

    c2pa = _c2pa()
    thumb_settings: dict[str, Any] = {"enabled": False}
    if engine_thumbnail is not None and thumbnail is None:
        # c2pa-rs's own decoder is faster than Pillow's for PNG and the rest (not for JPEG, which Pillow
        # decodes at 1/8 scale); bounded to the same size, JPEG where it can, none if it cannot decode.
        thumb_settings = {"enabled": True, "long_edge": engine_thumbnail, "format": "jpeg", "quality": "medium",
                          "prefer_smallest_format": True, "ignore_errors": True}
    # Signing validates the parent ingredient: offline too. The timestamp request does not go through
    # c2pa-rs's host allow-list (seen under strace), so --tsa-url still reaches its authority, and only it.
    # c2pa-rs's own check after signing (verify_after_sign) is off: sign.py re-reads every output with a full
    # validation before it is written (the self-check), so it was the same work twice (12 MP JPEG: 9.1 -> 7.8 ms
    # without a thumbnail, measured 2026-12-01).
    settings: dict[str, Any] = {"builder": {"thumbnail": thumb_settings}, "verify": {"verify_after_sign": False},
                                **OFFLINE}
    definition = dict(manifest)
    if thumbnail is not None:
        definition["thumbnail"] = {"format": "image/jpeg", "identifier": "handmade-thumbnail.jpg"}
    ctx = _context(json.dumps(settings, sort_keys=True))
    _mark_used(len(data))
    with _tsa_errors(tsa_url), _map_errors("Signing", signing=True):
        token = None
        if identity.pkcs11 is not None:  # the key stays in its token: c2pa calls back for the signature
            from handmade._pkcs11 import TokenSession

            token = TokenSession(identity.pkcs11, identity.alg)
            signer = c2pa.Signer.from_callback(token.sign, getattr(c2pa.C2paSigningAlg, identity.alg.upper()),
                                               identity.chain_pem.decode(), tsa_url)
        else:
            info = c2pa.C2paSignerInfo(identity.alg.encode(), identity.chain_pem, identity.private_key_pem,
                                       tsa_url.encode() if tsa_url else None)
            signer = c2pa.Signer.from_info(info)
        with signer, c2pa.Builder.from_json(definition, context=ctx) as builder, \
                contextlib.nullcontext() if token is None else token:
            if thumbnail is not None:
                builder.add_resource("handmade-thumbnail.jpg", io.BytesIO(thumbnail))
            if ingredient is not None:
                builder.add_ingredient_from_stream(ingredient.definition, ingredient.mime,
                                                   as_stream(ingredient.data))
            target = io.BytesIO() if out is None else out
            builder.sign(signer, mime, as_stream(data), target)
    return target.getvalue() if isinstance(target, io.BytesIO) else b""


# --- manifest stores apart from their asset (the registry) ----------------------------------------------
def manifest_store_bytes(data: bytes, mime: str) -> tuple[str, bytes] | None:
    """The active manifest's label and the whole manifest store of an asset, as bytes (the JUMBF ``c2pa``
    superbox c2pa-rs exports: every manifest of the store, checked on a three-manifest Photoshop file).

    Returns None when the asset has no manifest. Raises: InputError (unreadable manifest).
    """
    ctx = _context(json.dumps(_read_settings(None, False), sort_keys=True))

    def export(reader: Any) -> tuple[str, bytes]:
        active = str(json.loads(reader.json()).get("active_manifest") or "")
        out = io.BytesIO()
        reader.resource_to_stream(f"self#jumbf=/c2pa/{active}", out)
        return active, out.getvalue()

    found = _read_with(data, mime, ctx, export)
    if found is None:
        return None
    label, blob = found
    if not label or blob[4:8] != b"jumb" or b"c2pa" not in blob[8:40]:
        raise InputError("the manifest store could not be exported", code="manifest.unreadable")
    return label, blob


def read_store_against(data: bytes, mime: str, store: bytes, *, trust: dict[str, Any] | None,
                       trust_key: str, with_thumbnail: bool = False) -> RawStore:
    """Validate a manifest store kept apart (a registry's copy) against ``data``, offline: the claim signature
    and the credential are checked as for an embedded store; the hard binding compares the store with these
    bytes (a re-encoded copy fails it: ``assertion.dataHash.mismatch``). ``with_thumbnail``: also the active
    manifest's claim thumbnail (``claim_thumbnail``), read by c2pa-rs from the store.

    Raises: InputError (a store c2pa-rs cannot read).
    """
    from handmade.files import as_stream

    ctx = _read_context(trust, trust_key, False)
    with _map_errors("Reading the registered manifest"), \
            _c2pa().Reader(mime, as_stream(data), manifest_data=store, context=ctx) as reader:
        parsed = json.loads(reader.json())
        state = reader.get_validation_state() or parsed.get("validation_state") or "Invalid"
        thumbnail = None
        if with_thumbnail:
            active = (parsed.get("manifests") or {}).get(parsed.get("active_manifest") or "") or {}
            found = _resource(reader, active.get("thumbnail") if isinstance(active, dict) else None, 512 * 1024)
            thumbnail = found[1] if found else None
    return RawStore(store=parsed, state=str(state), embedded=False, remote_url=None, claim_thumbnail=thumbnail)
