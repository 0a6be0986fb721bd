"""Archive scans: verify every image under folder trees of any size, one JSON line per file, resumable.

``scan`` walks the roots lazily (``walk``: a generator, directories read one at a time, sorted, symbolic
links not followed), verifies the files in batches in worker processes, each file within the time limit
(``handmade.workers``: a file that overruns or crashes its worker gets an ``error`` result and the others go
on), and appends one line per file to the output as soon as it is known: the ``handmade.report/v2`` result
object with ``schema``, the ``path`` as walked, its ``sha256`` (also for files that could not be checked,
when they can be read) and the ``policy`` decision. Lines are written whole, one ``write`` each, so a killed
scan leaves at most one torn last line.

``resume=True`` reads the output first: its paths are skipped, and a torn last line (a kill mid-write) is cut
off so that file is checked again. The union of the runs then holds every file exactly once. What stays in
memory: the batch in flight, and with ``resume`` the set of paths already done (a 16-byte digest each,
about 80 bytes of Python objects per path).

``dask`` (a scheduler address such as ``tcp://host:8786``, or a ``distributed.Client``) runs the batches on a
Dask cluster instead of local processes; each Dask worker builds its own c2pa context (they do not pickle),
the results come back to this process, which writes the same JSONL under the same resume rule. Workers
must see the paths under the same names (a shared file system).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handmade.errors import ScanError
from handmade.files import READABLE_SUFFIXES
from handmade.messages import t as _t
from handmade.models import SCHEMA, ProvenanceReport

__all__ = ["IMAGE_SUFFIXES", "ScanError", "ScanSummary", "read_done", "scan", "walk"]

#: File names a scan looks at (``all_files=True``: every regular file): every format handmade reads, films, SVG,
#: PDF and camera raw included (one table, in ``handmade.files``). Formats are still recognised by their bytes.
IMAGE_SUFFIXES = READABLE_SUFFIXES
#: Files per Dask task; a local batch is ``LOCAL_BATCH`` files per worker process (its workers, and their
#: c2pa contexts, live for one batch).
BATCH = 64
LOCAL_BATCH = 256


def t(key: str, lang: str = "en", **kwargs: Any) -> str:
    """The scan's words (catalog keys ``scan.*`` in ``handmade.messages``)."""
    return _t(f"scan.{key}", lang, **kwargs)


# --- the tree ----------------------------------------------------------------------------------------------
def walk(roots: Iterable[str | os.PathLike[str]], all_files: bool = False,
         on_error: Callable[[str, OSError], None] | None = None) -> Iterator[str]:
    """Every image file under ``roots`` (a root may be a file), depth first, names sorted; symbolic links
    are neither followed nor listed. One directory's entries are in memory at a time (per level)."""
    for root in roots:
        root = os.fspath(root)
        if os.path.isfile(root):
            yield root
            continue
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted((e for e in it), key=lambda e: e.name)
            except OSError as exc:
                if on_error:
                    on_error(folder, exc)
                continue
            subdirs = []
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subdirs.append(entry.path)
                    elif entry.is_file(follow_symlinks=False) and (
                            all_files or os.path.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES):
                        yield entry.path
                except OSError as exc:  # pragma: no cover - a vanished entry
                    if on_error:
                        on_error(entry.path, exc)
            stack.extend(reversed(subdirs))


def _outermost(roots: list[str]) -> list[str]:
    """The roots without those inside another root (or repeated), so no file is reached twice."""
    real = [os.path.realpath(r) for r in roots]
    kept = []
    for i, (root, path) in enumerate(zip(roots, real, strict=True)):
        inside = any(j != i and (path.startswith(other.rstrip(os.sep) + os.sep) or (path == other and j < i))
                     for j, other in enumerate(real))
        if not inside:
            kept.append(root)
    return kept


def _key(path: str) -> bytes:
    return hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=16).digest()


#: What the summary counts of one line: verdict, signer name ("" unsigned), AI found, error code (None: checked).
Facts = tuple[str, str, bool, "str | None"]


def facts(line: dict[str, Any]) -> Facts:
    error = str((line.get("error") or {}).get("code")) if line.get("state") == "error" else None
    return (str(line.get("bottom_line") or line.get("state")), str((line.get("signer") or {}).get("name") or ""),
            line.get("ai") in ("generative", "ai_assisted") or line.get("hints_suggest") == "generative", error)


