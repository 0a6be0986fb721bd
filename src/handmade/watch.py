"""A watch folder: sign each image that appears in a folder, once its write has finished.

Photographers export from their editor into a folder; ``watch_folder`` signs every new image there into an
output folder, with the same guarantees as ``sign`` (``sign_image``: the history check, the re-read of the
result, atomic writes, the original never touched), mirroring sub-folders.

- *Finished writes.* An exporter writes a file over some time (or under a temporary name, then renames it).
  A file is signed only once its size and modification time have not changed for ``settle`` seconds; file
  system events (watchdog: inotify, FSEvents, ReadDirectoryChangesW) only say which files to look at.
- *Never twice.* A small state file in the output folder (``STATE_NAME``) records, for each source, the
  SHA-256 of what was signed (or failed). After a restart a file whose content is recorded is left alone;
  a re-export with new content is signed again, replacing the output this watch wrote before. An output
  that exists but that this watch did not write is never replaced.
- Hidden and temporary names (``.x``, ``x.tmp``, ``x.part``, ``x~``) and non-image names are not signed;
  non-image names are reported once as skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handmade.errors import HandmadeError, SigningError
from handmade.files import SIGNABLE_SUFFIXES, same_file
from handmade.keys import SigningIdentity
from handmade.sign import SignOptions, sign_image

log = logging.getLogger(__name__)

#: The state file kept in the output folder.
STATE_NAME = ".handmade-watch.json"
STATE_SCHEMA = "handmade.watch-state/v1"
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", "~")


@dataclass(frozen=True)
class WatchOutcome:
    """What happened to one file: ``status`` is ``signed``, ``failed`` or ``skipped``."""

    source: str
    output: str | None
    status: str
    code: str | None = None
    message: str | None = None
    summary: str | None = None


def _temporary(name: str) -> bool:
    return name.startswith((".", "~$")) or name.lower().endswith(_TEMPORARY_SUFFIXES)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _State:
    """The state file: source (relative to the watched folder) -> what was done with which content."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise SigningError(f"{path}: the watch state file cannot be read ({exc})", code="watch.state",
                               hint="Move it away to start afresh (files already signed would then fail "
                                    "with output.exists rather than be signed twice).") from exc
        if isinstance(doc, dict) and isinstance(doc.get("files"), dict):
            self.entries = {str(k): v for k, v in doc["files"].items() if isinstance(v, dict)}

    def save(self) -> None:
        """Write the whole state atomically (a crash leaves the old file or the new one, never half)."""
        data = json.dumps({"schema": STATE_SCHEMA, "files": self.entries}, indent=1, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(prefix=".handmade-watch.", suffix=".part", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class FolderWatcher:
    """Signs the images of ``in_dir`` into ``out_dir`` as they appear (see the module docstring).

    ``scan()`` queues every file already there; ``feed(path)`` queues one (the file system events do it);
    ``poll()`` signs the queued files whose writes have settled. ``run()`` does all of it until ``stop``.
    Raises (constructor): SigningError (``output.is_input`` when the folders are one, ``watch.state``).
    """

    def __init__(self, in_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], options: SignOptions,
                 identity: SigningIdentity, *, settle: float = 2.0,
                 report: Callable[[WatchOutcome], None] | None = None) -> None:
        self.in_dir, self.out_dir = Path(in_dir), Path(out_dir)
        if same_file(self.in_dir, self.out_dir):
            raise SigningError(f"{self.out_dir}: is the watched folder itself; signing would replace the "
                               "originals", code="output.is_input", hint="Choose an output folder elsewhere.")
        self.options, self.identity, self.settle = options, identity, settle
        self.report = report or (lambda outcome: None)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._out_real = os.path.realpath(self.out_dir)
        self.state = _State(self.out_dir / STATE_NAME)
        self._lock = threading.Lock()
        self._queued: set[Path] = set()
        self._seen: dict[Path, tuple[tuple[int, int], float]] = {}

    # -- queueing --------------------------------------------------------------------------------------
    def _inside_output(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return real == self._out_real or real.startswith(self._out_real + os.sep)

    def feed(self, path: str | os.PathLike[str]) -> None:
        """Look at ``path`` at the next ``poll()`` (thread-safe; the event handler calls it)."""
        p = Path(path)
        with self._lock:
            self._queued.add(p)

    def scan(self) -> None:
        """Queue every file under the watched folder (the start, and after a restart)."""
        for root, dirs, files in os.walk(self.in_dir):
            dirs[:] = [d for d in dirs if not d.startswith(".") and not self._inside_output(Path(root, d))]
            for name in files:
                self.feed(Path(root, name))

    # -- signing ---------------------------------------------------------------------------------------
    def poll(self, now: float | None = None) -> list[WatchOutcome]:
        """Sign the queued files whose size and mtime have not changed for ``settle`` seconds."""
        now = time.monotonic() if now is None else now
        with self._lock:
            queued, self._queued = self._queued, set()
        for p in queued:
            self._seen.setdefault(p, ((-1, -1), now))
        outcomes = []
        for p in sorted(self._seen):
            outcome = self._look(p, now)
            if outcome is not None:
                outcomes.append(outcome)
                self.report(outcome)
        return outcomes

    def _look(self, p: Path, now: float) -> WatchOutcome | None:
        key, since = self._seen[p]
        try:
            st = p.stat()
        except OSError:  # gone (renamed by its writer, deleted): nothing to sign
            del self._seen[p]
            return None
        if not p.is_file() or self._inside_output(p):
            del self._seen[p]
            return None
        current = (st.st_size, st.st_mtime_ns)
        if current != key:
            self._seen[p] = (current, now)
            return None
        if now - since < self.settle:
            return None
        del self._seen[p]
        try:
            return self._process(p)
        except OSError as exc:  # removed or made unreadable between its last look and now: nothing to sign
            log.info("%s: left alone (%s)", p, exc)
            return None

    def _process(self, p: Path) -> WatchOutcome | None:
        if _temporary(p.name):
            return None
        rel = p.relative_to(self.in_dir)
        dest = self.out_dir / rel
        digest = _sha256(p)
        entry = self.state.entries.get(str(rel))
        if entry is not None and entry.get("sha256") == digest:
            return None  # this very content was handled before (this run or an earlier one)
        if p.suffix.lower() not in SIGNABLE_SUFFIXES:  # reported once, and remembered like the others
            self.state.entries[str(rel)] = {"sha256": digest, "status": "skipped", "output": None,
                                            "code": "not_image"}
            self.state.save()
            return WatchOutcome(str(p), None, "skipped", "not_image",
                                f"{p.suffix or 'no extension'}: not an image format handmade signs")
        replace_ours = entry is not None and entry.get("status") == "signed" and dest.exists()
        try:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                from handmade.files import output_error

                raise output_error(dest.parent, exc) from exc
            result = sign_image(p, dest, self.options, self.identity, overwrite=replace_ours)
        except HandmadeError as exc:
            outcome = WatchOutcome(str(p), str(dest), "failed", exc.code, exc.message)
        else:
            outcome = WatchOutcome(str(p), str(dest), "signed", summary=result.report.summary())
        self.state.entries[str(rel)] = {"sha256": digest, "status": outcome.status, "output": str(rel),
                                        "code": outcome.code, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                   time.gmtime())}
        self.state.save()
        if _sha256(p) != digest:  # rewritten while it was signed: sign the new content once it settles
            self.feed(p)
        return outcome

    # -- the loop --------------------------------------------------------------------------------------
    def run(self, stop: threading.Event, *, interval: float = 0.2, once: bool = False,
            ready: Callable[[], None] | None = None) -> None:
        """Follow file system events, scan what is already there, and sign settled files until ``stop``.

        Events are followed before the scan starts, so a file that arrives meanwhile is not missed;
        ``ready`` is called once both are under way. With ``once``: sign what is there now, once it has
        settled, and return.
        Raises: ImportError when watchdog is not installed (not needed with ``once``).
        """
        if once:
            self.scan()
            while self._seen or self._queued:
                self.poll()
                if stop.wait(interval):
                    return
            return
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory:
                    if event.event_type in ("created", "moved"):
                        watcher.scan()  # a folder moved in whole: its files raise no events of their own
                    return
                for path in (getattr(event, "dest_path", ""), event.src_path):
                    if path:
                        watcher.feed(os.fsdecode(path))

        observer = Observer()
        observer.schedule(_Handler(), str(self.in_dir), recursive=True)
        observer.start()
        try:
            self.scan()
            if ready is not None:
                ready()
            while not stop.wait(interval):
                self.poll()
        finally:
            observer.stop()
            observer.join(5)
