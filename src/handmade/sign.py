"""Sign one image as human-made, without ever laundering AI, and prove the result before writing it.

This module's role is the manifest handmade writes, the refusal of AI histories, and the signing of one file
with its self-check; the pixels and EXIF/XMP it needs are ``handmade._imaging``'s, batches ``handmade.batch``'s.

What a signed file carries (C2PA 2.1 manifest, through c2pa-rs only):
- ``c2pa.actions.v2``: ``c2pa.created`` with the IPTC digital source type of ``--made-with`` for a file
  with no manifest, or ``c2pa.opened`` (naming the kept parent) + ``c2pa.edited`` for a file that has one;
  ``allActionsIncluded: true`` and a ``humanEdits`` template for every action (the "handmade" shape
  Adobe's SDK checks with ``isHandmade``);
- ``cawg.metadata`` with ``dc:creator`` and ``dc:rights`` (CAWG metadata; not ``c2pa.metadata``, whose
  allow-list excludes ``dc:creator``, nor the deprecated schema.org CreativeWork);
- the training-and-data-mining assertion under both ``cawg.training-mining`` and the legacy
  ``c2pa.training-mining``, every use ``notAllowed`` unless the author allows it;
- the existing manifest, if any, as the ``parentOf`` ingredient.
The same facts are written where non-C2PA readers look (EXIF Artist/Copyright, XMP IPTC
DigitalSourceType, PLUS DataMining), before signing, without re-encoding pixels.

c2pa-rs does not stop laundering (it drops an old manifest when asked to "create"), so the input is read
first and signing is refused when its own history, or its unsigned metadata, shows a generative step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from handmade import __version__, _c2pa, labels
from handmade._background import Background
from handmade._imaging import (
    THUMBNAIL_SIZE,
    check_pixels,
    make_thumbnail,
    picture_fingerprint,
    stamp_badge,
    thumbnail_and_fingerprint,
    write_plain_metadata,
)
from handmade.errors import HandmadeError, SigningError
from handmade.files import (
    DEFAULT_MAX_BYTES,
    FORMAT_NAMES,
    NOT_RASTER,
    FileData,
    LoadedFile,
    StagedWrite,
    jxl_container,
    load_input,
    loaded_from_bytes,
    same_file,
)
from handmade.fingerprint import Fingerprint, soft_binding_assertion
from handmade.keys import SigningIdentity, bundled_test_identity
from handmade.messages import t as _t
from handmade.models import ProvenanceReport, SignResult
from handmade.verify import TrustAnchors, inspect_loaded

log = logging.getLogger(__name__)

PARENT_LABEL = "parent"

TEST_IDENTITY_WARNING = _t("warn.test_identity")  # the English of the catalog's entry


class TestIdentityWarning(UserWarning):
    """Issued (Python ``warnings``) when a library call signs with the bundled public TEST identity."""

    __test__ = False  # not a test class for pytest


def _warn_test_identity(identity: SigningIdentity, stacklevel: int = 3) -> None:
    if identity.is_test_identity:
        import warnings

        warnings.warn(TEST_IDENTITY_WARNING, TestIdentityWarning, stacklevel=stacklevel)


@dataclass(frozen=True)
class SignOptions:
    """What to assert when signing. ``made_with`` is a key of ``labels.MADE_WITH``."""

    author: str | None = None
    made_with: str = "camera"
    allow_ai_training: bool = False
    rights: str | None = None
    #: ``not-allowed`` | ``allowed`` | ``licensed`` (None: ``allowed`` if ``allow_ai_training``, else not).
    ai_training: str | None = None
    #: Where an AI-training licence can be obtained (a URL or a contact); required by ``licensed``.
    ai_license: str | None = None
    tsa_url: str | None = None
    badge: bool = False
    lang: str = "en"
    thumbnail: bool = True
    write_metadata: bool = True
    #: Write the picture's perceptual fingerprint as a ``c2pa.soft-binding`` assertion (``io.iscc.v0``), so that a
    #: copy that lost its manifest can be matched in a registry (``handmade.fingerprint``); pictures only.
    soft_binding: bool = True

    @property
    def training(self) -> str:
        """The AI-training choice: ``not-allowed``, ``allowed`` or ``licensed``."""
        return self.ai_training or ("allowed" if self.allow_ai_training else "not-allowed")


def check_training(options: SignOptions) -> None:
    """Refuse an AI-training choice that cannot be written. Raises: SigningError (``sign.ai_training``)."""
    if options.training not in labels.TRAINING_CHOICES:
        raise SigningError(f"unknown AI-training choice '{options.training}'", code="sign.ai_training",
                           hint="One of: " + ", ".join(labels.TRAINING_CHOICES))
    if options.training == "licensed" and not (options.ai_license or "").strip():
        raise SigningError("'licensed' AI training needs --ai-license: where a licence can be obtained",
                           code="sign.ai_training", hint="Give a URL or a contact, e.g. --ai-license "
                                                         "https://example.org/licensing")
    if options.ai_license and options.training != "licensed":
        raise SigningError("--ai-license is only written with --ai-training licensed", code="sign.ai_training")
    if options.allow_ai_training and options.ai_training not in (None, "allowed"):
        raise SigningError(f"--allow-ai-training contradicts --ai-training {options.ai_training}",
                           code="sign.ai_training")


#: Findings that say part of the history could not be examined (beyond an unvouched-for origin).
_UNEXAMINED = {"lineage.truncated", "lineage.cycle", "lineage.manifest_missing", "lineage.redacted",
               "lineage.unknown_source_type", "lineage.no_active"}


def _refuse_generative(report: ProvenanceReport) -> None:
    """Refuse inputs whose history cannot honestly be called human-made. Raises: SigningError."""
    if report.error is not None:
        raise SigningError(
            f"{report.path}: its existing Content Credentials cannot be read ({report.error.message}), so "
            "handmade cannot check that its history has no AI step", code="sign.unreadable_history",
            hint="Ask the sender for a file whose Content Credentials can be read.")
    if report.ai in ("generative", "ai_assisted"):
        steps = "; ".join(
            f"{s.action or s.kind} ({s.reason})" for s in report.generative_steps[:3]) or "a generative step"
        raise SigningError(
            f"{report.path}: refused: its own history contains generative AI ({steps}). handmade never labels "
            "AI-made or AI-assisted images as made by hand", code="sign.generative_history",
            hint="Only images whose whole history is human-made can be signed.")
    if report.state == "invalid":
        # A history that does not validate is not evidence of anything: whatever it says about AI could
        # have been written by anyone after the fact.
        why = "; ".join(dict.fromkeys(f.message.rstrip(".") for f in report.findings if f.severity == "error"))
        raise SigningError(
            f"{report.path}: refused: its existing Content Credentials do not validate ({why[:400] or 'invalid'}), "
            "so its history proves nothing and cannot be carried forward as human-made",
            code="sign.broken_history", hint="Sign the original file, or one whose Content Credentials validate.")
    if report.ai == "possibly_generative":
        steps = "; ".join(f"{s.action or s.kind} ({s.reason})" for s in report.possibly_generative_steps[:3])
        raise SigningError(
            f"{report.path}: refused: its history has a step that may contain generative AI "
            f"({steps or 'see the report'})",
            code="sign.possibly_generative_history",
            hint="Only images whose whole history is human-made can be signed.")
    unexamined = [f for f in report.findings if f.code in _UNEXAMINED]
    if report.ai == "unknown" and report.state != "no_manifest" and (
            unexamined or report.provenance != "unknown_origin"):
        why = "; ".join(f.message.rstrip(".") for f in unexamined[:2]) or (
            "its history uses a digital source type handmade does not know")
        raise SigningError(
            f"{report.path}: refused: part of its history cannot be examined ({why}), so it cannot be shown to "
            "be free of AI", code="sign.unknown_history")
    if report.hints_suggest == "generative":
        hint = next(h for h in report.hints if h.signal == "generative")
        raise SigningError(
            f"{report.path}: refused: its metadata says it was made with AI ({hint.field}: {hint.value[:80]})",
            code="sign.generative_hint", hint="handmade never labels AI-made images as made by hand.")


def _actions(parent: bool, options: SignOptions, source_type: str, claim_origin: bool = False) -> dict[str, Any]:
    agent = {"name": "handmade", "version": __version__}
    actions: list[dict[str, Any]]
    if parent:
        # C2PA 2.1 §18.15.4.1: the first action is c2pa.opened naming the parent ingredient.
        opened: dict[str, Any] = {"action": "c2pa.opened", "softwareAgent": agent,
                                  "parameters": {"ingredientIds": [PARENT_LABEL]}}
        if claim_origin:
            # The parent's own base has no Content Credentials (an unsigned RAW under a Lightroom export):
            # the signer states its origin here, as theirs (a source type on c2pa.opened says what was
            # opened; the conformance rubric's evaluator reads a flat ingredient's origin the same way).
            opened["digitalSourceType"] = labels.iptc_uri(source_type)
            opened["description"] = ("The signer states the origin of the part of this history that has no "
                                     f"Content Credentials: {labels.SOURCE_TYPES[source_type.lower()].en}")
        actions = [
            opened,
            {"action": "c2pa.edited", "softwareAgent": agent,
             "digitalSourceType": labels.iptc_uri("humanEdits"),
             "description": "Signed as human-made; authorship and AI-training preferences added"},
        ]
    else:
        actions = [{"action": "c2pa.created", "softwareAgent": agent,
                    "digitalSourceType": labels.iptc_uri(source_type)}]
    if options.badge:
        actions.append({"action": "c2pa.edited", "softwareAgent": agent,
                        "digitalSourceType": labels.iptc_uri("humanEdits"),
                        "description": f"Visible label \"{_t('handmade', options.lang)}\" added"})
    return {
        "label": "c2pa.actions.v2",
        "data": {
            "actions": actions,
            "allActionsIncluded": True,
            "templates": [{"action": "*", "digitalSourceType": labels.iptc_uri("humanEdits")}],
        },
    }


def _rights(options: SignOptions) -> str | None:
    if options.rights:
        return options.rights
    if not options.author:
        return None
    year = dt.date.today().year
    suffix = {"allowed": "",
              "licensed": f" AI training and text and data mining only under licence: {options.ai_license}."
              }.get(options.training, " No AI training or text and data mining without permission.")
    return f"© {year} {options.author}. All rights reserved.{suffix}"


def build_manifest(title: str, options: SignOptions, *, parent: bool, claim_origin: bool = False,
                   fingerprint: Fingerprint | None = None) -> dict[str, Any]:
    """The manifest definition handmade signs (see the module docstring); ``fingerprint`` adds the
    ``c2pa.soft-binding`` assertion. Raises: SigningError."""
    if options.made_with not in labels.MADE_WITH:
        raise SigningError(f"unknown --made-with '{options.made_with}'", code="sign.made_with",
                           hint="One of: " + ", ".join(labels.MADE_WITH))
    check_training(options)
    source_type = labels.MADE_WITH[options.made_with]
    assertions: list[dict[str, Any]] = [_actions(parent, options, source_type, claim_origin)]
    metadata: dict[str, Any] = {
        "@context": {"dc": "http://purl.org/dc/elements/1.1/",
                     "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"},
    }
    if options.author:
        metadata["dc:creator"] = [options.author]
    if (rights := _rights(options)) is not None:
        metadata["dc:rights"] = rights
    if not parent:
        metadata["Iptc4xmpExt:DigitalSourceType"] = labels.iptc_uri(source_type)
    if len(metadata) > 1:
        assertions.append({"label": "cawg.metadata", "kind": "Json", "data": metadata})
    for label in labels.TRAINING_LABELS:
        assertions.append(labels.training_assertion(label, use=labels.TRAINING_CHOICES[options.training],
                                                    constraint_info=options.ai_license))
    if fingerprint is not None:
        assertions.append(soft_binding_assertion(fingerprint))
    return {
        "claim_generator_info": [{"name": "handmade", "version": __version__}],
        "title": title[:200],
        "assertions": assertions,
    }

def _embed(loaded: LoadedFile, options: SignOptions, identity: SigningIdentity | None,
           out: BinaryIO | None = None) -> tuple[bytes, bool]:
    """Check the history, then write metadata and sign. Returns (signed bytes, parent kept); not yet checked.
    With ``out`` (a big film's staged output file) the signed asset is written there and b"" returned.

    Raises: as ``sign_loaded``.
    """
    if loaded.mime not in _c2pa.writable_mimes():
        raise SigningError(f"{loaded.path}: {loaded.mime} cannot carry an embedded C2PA manifest here",
                           code="sign.unsupported_format",
                           hint="Supported: " + ", ".join(sorted(_c2pa.writable_mimes())))
    if options.badge and loaded.mime in NOT_RASTER:
        raise SigningError(f"{loaded.path}: a visible badge is drawn on pictures only, not on "
                           f"{FORMAT_NAMES.get(loaded.mime, loaded.mime)}", code="sign.badge_format",
                           hint="Sign it without --badge: the Content Credentials do not need one.")
    identity = identity or bundled_test_identity()
    if loaded.mime == "image/jxl" and loaded.data.startswith(b"\xff\x0a"):
        # A bare codestream has no box for a manifest: it goes into the standard container, unchanged.
        loaded = LoadedFile(loaded.path, jxl_container(loaded.data), loaded.mime)
    # A JPEG thumbnail's decode is the slowest step and runs without the GIL (one decode call): it goes on
    # in a thread while the history is checked and the metadata written (pixels are the same before and
    # after; a badge changes them, so its thumbnail is made after it). Other formats get c2pa-rs's own
    # thumbnail, made while it signs.
    # The fingerprint comes from the same decode (at reduced scale) when the thumbnail is made here; else from its
    # own, in a thread too. A badge changes the pixels, so both are taken after it is drawn.
    wants_fp = options.soft_binding and loaded.mime not in NOT_RASTER
    early = (Background(thumbnail_and_fingerprint, loaded, fingerprint=wants_fp)
             if options.thumbnail and not options.badge and loaded.mime == "image/jpeg" else None)
    early_fp = (Background(picture_fingerprint, loaded)
                if wants_fp and not options.badge and early is None else None)
    try:
        before = inspect_loaded(loaded, trust=None, with_digest=False)  # the history check needs no digest
        _refuse_generative(before)
        parent = before.state != "no_manifest"
        work = stamp_badge(loaded, options.lang) if options.badge else loaded
        if options.write_metadata:
            work = write_plain_metadata(
                work, author=options.author, rights=_rights(options), training=options.training,
                ai_license=options.ai_license, source_type=None if parent else labels.MADE_WITH[options.made_with])
        fp: Fingerprint | None = None
        thumbnail: bytes | None = None
        if early is not None:
            thumbnail, fp = early.result()
        elif early_fp is not None:
            fp = early_fp.result()
        elif wants_fp and options.thumbnail and work.mime == "image/jpeg":
            thumbnail, fp = thumbnail_and_fingerprint(work)
        elif wants_fp:
            fp = picture_fingerprint(work)
        manifest = build_manifest(Path(loaded.path).name, options, parent=parent,
                                  claim_origin=before.provenance == "unknown_origin", fingerprint=fp)
        ingredient = None
        if parent:
            ingredient = _c2pa.Ingredient(
                data=loaded.data, mime=loaded.mime,
                definition={"title": Path(loaded.path).name, "relationship": "parentOf", "label": PARENT_LABEL})
        engine = None
        if early is not None or (wants_fp and thumbnail is not None):
            pass  # made with the fingerprint
        elif options.thumbnail and work.mime == "image/jpeg":
            thumbnail = make_thumbnail(work)
        elif options.thumbnail and work.mime in NOT_RASTER:
            engine = THUMBNAIL_SIZE  # c2pa-rs makes one if it can (not for films, SVG or PDF here), else none
        elif options.thumbnail:  # PNG, WebP, TIFF...: c2pa-rs decodes them faster than Pillow (PNG 12 MP:
            check_pixels(work)   # 120 ms against 250 ms), once the header shows no decompression bomb
            engine = THUMBNAIL_SIZE
    finally:
        for pending in (early, early_fp):
            if pending is not None:
                pending.wait()  # a refusal never leaves a decode running behind it
    signed = _c2pa.sign_bytes(manifest, work.data, work.mime, identity, ingredient=ingredient,
                              thumbnail=thumbnail, engine_thumbnail=engine, tsa_url=options.tsa_url, out=out)
    return signed, parent


def _self_check(loaded: LoadedFile, signed: bytes, parent: bool, trust: TrustAnchors | None) -> ProvenanceReport:
    """Prove the result before anyone sees it: it must read back intact, well signed and human-made.

    Checked against the caller's anchors only, so the summary printed after signing is what a verifier
    with the same configuration will see (the test identity is not silently trusted).
    Raises: SigningError (``sign.self_check_failed``).
    """
    after = inspect_loaded(LoadedFile(loaded.path, signed, loaded.mime), trust=trust, with_hints=False)
    problems = []
    if after.state not in ("valid", "trusted"):
        problems.append(f"state {after.state}: " + " ".join(f.message for f in after.findings[:3]))
    if after.ai != "none_declared" or not after.human_authored:
        problems.append(f"reads back as ai={after.ai}, human_authored={after.human_authored}")
    if problems:
        raise SigningError(f"{loaded.path}: the signed result does not verify: " + " / ".join(problems),
                           code="sign.self_check_failed")
    return after


def sign_loaded(loaded: LoadedFile, options: SignOptions, identity: SigningIdentity | None = None,
                *, trust: TrustAnchors | None = None) -> tuple[bytes, ProvenanceReport, bool]:
    """Sign an image held in memory. Returns (signed bytes, report of re-reading them, parent kept).

    Raises: SigningError (refused history, unsupported format, signing or self-check failure),
    InputError (undecodable image for a badge, decompression bomb).
    """
    signed, parent = _embed(loaded, options, identity)
    return signed, _self_check(loaded, signed, parent, trust), parent


def sign_image(source: str | os.PathLike[str], output: str | os.PathLike[str], options: SignOptions | None = None,
               identity: SigningIdentity | None = None, *, overwrite: bool = False,
               trust: TrustAnchors | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
               in_place: bool = False) -> SignResult:
    """Sign one image file as human-made and write the result atomically to ``output``.

    The original is never modified unless ``in_place`` is true: an ``output`` that is the input (the same
    path, a symbolic or a hard link to it) is refused otherwise, whatever ``overwrite`` says. The result
    reaches the disk under a temporary name while it is re-verified, and is renamed into place only if that
    check passes (so even in place the original stays whole until then).
    Raises: InputError, SigningError (``output.is_input``, ``output.exists`` ...), KeyMaterialError (bundled
    test identity expired).
    """
    options = options or SignOptions()
    src, dest = Path(source), Path(output)
    if same_file(src, dest):
        if not in_place:
            raise SigningError(f"{dest}: is the input itself; signing would replace the original",
                               code="output.is_input",
                               hint="Choose another output, or pass --in-place to replace the original with "
                                    "its signed version.")
        overwrite = True
    if dest.exists() and not overwrite:
        raise SigningError(f"{dest}: already exists", code="output.exists",
                           hint="Choose another output name, or pass --overwrite (or --skip-existing).")
    loaded = load_input(src, max_bytes=max_bytes)
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    mode = _input_mode(src)
    staging: _StreamedOutput | Background[StagedWrite]
    if loaded.streamed:
        staging = _sign_streamed(loaded, dest, options, identity, overwrite=overwrite, mode=mode)
        signed, parent = staging.signed, staging.parent
    else:
        signed, parent = _embed(loaded, options, identity)
        staging = Background(StagedWrite, dest, signed, overwrite=overwrite, mode=mode)
    try:
        report = _self_check(loaded, signed, parent, trust)
    except BaseException:
        with contextlib.suppress(HandmadeError):
            staging.result().discard()
        raise
    staging.result().commit()
    return SignResult(source=str(src), output=str(dest), report=replace(report, path=str(dest)),
                      source_type=labels.MADE_WITH[options.made_with] if not parent else "humanEdits",
                      parent_kept=parent, bundled_test_identity=identity.is_test_identity, badge=options.badge)


@dataclass
class _StreamedOutput:
    """A big film signed straight into its staged output (read back through a file handle)."""

    staged: StagedWrite
    signed: bytes  # a FileData over the staged file
    parent: bool

    def result(self) -> StagedWrite:
        return self.staged


def _sign_streamed(loaded: LoadedFile, dest: Path, options: SignOptions, identity: SigningIdentity, *,
                   overwrite: bool, mode: int | None) -> _StreamedOutput:
    """Sign a big film without holding it: c2pa-rs reads the input and writes the staged output file."""
    log.debug("%s: %d MB film: signed and checked through file handles", loaded.path, len(loaded.data) // 1_000_000)
    parent: list[bool] = []

    def write(fh: BinaryIO) -> None:
        parent.append(_embed(loaded, options, identity, out=fh)[1])

    staged = StagedWrite(dest, b"", overwrite=overwrite, mode=mode, writer=write)
    assert staged.staged_path is not None
    return _StreamedOutput(staged, cast(bytes, FileData(staged.staged_path)), parent[0])


def _input_mode(src: Path) -> int | None:
    """The input's permission bits, which the signed output keeps (None if it cannot be read now)."""
    try:
        return src.stat().st_mode & 0o777
    except OSError:
        return None


def sign_bytes(data: bytes, name: str, options: SignOptions | None = None,
               identity: SigningIdentity | None = None) -> bytes:
    """Sign an image given as bytes; return the signed bytes. Raises: as ``sign_loaded``."""
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    signed, _, _ = sign_loaded(loaded_from_bytes(data, name), options or SignOptions(), identity)
    return signed


#: How much of a big film signing reads, in film sizes: the file's digest, c2pa-rs's signing pass and its read of
#: the output in the self-check; the progress bar's length (a test pins it).
FILM_SIGN_READS = 3


# --- batches (``handmade.batch``), reachable here too: ``handmade.sign.plan_signing`` is library API -----------
_BATCH_NAMES = frozenset({"IMAGE_SUFFIXES", "SKIP_REASONS", "BatchItem", "BatchResult", "SignPlan", "Skipped",
                          "iter_sign_batch", "plan_batch", "plan_signing", "sign_batch"})


def __getattr__(name: str) -> Any:
    """The batch names, from ``handmade.batch`` (loaded on first use: it imports this module)."""
    if name in _BATCH_NAMES:
        return getattr(importlib.import_module("handmade.batch"), name)
    raise AttributeError(f"module 'handmade.sign' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover
    from handmade.batch import IMAGE_SUFFIXES as IMAGE_SUFFIXES
    from handmade.batch import SKIP_REASONS as SKIP_REASONS
    from handmade.batch import BatchItem as BatchItem
    from handmade.batch import BatchResult as BatchResult
    from handmade.batch import SignPlan as SignPlan
    from handmade.batch import Skipped as Skipped
    from handmade.batch import iter_sign_batch as iter_sign_batch
    from handmade.batch import plan_batch as plan_batch
    from handmade.batch import plan_signing as plan_signing
    from handmade.batch import sign_batch as sign_batch