# --- the summary -------------------------------------------------------------------------------------------
@dataclass
class ScanSummary:
    """Counts over every line of the output (earlier runs included)."""

    total: int = 0
    earlier: int = 0
    by_verdict: Counter[str] = field(default_factory=Counter)
    by_signer: Counter[str] = field(default_factory=Counter)
    ai_found: int = 0
    errors: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)

    def add(self, line: dict[str, Any]) -> None:
        self.count(facts(line))

    def count(self, f: Facts) -> None:
        verdict, signer, ai, error_code = f
        self.total += 1
        self.by_verdict[verdict] += 1
        if error_code is None:
            self.by_signer[signer] += 1
        else:
            self.errors += 1
            self.error_codes[error_code] += 1
        if ai:
            self.ai_found += 1

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "earlier": self.earlier, "by_verdict": dict(self.by_verdict),
                "by_signer": dict(self.by_signer), "ai_found": self.ai_found, "errors": self.errors,
                "error_codes": dict(self.error_codes)}

    def render(self, out: str, lang: str = "en", top: int = 10) -> str:
        head = t("summary", lang, n=self.total, out=out)
        if self.earlier:
            head += f" ({t('earlier', lang, n=self.earlier)})"
        lines = [head, f"  {t('by_verdict', lang)}: " + ", ".join(
            f"{k} {v}" for k, v in self.by_verdict.most_common())]
        signers = [f"{k or t('unsigned', lang)} {v}" for k, v in self.by_signer.most_common(top)]
        if len(self.by_signer) > top:
            signers.append("...")
        lines.append(f"  {t('by_signer', lang)}: " + ", ".join(signers))
        lines.append(f"  {t('ai_found', lang)}: {self.ai_found}")
        lines.append(f"  {t('errors', lang)}: {self.errors}" + (
            " (" + ", ".join(f"{k} {v}" for k, v in self.error_codes.most_common()) + ")" if self.errors else ""))
        return "\n".join(lines)


# --- resume ------------------------------------------------------------------------------------------------
def read_done(out: Path, summary: ScanSummary | None = None,
              warn: Callable[[str], None] | None = None, lang: str = "en") -> set[bytes]:
    """The paths (as digests) the output already holds; cuts off a torn last line first. Lines that are
    not results are ignored (their files are checked again) and counted in a warning."""
    done: set[bytes] = set()
    if not out.exists():
        return done
    with open(out, "r+b") as f:
        f.seek(0, io.SEEK_END)
        size = f.tell()
        if size:
            f.seek(size - 1)
            if f.read(1) != b"\n":  # a line cut short by a kill: drop it
                keep = _last_newline(f, size)
                f.truncate(keep)
                if warn:
                    warn(t("torn", lang, out=out))
        f.seek(0)
        bad = 0
        for raw in f:
            try:
                line = json.loads(raw)
                path = line["path"]
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            key = _key(path)
            if key in done:
                continue
            done.add(key)
            if summary is not None:
                summary.add(line)
                summary.earlier += 1
    if bad and warn:
        warn(t("bad_lines", lang, n=bad, out=out))
    return done


def _last_newline(f: Any, size: int) -> int:
    """The length of the file up to and including its last newline (0 if none)."""
    pos = size
    while pos > 0:
        step = min(65536, pos)
        pos -= step
        f.seek(pos)
        chunk = f.read(step)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return int(pos + i + 1)
    return 0


# --- one batch (in a worker process, local or Dask) ----------------------------------------------------------
def _file_sha256(path: str) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None


def result_line(path: str, report: ProvenanceReport, policy: Any) -> dict[str, Any]:
    """One output line: the report object, the walked path, its SHA-256 and the policy decision."""
    from handmade.policy import evaluate

    line: dict[str, Any] = {"schema": SCHEMA, **report.to_dict()}
    line["path"] = path
    line["sha256"] = report.sha256 or _file_sha256(path)
    line["policy"] = evaluate(policy, report).to_dict()
    return line


#: One finished file as a worker hands it back: the walked path, its encoded JSON line, the summary's facts.
#: The line is encoded where the file was checked, so this process only writes bytes.
Done = tuple[str, bytes, Facts]


def _encode(path: str, report: ProvenanceReport, policy: Any) -> Done:
    line = result_line(path, report, policy)
    return path, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"), facts(line)


