"""Sign many files: plan a batch so that no file can be lost, then sign it, in worker processes if asked.

``plan_signing`` walks folders and refuses collisions before anything is signed; ``iter_sign_batch`` and
``sign_batch`` sign the plan with ``handmade.sign.sign_image``, one ``BatchItem`` per file, going on past bad
files. The names are also reachable as ``handmade.sign.<name>`` (the library's earlier home for them).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path

from handmade.errors import HandmadeError, InputError, SigningError
from handmade.files import SIGNABLE_SUFFIXES, output_error, same_file
from handmade.keys import SigningIdentity, bundled_test_identity
from handmade.models import ReportErrorInfo, SignResult
from handmade.sign import SignOptions, TestIdentityWarning, _warn_test_identity, sign_image
from handmade.workers import Failure, failure_error
from handmade.workers import run as run_workers

__all__ = ["IMAGE_SUFFIXES", "SKIP_REASONS", "BatchItem", "BatchResult", "SignPlan", "Skipped", "iter_sign_batch",
           "plan_batch", "plan_signing", "sign_batch"]

#: Names a folder walk offers for signing (one table, in ``handmade.files``).
IMAGE_SUFFIXES = SIGNABLE_SUFFIXES


@dataclass(frozen=True)
class BatchItem:
    """The outcome for one file of a batch: a result or an error, never both."""

    source: str
    output: str
    result: SignResult | None = None
    #: Why the file was not signed, in the one shape errors take in results (``ReportErrorInfo``).
    error: ReportErrorInfo | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def error_code(self) -> str | None:
        return self.error.code if self.error is not None else None

    @property
    def error_message(self) -> str | None:
        return self.error.message if self.error is not None else None


@dataclass(frozen=True)
class BatchResult:
    items: tuple[BatchItem, ...] = field(default_factory=tuple)
    skipped: tuple[Skipped, ...] = ()

    @property
    def succeeded(self) -> tuple[BatchItem, ...]:
        return tuple(i for i in self.items if i.ok)

    @property
    def failed(self) -> tuple[BatchItem, ...]:
        return tuple(i for i in self.items if not i.ok)


#: Why a file found in an input folder is not signed (``Skipped.reason``).
SKIP_REASONS = ("not_image", "raw", "sidecar", "hidden", "output_folder", "exists", "duplicate")
_SIDECARS = {".xmp", ".xml", ".txt", ".json", ".pp3", ".dop", ".cos", ".cof", ".on1", ".aae"}
_RAW = {".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2", ".pef", ".srw",
        ".x3f", ".3fr", ".iiq", ".erf", ".mrw", ".kdc", ".dcr", ".rwl"}


@dataclass(frozen=True)
class Skipped:
    """A file (or folder) a batch does not sign, and why: ``reason`` is one of ``SKIP_REASONS``."""

    path: str
    reason: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class SignPlan:
    """What a batch will do: the (source, destination) pairs to sign, and what it leaves out."""

    pairs: tuple[tuple[Path, Path], ...]
    skipped: tuple[Skipped, ...] = ()


def _skip_reason(f: Path) -> tuple[str, str] | None:
    """Why a file met in a folder walk is not signed, or None to sign it."""
    suffix = f.suffix.lower()
    if f.name.startswith("."):
        return "hidden", "hidden file"
    if suffix in IMAGE_SUFFIXES:
        return None
    if suffix in _RAW:
        return "raw", (f"camera raw ({f.suffix}): C2PA cannot be embedded in it; sign the exported "
                       "JPEG/TIFF/DNG instead")
    if suffix in _SIDECARS:
        return "sidecar", f"sidecar or text file ({f.suffix}), not an image"
    return "not_image", f"{f.suffix or 'no extension'}: not an image format handmade signs"


def _walk(folder: Path, out: Path, skipped: list[Skipped]) -> Iterator[Path]:
    """Files under ``folder``, sorted, never descending into the output folder (which would sign the
    outputs of the last run again) nor into hidden folders; what is left out goes to ``skipped``."""
    out_real = os.path.realpath(out)
    seen = {os.path.realpath(folder)}  # linked folders are followed, each once (a link to a parent is no loop)
    for root, dirs, files in os.walk(folder, followlinks=True):
        kept = []
        for d in sorted(dirs):
            sub = Path(root, d)
            real = os.path.realpath(sub)
            if real == out_real:
                skipped.append(Skipped(str(sub), "output_folder", "the output folder: not signed again"))
            elif d.startswith("."):
                skipped.append(Skipped(str(sub), "hidden", "hidden folder"))
            elif real not in seen:
                seen.add(real)
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            yield Path(root, name)


def plan_signing(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *,
                 in_place: bool = False, skip_existing: bool = False,
                 overwrite: bool = False) -> SignPlan:
    """Plan a batch before anything is signed, so that no file can be lost.

    Folders are walked and their layout is mirrored under ``out_dir``; the output folder is never walked
    (if it lies inside an input folder); files that are not images are listed in ``skipped`` with the
    reason. The plan is refused when two inputs would be written to one output (compared without case, as
    macOS and Windows file systems do), when an output would replace another input, or when an output is
    its own input (the same path, a link to it or a hard link) without ``in_place``. With
    ``skip_existing`` an output that exists is skipped; with ``in_place`` but without ``overwrite`` an
    existing output that is not its own input is refused here rather than failing later.
    Raises: InputError (``input.not_found``), SigningError (``output.collision``, ``output.is_input``,
    ``output.exists``).
    """
    out = Path(out_dir)
    pairs: list[tuple[Path, Path]] = []
    skipped: list[Skipped] = []
    seen_sources: set[str] = set()
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = []
            for f in _walk(p, out, skipped):
                why = _skip_reason(f)
                if why is None and f.is_file():
                    found.append((f, out / f.relative_to(p)))
                elif why is not None:
                    skipped.append(Skipped(str(f), *why))
        elif p.exists():
            found = [(p, out / p.name)]
        else:
            raise InputError(f"{p}: no such file or folder", code="input.not_found")
        for src, dest in found:
            key = os.path.realpath(src)
            if key in seen_sources:
                skipped.append(Skipped(str(src), "duplicate", "given twice: signed once"))
                continue
            seen_sources.add(key)
            pairs.append((src, dest))
    by_dest: dict[str, list[Path]] = {}
    for src, dest in pairs:
        by_dest.setdefault(os.path.realpath(dest).casefold(), []).append(src)
    clashes = [srcs for srcs in by_dest.values() if len(srcs) > 1]
    if clashes:
        listed = "; ".join(" and ".join(str(s) for s in srcs) for srcs in clashes[:5])
        more = f" (and {len(clashes) - 5} more)" if len(clashes) > 5 else ""
        raise SigningError(f"{len(clashes)} output name(s) would be written by two inputs: {listed}{more}; "
                           "nothing was signed", code="output.collision",
                           hint="Give their common parent folder (its layout is mirrored in the output), "
                                "or sign them into different output folders.")
    sources = {os.path.realpath(s): s for s, _ in pairs}
    kept: list[tuple[Path, Path]] = []
    for src, dest in pairs:
        if same_file(src, dest):
            if not in_place:
                raise SigningError(f"{dest}: is the input itself; signing would replace the original. Nothing "
                                   "was signed", code="output.is_input",
                                   hint="Choose another output, or pass --in-place to replace the originals "
                                        "with their signed versions.")
        else:
            other = sources.get(os.path.realpath(dest))
            if other is not None:
                raise SigningError(f"{dest}: would replace the input {other}; nothing was signed",
                                   code="output.is_input", hint="Choose an output folder outside the inputs.")
            if dest.exists():
                if skip_existing:
                    skipped.append(Skipped(str(src), "exists", f"{dest} already exists"))
                    continue
                if in_place and not overwrite:
                    raise SigningError(f"{dest}: already exists and is not its own input; nothing was signed",
                                       code="output.exists", hint="Pass --overwrite, or --skip-existing.")
        kept.append((src, dest))
    return SignPlan(tuple(kept), tuple(skipped))


def plan_batch(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str]) -> list[tuple[Path, Path]]:
    """Pairs (source, destination) for files and folders (see ``plan_signing``, whose checks apply).

    Raises: as ``plan_signing``.
    """
    return list(plan_signing(inputs, out_dir).pairs)


def _sign_one(options: SignOptions, identity: SigningIdentity | None, overwrite: bool, in_place: bool,
              src: Path, dest: Path) -> BatchItem:
    try:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(dest.parent, exc) from exc
        import warnings

        with warnings.catch_warnings():  # the batch warned once, not once per file (nor from workers)
            warnings.simplefilter("ignore", TestIdentityWarning)
            result = sign_image(src, dest, options, identity, overwrite=overwrite, in_place=in_place)
        return BatchItem(str(src), str(dest), result=result)
    except HandmadeError as exc:
        return BatchItem(str(src), str(dest), error=exc.info)
    except OSError as exc:
        return BatchItem(str(src), str(dest), error=ReportErrorInfo("output.failed", str(exc)))


def _remove_staged(dest: Path) -> None:
    """Remove what a killed worker may have staged for ``dest`` (``StagedWrite``'s temporary name)."""
    with contextlib.suppress(OSError):
        for part in dest.parent.glob(f".{glob_escape(dest.name)}.*.part"):
            part.unlink()


def iter_sign_batch(pairs: Sequence[tuple[Path, Path]], options: SignOptions, identity: SigningIdentity | None,
                    *, overwrite: bool = False, workers: int = 1,
                    timeout: float | None = None, in_place: bool = False) -> Generator[BatchItem, None, None]:
    """Sign many files, yielding one ``BatchItem`` per file as each finishes; goes on past bad files.

    ``workers > 1``, or a ``timeout``, signs in worker processes (``handmade.workers``: forked, or from a
    clean fork server once this process has used c2pa; spawn re-imported c2pa per worker and was slower
    than one process). A file that overruns ``timeout`` seconds or kills its worker fails alone
    (``sign.timeout``/``sign.crash``; nothing is written for it). Results arrive in completion order.
    """
    if (workers <= 1 and timeout is None) or not pairs:
        for src, dest in pairs:
            yield _sign_one(options, identity, overwrite, in_place, src, dest)
        return
    identity = identity or bundled_test_identity()  # resolved once, not in every worker
    answers = run_workers(_sign_one, pairs, shared=(options, identity, overwrite, in_place), workers=max(1, workers),
                          timeout=timeout)
    pending = set(range(len(pairs)))
    try:
        for index, value in answers:
            pending.discard(index)
            src, dest = pairs[index]
            if isinstance(value, BatchItem):
                yield value
                continue
            if isinstance(value, Failure):  # killed or dead: what it staged is left behind
                _remove_staged(dest)
            error = failure_error(value, str(src), timeout, signing=True)
            yield BatchItem(str(src), str(dest), error=error.info)
    finally:  # stopped early (Ctrl-C, an error, the caller): workers are killed first, then their leftovers go
        answers.close()
        for index in pending:
            _remove_staged(pairs[index][1])


def sign_batch(inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str],
               options: SignOptions | None = None, identity: SigningIdentity | None = None, *,
               overwrite: bool = False, workers: int = 1, timeout: float | None = None,
               progress: Callable[[BatchItem], None] | None = None, in_place: bool = False,
               skip_existing: bool = False) -> BatchResult:
    """Sign files and folders into ``out_dir`` (see ``iter_sign_batch`` for ``workers`` and ``timeout``).

    The batch is planned first (``plan_signing``): collisions and outputs that would replace an input are
    refused before anything is signed; what is left out is in ``BatchResult.skipped``.
    Raises: InputError for inputs that do not exist; SigningError for a refused plan.
    """
    plan = plan_signing(inputs, out_dir, in_place=in_place, skip_existing=skip_existing, overwrite=overwrite)
    pairs = plan.pairs
    identity = identity or bundled_test_identity()
    _warn_test_identity(identity)
    items = []
    for item in iter_sign_batch(pairs, options or SignOptions(), identity, overwrite=overwrite,
                                workers=workers, timeout=timeout, in_place=in_place):
        items.append(item)
        if progress:
            progress(item)
    order = {str(s): i for i, (s, _) in enumerate(pairs)}
    return BatchResult(tuple(sorted(items, key=lambda i: order.get(i.source, 0))), plan.skipped)