def _scan_task(options: dict[str, Any], path: str) -> Done:  # pragma: no cover - runs in a worker
    from handmade.verify import inspect

    return _encode(path, inspect(path, trust=options["trust"], allow_remote=options["allow_remote"]),
                   options["policy"])


def _batch_in_processes(paths: list[str], options: dict[str, Any], workers: int) -> Iterator[Done]:
    """Verify ``paths`` in ``workers`` processes, each file within ``options['timeout']``; yields each
    file as it finishes. A file that overran, crashed its worker or raised gets its error line here."""
    from handmade.verify import report_for_failure
    from handmade.workers import run as run_workers

    for index, value in run_workers(_scan_task, [(p,) for p in paths], shared=(options,), workers=workers,
                                    timeout=options["timeout"]):
        if isinstance(value, tuple):
            yield value
        else:
            path = paths[index]
            yield _encode(path, report_for_failure(path, value, options["timeout"]), options["policy"])


#: What Dask's nanny puts in every worker's environment by default (``distributed.nanny.pre-spawn-environ``).
_DASK_TRIM_DEFAULT = "65536"


def _own_allocator_for_children() -> None:  # pragma: no cover - on Dask
    """Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` for its workers, which makes ``tune_allocator``
    stand back (it yields to a user's setting) and glibc trim the heap after every large free: verification
    ran 1.5x slower in the children of a Dask worker (bench/scan_bench.py). Dask's own default is not a
    user's choice: drop it, so the checking children pin their thresholds as the command line's do. Any
    other value (set in Dask's configuration or by hand) is kept."""
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") == _DASK_TRIM_DEFAULT:
        del os.environ["MALLOC_TRIM_THRESHOLD_"]


def dask_batch(paths: list[str], options: dict[str, Any]) -> list[Done]:  # pragma: no cover - on Dask
    """A Dask task: one batch in a child process of the Dask worker (time limit per file), or in the worker
    itself when it may not have children (a daemonic worker: no hard limit then, see README)."""
    _own_allocator_for_children()
    if _daemonic():
        return [_scan_task(options, p) for p in paths]
    return list(_batch_in_processes(paths, options, 1))


def _batches(paths: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for p in paths:
        batch.append(p)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- progress ----------------------------------------------------------------------------------------------
class _Progress:
    """A progress line on a terminal: done/total (the total is counted by a second, lazy walk in a thread),
    a bar once the total is known, files per second."""

    def __init__(self, stream: Any, roots: list[str], all_files: bool, skipped: int, lang: str) -> None:
        self.stream, self.lang, self.skipped = stream, lang, skipped
        self.on = bool(getattr(stream, "isatty", lambda: False)())
        self.done = 0
        self.total: int | None = None
        self.t0 = time.monotonic()
        self.last = 0.0
        if self.on:
            def count() -> None:
                self.total = sum(1 for _ in walk(roots, all_files))
            threading.Thread(target=count, name="handmade-scan-count", daemon=True).start()

    def step(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.on and now - self.last > 0.2:
            self.last = now
            self.draw(now)

    def draw(self, now: float) -> None:
        rate = self.done / max(1e-6, now - self.t0)
        done = self.done + self.skipped
        if self.total:
            frac = min(1.0, done / self.total)
            bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
            text = f"\r[{bar}] {done}/{self.total} {100 * frac:5.1f}%  {rate:.1f}/s "
        else:
            text = f"\r{t('progress', self.lang)} {done}  {rate:.1f}/s "
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        if self.on:
            self.draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()


# --- the scan ----------------------------------------------------------------------------------------------
def scan(roots: list[str], out: str | os.PathLike[str], *, trust: Any = None, policy: Any = None,
         resume: bool = False, workers: int = 0, timeout: float | None = 60.0, allow_remote: bool = False,
         all_files: bool = False, dask: Any = None, lang: str = "en", progress: Any = None,
         warn: Callable[[str], None] | None = None) -> ScanSummary:
    """Scan ``roots`` into the JSONL file ``out``; returns the summary over the whole output.

    ``workers`` local processes (0: one per core); ``timeout`` seconds per file (None: no limit). Without
    ``resume`` an output that already holds results is refused (ScanError ``scan.output_exists``).
    ``progress``: a stream for the progress line (drawn only when it is a terminal).
    Raises: ScanError for a missing root, an unwritable output, an unreachable Dask scheduler.
    """
    from handmade.policy import PRESETS
    from handmade.trust import TrustConfig
    from handmade.trust import resolve as resolve_trust

    warn = warn or (lambda m: print(f"warning: {m}", file=sys.stderr))
    for root in roots:
        if not os.path.exists(root):
            raise ScanError(f"no such file or folder: {root}", code="scan.no_root")
    roots = _outermost(roots)
    out = Path(out)
    summary = ScanSummary()
    if out.exists() and out.stat().st_size and not resume:
        raise ScanError(f"{out} already holds results", code="scan.output_exists",
                        hint="Add --resume to continue that scan, or choose another --out.")
    try:
        done = read_done(out, summary, warn, lang) if resume else set()
        sink = open(out, "ab", buffering=0)  # closed below; unbuffered: one write per line
    except OSError as exc:
        raise ScanError(f"cannot write {out}: {exc.strerror or exc}", code="scan.output") from exc
    options = {"trust": trust if isinstance(trust, TrustConfig) else resolve_trust(trust),
               "policy": policy or PRESETS["handmade"], "allow_remote": allow_remote, "timeout": timeout}
    n_workers = workers or (os.cpu_count() or 1)
    bar = _Progress(progress, roots, all_files, len(done), lang) if progress is not None else None

    def walk_error(path: str, exc: OSError) -> None:
        warn(f"{path}: {exc.strerror or exc}")

    todo = (p for p in walk(roots, all_files, walk_error) if _key(p) not in done)

    def write(items: list[Done]) -> None:
        for path, data, file_facts in items:
            if resume:  # the digests of what is written join those read (a bounded set without --resume)
                done.add(_key(path))
            try:
                sink.write(data)
            except OSError as exc:  # a full disk, a vanished mount: what is written stays resumable
                raise ScanError(f"cannot write {out}: {exc.strerror or exc}", code="scan.output",
                                hint="Free space or fix the output, then run again with --resume.") from exc
            summary.count(file_facts)
        if bar:
            bar.step(len(items))

    try:
        if dask is not None:
            _run_on_dask(dask, _batches(todo, BATCH), options, write, warn, lang)
        else:
            for batch in _batches(todo, LOCAL_BATCH * n_workers):
                for item in _batch_in_processes(batch, options, min(n_workers, len(batch))):
                    write([item])
    finally:
        sink.close()
        if bar:
            bar.close()
    return summary


def _daemonic() -> bool:  # pragma: no cover - runs on each Dask worker
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)


def _task_result(future: Any) -> list[Done]:
    """A finished task's lines; a task that failed (its worker died again and again, a lost scheduler) stops
    the scan with a worded error: what was written stays, and ``--resume`` goes on from there."""
    try:
        return list(future.result())
    except Exception as exc:
        raise ScanError(f"a Dask task failed: {type(exc).__name__}: {str(exc)[:300]}", code="scan.dask_task",
                        hint="Check the workers' logs, then run again with --resume.") from exc


def _run_on_dask(target: Any, batches: Iterator[list[str]], options: dict[str, Any],
                 write: Callable[[list[Done]], None], warn: Callable[[str], None], lang: str = "en") -> None:
    """Submit batches to a Dask cluster, a bounded number in flight, and write each result as it comes."""
    try:
        import distributed
    except ImportError as exc:
        raise ScanError("--dask needs the cluster extra: pip install 'handmade[cluster]'",
                        code="scan.no_dask") from exc
    dist: Any = distributed  # typed loosely: distributed's own annotations are partial
    own = None
    if isinstance(target, str):
        try:
            client = own = dist.Client(target, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise ScanError(f"cannot reach the Dask scheduler at {target}: {exc}", code="scan.dask_unreachable",
                            hint="Check the address (tcp://host:8786) and that the scheduler runs.") from exc
    else:
        client = target
    try:
        if any(client.run(_daemonic).values()):
            warn(t("daemonic", lang))
        # The trust lists travel once per worker. A list, not the dict itself: Dask scatters a dict's values
        # under its keys as names, which a second scan on the same client would then share and release.
        [shared] = client.scatter([options], broadcast=True, hash=False)
        slots = max(2, 2 * sum(client.nthreads().values()))
        pending = dist.as_completed()
        for batch in batches:
            pending.add(client.submit(dask_batch, batch, shared, pure=False))
            if pending.count() >= slots:
                write(_task_result(next(pending)))
        for future in pending:
            write(_task_result(future))
    finally:
        if own is not None:
            own.close()

