"""The ``handmade`` command: parse, call one library function, render. Nothing else lives here.

Exit codes: 0 every input passes; 1 at least one input is not handmade / fails the policy / failed in a
batch; 2 usage error; 3 operational error (bad input file, bad key, unreadable trust anchors, refused
signing); 141 stdout closed by its reader (a quiet stop, as for SIGPIPE). Tracebacks only with
``--verbose``. With ``--json`` stdout carries only JSON; messages go to stderr. Heavy modules (c2pa,
Pillow, cryptography) are imported inside the commands so that ``handmade --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from handmade import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
#: A closed output pipe: what a shell reports for a tool killed by SIGPIPE (128 + 13).
EXIT_PIPE = 141

F = TypeVar("F", bound=Callable[..., Any])

# The library's names, written here so that --help need not import labels, keys or messages (each costs start-up
# time); tests/cli/test_cli.py checks every one against the module that owns it.
MADE_WITH_CHOICES = ["camera", "phone", "film", "slide", "scan", "painting", "drawing", "digital-art",
                     "illustration", "animation", "composite"]  # labels.MADE_WITH
ALGORITHM_CHOICES = ["es256", "es384", "ps256", "ed25519"]  # keys.ALGORITHMS
LANGUAGE_CHOICES = ["en", "fr"]  # messages.LANGUAGES
PASSPHRASE_ENV = "HANDMADE_KEY_PASSPHRASE"  # keys.PASSPHRASE_ENV


def _err(message: str) -> None:
    click.echo(message, err=True)


def error_funnel(func: F) -> F:
    """The single place where handmade's errors become messages and exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from handmade.errors import HandmadeError

        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except HandmadeError as exc:
            if ctx.obj and ctx.obj.get("verbose"):  # the traceback, and still the exit code of its kind
                traceback.print_exc(file=sys.stderr)
            from handmade.report import error_text

            lang = str(ctx.params.get("lang") or "en")
            _err(error_text(exc.code, exc.message, exc.hint, lang) or f"error: {exc.diagnostics()}")
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            _err("interrupted")
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (``handmade verify ... | head``): stop quietly, as Unix tools do. stdout
            # is pointed at /dev/null so that the interpreter's final flush does not fail again.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_PIPE)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: still no traceback unless asked for
            if ctx.obj and ctx.obj.get("verbose"):
                traceback.print_exc(file=sys.stderr)
            _err(f"error: internal error: {type(exc).__name__}: {str(exc)[:300]} [internal]\n"
                 "  hint: run again with --verbose for details, and please report it")
            ctx.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def trust_options(func: F) -> F:
    """``--trust``, ``--no-default-trust``, ``--trust-list``, ``--tsa-trust-list``, ``--allow-remote`` and
    ``--timeout``, shared by verify and report."""
    func = click.option("--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True,
                        help="Seconds allowed per file (0: no limit); a file over it is an error, not a hang.")(func)
    func = click.option("--allow-remote", is_flag=True,
                        help="Fetch remote-only manifests over the network (off: verification stays offline).")(func)
    func = click.option("--tsa-trust-list", type=click.Path(dir_okay=False),
                        help="PEM time-stamping CAs to use instead of the shipped C2PA TSA Trust List "
                             "(conformance testing).")(func)
    func = click.option("--trust-list", type=click.Path(dir_okay=False),
                        help="PEM claim-signing CAs to use instead of the shipped trust lists "
                             "(conformance testing).")(func)
    func = click.option("--no-default-trust", is_flag=True,
                        help="Do not use the shipped C2PA trust lists (also: HANDMADE_NO_DEFAULT_TRUST=1).")(func)
    func = click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False),
                        help="PEM file of your own trust anchors, or a label authority's bundle, added to the "
                             "shipped C2PA trust lists (repeatable). Default: $HANDMADE_TRUST or the settings "
                             "file.")(func)
    return func


def _load_trust(paths: tuple[str, ...], no_default: bool = False, trust_list: str | None = None,
                tsa_trust_list: str | None = None) -> Any:
    """The trust configuration of a command; warns on stderr, once, in the command's --lang, when a list or an
    authority's CRL is past its update date."""
    from handmade import trust
    from handmade.settings import default_trust_paths
    from handmade.verify import load_trust_anchors

    pems: list[str] = []
    bundles: list[str] = []
    # The conformance mode (--trust-list/--tsa-trust-list) validates with exactly the lists given: not even
    # HANDMADE_TRUST or the settings file's anchors (trust.build refuses --trust with it, worded).
    for path in paths or (() if trust_list or tsa_trust_list else default_trust_paths()):
        try:
            head = Path(path).read_bytes()[:4096]
        except OSError:
            head = b""  # load_trust_anchors says what is wrong with it
        (bundles if trust.is_bundle(head) else pems).append(path)
    anchors = load_trust_anchors(pems)
    given: list[Any] = []
    if bundles:  # handmade.authority imports cryptography: only when a bundle is given
        from handmade.authority import load_bundle

        given = [load_bundle(b) for b in bundles]
    config = trust.build(anchors, use_default=trust.default_trust_enabled(no_default), trust_list=trust_list,
                         tsa_trust_list=tsa_trust_list, bundles=given)
    from handmade.messages import text_of

    lang = _lang_now()
    for finding in config.stale_findings():
        _warn(text_of(finding, lang), lang)
    return config


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100, "terminal_width": 100})
@click.version_option(__version__, prog_name="handmade")
@click.option("-v", "--verbose", is_flag=True, help="Log details to stderr and show tracebacks.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Prove that human-made images are human-made, with C2PA Content Credentials.

    \b
    sign     embed a signed "made by hand" manifest (refuses AI-made inputs)
    watch    sign each new image of an export folder as it appears
    verify   check signature, tampering and who vouches; a block per file, folders too
    report   the whole edit history, with every generative-AI step marked
    label    draw a visible label from the verified history: made by hand, or the AI mark
    keys     create and check signing keys
    trust    show or update the trust lists that decide who vouches for a signer
    authority  run a label authority for a collective: certify and revoke members
    serve    the upload-checking web service (needs: pip install 'handmade[web]')
    audit    list or export the service's decision log
    registry register signed files, so that copies without credentials can be matched
    scan     verify whole archives into a resumable JSON-lines file (locally or on Dask)

    Exit codes: 0 pass, 1 not handmade / policy failed, 2 usage error, 3 operational error.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    import warnings

    # The commands say it themselves (a "warning:" line), in words; the library's Python warning would repeat it.
    warnings.filterwarnings("ignore", message="Signing with the bundled TEST identity")
    from handmade.tuning import tune_allocator

    tune_allocator()  # this process is ours: pin glibc's thresholds (handmade.tuning says why)
    # SIGTERM unwinds like Ctrl-C (exit 143): batches stop their workers and remove what they staged.
    signal.signal(signal.SIGTERM, _terminated)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


T = TypeVar("T")
#: How many times a terminal user may type an encrypted key's passphrase.
PASSPHRASE_TRIES = 3


def _can_prompt(env: str = PASSPHRASE_ENV) -> bool:
    return _isatty(sys.stdin) and not os.environ.get(env)


def _with_passphrase(key: str, attempt: Callable[[str | None], T], *, code: str = "keys.passphrase",
                     env: str = PASSPHRASE_ENV, what: str = "Passphrase") -> T:
    """``attempt(None)`` (which reads ``env``); when the key turns out to need a passphrase (or a token PIN)
    that was not given and stdin is a terminal, ask for it without echo and try again (three times)."""
    from handmade.errors import KeyMaterialError

    try:
        return attempt(None)
    except KeyMaterialError as exc:
        if exc.code != code or not _can_prompt(env):
            raise
        last = exc
    for _ in range(PASSPHRASE_TRIES):
        passphrase = click.prompt(f"{what} for {key}", hide_input=True, err=True, default="",
                                  show_default=False)
        try:
            return attempt(passphrase)
        except KeyMaterialError as exc:
            if exc.code != code:
                raise
            last = exc
            _err(f"{exc.message}")
    raise last


# --- sign ----------------------------------------------------------------------------------------------
SIGN_SCHEMA = "handmade.sign/v1"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A one-line ``label done/total`` counter on stderr, drawn only when stderr is a terminal.

    Lines printed through ``line()`` clear the counter first and redraw it after, so outcome lines and
    the counter never run together on one terminal line (click's progress bar does not know about them).
    """

    def __init__(self, total: int | None, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.on = _isatty(sys.stderr) and (total is None or total > 1)

    def _draw(self) -> None:
        if self.on:
            of = f"/{self.total}" if self.total is not None else ""
            sys.stderr.write(f"\r\x1b[K{self.label} {self.done}{of}")
            sys.stderr.flush()

    def _clear(self) -> None:
        if self.on:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def line(self, text: str, *, err: bool = False) -> None:
        self._clear()
        click.echo(text, err=err)
        self._draw()

    def step(self) -> None:
        self.done += 1
        self._draw()

    def close(self) -> None:
        self._clear()


def _stderr_is_terminal() -> bool:
    return _isatty(sys.stderr)


@contextlib.contextmanager
def _reads_here(length: int, label: str) -> Iterator[None]:
    """``_read_progress`` over what this process reads of big files while the block runs (signing a film)."""
    import multiprocessing

    from handmade.files import count_reads

    counter = multiprocessing.Value("q", 0)
    with _read_progress(length, label, counter), count_reads(counter):
        yield


@contextlib.contextmanager
def _read_progress(length: int, label: str, counter: Any) -> Iterator[None]:
    """A bar on stderr over ``length`` bytes, fed from ``counter`` (a shared ``multiprocessing.Value`` that the
    process reading the file adds every read to: ``files.count_reads``), polled from a thread until the block
    ends. Signing counts in this process, verify in the worker that checks the file."""
    import threading

    done = threading.Event()
    with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True, show_percent=True) as bar:
        def poll() -> None:
            shown = 0
            while True:
                finished = done.wait(0.2)
                now = min(int(counter.value), length)
                if now > shown:
                    bar.update(now - shown)
                    shown = now
                if finished:
                    return

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join(5)


def _sign_item(source: str, output: str, status: str, *, result: Any = None,
               error: dict[str, Any] | None = None) -> dict[str, Any]:
    """One entry of ``handmade.sign/v1``'s ``results`` (README: "The sign JSON")."""
    return {"source": source, "output": output, "status": status, "ok": status == "signed", "error": error,
            "summary": result.report.summary() if result is not None else None,
            "parent_kept": result.parent_kept if result is not None else None,
            "bundled_test_identity": result.bundled_test_identity if result is not None else None,
            "report": result.report.to_dict() if result is not None else None}


def _sign_document(results: list[dict[str, Any]], skipped: list[Any], *, dry_run: bool = False,
                   error: dict[str, Any] | None = None) -> str:
    counts = {k: sum(1 for r in results if r["status"] == k) for k in ("signed", "failed", "planned")}
    counts["skipped"] = len(skipped)
    return json.dumps({"schema": SIGN_SCHEMA, "dry_run": dry_run,
                       "ok": error is None and counts["failed"] == 0, "error": error, "counts": counts,
                       "results": results, "skipped": [s.to_dict() for s in skipped]}, indent=2,
                      ensure_ascii=False)


def _skip_line(item: Any, lang: str) -> str:
    from handmade.report import t

    detail = t(f"skip.{item.reason}", lang)
    return f"{item.path}: {t('cli.skipped', lang)} ({detail})"


def sign_options(func: F) -> F:
    """The options that say what a signature asserts and with which key, shared by sign and watch."""
    for option in reversed([
        click.option("--author", help="Author name, written as dc:creator and EXIF Artist."),
        click.option("--made-with", type=click.Choice(MADE_WITH_CHOICES), default="camera", show_default=True,
                     help="How the image was made: sets the IPTC digital source type."),
        click.option("--rights", help="Copyright line (default: '© YEAR AUTHOR. All rights reserved. No AI "
                                      "training...')."),
        click.option("--ai-training", type=click.Choice(["not-allowed", "allowed", "licensed"]), default=None,
                     help="AI training and data mining: not-allowed (default), allowed, or licensed (allowed only "
                          "under a licence: give --ai-license)."),
        click.option("--ai-license", metavar="URL-OR-CONTACT",
                     help="With --ai-training licensed: where a licence can be obtained (written as each use's "
                          "constraint_info, and in XMP plus:OtherConstraints)."),
        click.option("--allow-ai-training", is_flag=True, help="Same as --ai-training allowed."),
        click.option("--key", help="Private key (PEM or PKCS#12), or a PKCS#11 token key "
                                   "(pkcs11:token=LABEL;object=KEY, module in $HANDMADE_PKCS11_MODULE). "
                                   "Default: TEST key."),
        click.option("--chain", type=click.Path(dir_okay=False), help="Certificate chain PEM, leaf first."),
        click.option("--tsa-url", help="RFC 3161 timestamp server, so the signature outlives the certificate "
                     "(needs network). Default: tsa_url in the settings file, or your label authority's."),
        click.option("--badge", is_flag=True, help="Stamp a visible 'Made by hand' mark in a corner (re-encodes)."),
        click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True,
                     help="Language of the badge and messages."),
        click.option("--no-thumbnail", is_flag=True, help="Do not embed a claim thumbnail."),
        click.option("--no-metadata", is_flag=True, help="Do not write EXIF/XMP (the manifest still says it all)."),
        click.option("--no-soft-binding", is_flag=True,
                     help="Do not write the picture's fingerprint (c2pa.soft-binding, ISCC io.iscc.v0), which lets a "
                          "registry find the credentials of copies that lost them."),
    ]):
        func = option(func)
    return func


def _sign_options(author: str | None, made_with: str, rights: str | None, ai_training: str | None,
                  ai_license: str | None, allow_ai_training: bool, tsa_url: str | None, badge: bool, lang: str,
                  no_thumbnail: bool, no_metadata: bool, no_soft_binding: bool = False) -> Any:
    """``SignOptions`` from the shared options, checked before any key is read. Raises: click.UsageError."""
    from handmade.errors import SigningError
    from handmade.sign import SignOptions, check_training

    options = SignOptions(author=author, made_with=made_with, allow_ai_training=allow_ai_training, rights=rights,
                          ai_training=ai_training, ai_license=ai_license, tsa_url=tsa_url, badge=badge, lang=lang,
                          thumbnail=not no_thumbnail, write_metadata=not no_metadata,
                          soft_binding=not no_soft_binding)
    try:
        check_training(options)
    except SigningError as exc:
        raise click.UsageError(exc.message + (f" ({exc.hint})" if exc.hint else "")) from exc
    return options


def _lang_now() -> str:
    """The ``--lang`` of the command being run (English outside a command)."""
    ctx = click.get_current_context(silent=True)
    return str((ctx.params.get("lang") if ctx else None) or "en")


def _error_line(exc: Any, lang: str) -> str:
    """A handmade error for stderr, in ``lang`` (as the error funnel words it)."""
    from handmade.report import error_text

    return error_text(exc.code, exc.message, exc.hint, lang) or f"error: {exc.diagnostics()}"


def _warn(text: str, lang: str) -> None:
    """A warning on stderr, in ``lang``."""
    from handmade.messages import t

    _err(t("cli.warning", lang, text=text))


def _tsa_source(tsa_url: str | None, tsa_from: str | None, lang: str) -> None:
    """Say where the timestamp server comes from when it is not --tsa-url (the settings file, an authority)."""
    from handmade.messages import t

    if tsa_url and tsa_from == "settings":
        _err(t("cli.tsa_settings", lang, url=tsa_url))
    elif tsa_url and tsa_from and tsa_from.startswith("authority:"):
        _err(t("cli.tsa_authority", lang, url=tsa_url, name=tsa_from.split(":", 1)[1]))


def _with_timestamp(options: Any, identity: Any) -> Any:
    """The options with the timestamp server resolved (--tsa-url, the settings file, the signer's authority), and
    the warnings a signer needs: no timestamp means the signature dies with the certificate."""
    from dataclasses import replace

    from handmade.timestamps import resolve_tsa_url, timestamp_warnings

    lang = _lang_now()
    tsa_url, tsa_from = resolve_tsa_url(options.tsa_url, identity)
    _tsa_source(tsa_url, tsa_from, lang)
    for advice in timestamp_warnings(identity, tsa_url, lang=lang):
        _warn(advice, lang)
    return replace(options, tsa_url=tsa_url)


def _identity(key: str | None, chain: str | None) -> Any:
    from handmade.keys import bundled_test_identity, load_identity
    from handmade.sign import TEST_IDENTITY_WARNING

    if chain and not key:
        raise click.UsageError("--chain needs --key")
    from handmade import _pkcs11

    if key and _pkcs11.is_uri(key):
        identity = _with_passphrase(key, lambda pin: _pkcs11.load_token_identity(key, chain, pin),
                                    code="keys.pin", env=_pkcs11.PIN_ENV, what="PIN")
    elif key:
        identity = _with_passphrase(key, lambda pw: load_identity(key, chain, pw))
    else:
        identity = bundled_test_identity()
    if identity.is_test_identity:
        from handmade.messages import t

        lang = _lang_now()
        _err(f"{t('keys.warning', lang)} : {t('warn.test_identity', lang)}" if lang != "en"
             else f"warning: {TEST_IDENTITY_WARNING}")
    return identity


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Output file (one input) or folder (several inputs or a folder; a folder's layout is mirrored).")
@sign_options
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never an input: see --in-place).")
@click.option("--skip-existing", is_flag=True, help="Leave outputs that already exist alone (resume a batch).")
@click.option("--in-place", is_flag=True,
              help="Allow an output to be its own input: the original is replaced by its signed version.")
@click.option("--dry-run", is_flag=True, help="Print what would be signed where, and what is skipped; write nothing.")
@click.option("--workers", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Processes for batches (0: one per core).")
@click.option("--timeout", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="Batches: give up on a file after this many seconds (0: no limit); it fails alone.")
@click.option("--json", "as_json", is_flag=True, help="Print one handmade.sign/v1 JSON document on stdout.")
@click.option("--register", "register_db", metavar="DB",
              help="Add each signed file to this manifest registry (SQLite path or postgresql:// URL), so that its "
                   "copies without credentials can be matched (see 'handmade registry').")
@error_funnel
def sign(inputs: tuple[str, ...], output: str, author: str | None, made_with: str, rights: str | None,
         ai_training: str | None, ai_license: str | None, allow_ai_training: bool, key: str | None,
         chain: str | None, tsa_url: str | None, overwrite: bool,
         skip_existing: bool, in_place: bool, dry_run: bool, badge: bool, lang: str, no_thumbnail: bool,
         no_metadata: bool, no_soft_binding: bool, workers: int, timeout: float, as_json: bool,
         register_db: str | None) -> None:
    """Sign images as human-made (also films, SVG, PDF and JPEG XL).

    Writes a C2PA manifest with the author, how the image was made, and AI training marked as not
    allowed; keeps an existing manifest (camera, editor) as the parent. Refuses any input whose
    history contains generative AI. Never modifies the original (unless --in-place); writes atomically.
    A batch is planned before anything is signed: two inputs that would share one output name, or an
    output that is an input, refuse the whole batch.
    """
    from handmade.errors import HandmadeError

    if overwrite and skip_existing:
        raise click.UsageError("--overwrite and --skip-existing contradict each other: choose one")
    if register_db and no_soft_binding:
        raise click.UsageError("--register needs the fingerprint that --no-soft-binding leaves out: choose one")
    if register_db:
        from handmade.registry import check_url

        check_url(register_db)  # refused before anything is signed
    try:
        options = _sign_options(author, made_with, rights, ai_training, ai_license, allow_ai_training, tsa_url,
                                badge, lang, no_thumbnail, no_metadata, no_soft_binding)
        _sign(inputs, output, options, (key, chain), overwrite=overwrite, skip_existing=skip_existing,
              in_place=in_place, dry_run=dry_run, lang=lang, workers=workers, timeout=timeout, as_json=as_json,
              register_db=register_db)
    except HandmadeError as exc:
        if not as_json:
            raise
        click.echo(_sign_document([], [], dry_run=dry_run, error=exc.to_dict()))
        _err(_error_line(exc, lang))
        click.get_current_context().exit(EXIT_ERROR)


def _print_plan(pairs: list[tuple[Path, Path]], skipped: list[Any], *, overwrite: bool, lang: str,
                as_json: bool) -> None:
    """``--dry-run``: each planned pair, saying which would fail because its output exists, and the skipped."""
    from handmade.files import same_file
    from handmade.report import t

    items = []
    for src, dest in pairs:
        blocked = dest.exists() and not overwrite and not same_file(src, dest)
        error = {"code": "output.exists", "message": f"{dest}: already exists"} if blocked else None
        items.append(_sign_item(str(src), str(dest), "planned", error=error))
        if not as_json:
            click.echo(f"{src} -> {dest}: " + (t("cli.would_fail_exists", lang) if blocked
                                                else t("cli.would_sign", lang)))
    if as_json:
        click.echo(_sign_document(items, skipped, dry_run=True))
        return
    for left_out in skipped:
        click.echo(_skip_line(left_out, lang))
    _err(t("cli.dry_run_total", lang, n=len(pairs), skipped=len(skipped)))


def _timestamp_note(options: Any, result: Any, lang: str) -> None:
    """Say so when the timestamp server is one that no trust source vouches for: verifiers will not count its
    time, so the signature still dies with the certificate for them."""
    from handmade.messages import t

    if options.tsa_url and result.report.timestamped is False:
        _warn(t("warn.untrusted_tsa", lang, url=options.tsa_url), lang)


def _metadata_note(options: Any, result: Any, lang: str) -> None:
    """Say so when the output's format gets no EXIF/XMP (HEIC, AVIF, GIF, DNG): only the manifest has it."""
    from handmade._imaging import METADATA_FORMATS
    from handmade.report import t

    if options.write_metadata and result.report.format not in METADATA_FORMATS:
        _err(t("cli.no_metadata", lang, path=result.output, fmt=result.report.format))


def _sign(inputs: tuple[str, ...], output: str, options: Any, key_args: tuple[str | None, str | None], *,
          overwrite: bool,
          skip_existing: bool, in_place: bool, dry_run: bool, lang: str, workers: int, timeout: float,
          as_json: bool, register_db: str | None = None) -> None:
    from handmade.batch import Skipped, iter_sign_batch, plan_signing
    from handmade.errors import HandmadeError
    from handmade.files import output_error, same_file
    from handmade.messages import error_words, t
    from handmade.sign import sign_image

    ctx = click.get_current_context()
    single = len(inputs) == 1 and not Path(inputs[0]).is_dir() and not Path(output).is_dir()
    if single:
        src, dest = Path(inputs[0]), Path(output)
        if not src.exists():
            from handmade.errors import InputError

            raise InputError(f"{src}: no such file", code="input.not_found")
        if same_file(src, dest) and not in_place:  # refused when planning, as `dir -o dir`: before any key warning
            from handmade.errors import SigningError

            raise SigningError(f"{dest}: is the input itself; signing would replace the original",
                               code="output.is_input",
                               hint="Choose another output, or pass --in-place to replace the original with its "
                                    "signed version.")
        if skip_existing and dest.exists() and not same_file(src, dest):
            skipped = [Skipped(str(src), "exists", f"{dest} already exists")]
            if as_json:
                click.echo(_sign_document([], skipped, dry_run=dry_run))
            else:
                click.echo(_skip_line(skipped[0], lang))
            return
        if dry_run:
            _print_plan([(src, dest)], [], overwrite=overwrite, lang=lang, as_json=as_json)
            return
        identity = _identity(*key_args)
        options = _with_timestamp(options, identity)
        from handmade.files import big_film_size

        film_bar: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
        if (size := big_film_size(src)) is not None:
            from handmade.report import t

            _err(t("cli.big_film", lang, path=str(src), mb=size // 1_000_000))
            if _stderr_is_terminal():
                from handmade.sign import FILM_SIGN_READS

                film_bar = _reads_here(FILM_SIGN_READS * size, t("cli.film_bar", lang))
        try:
            with film_bar:
                result = sign_image(src, dest, options, identity, overwrite=overwrite, in_place=in_place)
        except HandmadeError as exc:
            if not as_json:
                raise
            click.echo(_sign_document([_sign_item(str(src), str(dest), "failed", error=exc.to_dict())], []))
            _err(_error_line(exc, lang))
            ctx.exit(EXIT_ERROR)
        _metadata_note(options, result, lang)
        _timestamp_note(options, result, lang)
        if register_db:
            _register(register_db, result.output, lang)
        if as_json:
            click.echo(_sign_document([_sign_item(str(src), str(dest), "signed", result=result)], []))
        else:
            click.echo(t("cli.signed_one", lang, path=result.output, summary=result.report.summary())
                       + (f"; {t('cli.parent_kept', lang)}" if result.parent_kept else ""))
        return
    out_dir = Path(output)
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError("with several inputs or a folder, -o must be a folder")
    plan = plan_signing(inputs, out_dir, in_place=in_place, skip_existing=skip_existing, overwrite=overwrite)
    skipped = list(plan.skipped)
    if dry_run:
        _print_plan(list(plan.pairs), skipped, overwrite=overwrite, lang=lang, as_json=as_json)
        return
    identity = _identity(*key_args)
    options = _with_timestamp(options, identity)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(out_dir, exc) from exc
    n_workers = workers or (os.cpu_count() or 1)
    results: list[dict[str, Any]] = []
    progress = _Progress(len(plan.pairs), t("cli.signing", lang))
    batch = iter_sign_batch(plan.pairs, options, identity, overwrite=overwrite, workers=n_workers,
                            timeout=timeout or None, in_place=in_place)
    try:
        if not as_json:
            for left_out in skipped:
                progress.line(_skip_line(left_out, lang))
        for item in batch:
            error = None if item.ok else {"code": item.error_code, "message": item.error_message}
            results.append(_sign_item(item.source, item.output, "signed" if item.ok else "failed",
                                      result=item.result, error=error))
            progress.step()
            if item.result is not None and register_db:
                progress.line(_register(register_db, item.output, lang, echo=False), err=True)
            if item.result is not None and options.write_metadata:
                from handmade._imaging import METADATA_FORMATS

                if item.result.report.format not in METADATA_FORMATS:
                    progress.line(t("cli.no_metadata", lang, path=item.output, fmt=item.result.report.format),
                                  err=True)
            if not as_json:
                status = t("cli.ok", lang) if item.ok else (
                    f"{t('cli.failed', lang)} {item.error_code}: "
                    f"{error_words(item.error_code or '', item.error_message or '', lang)}")
                progress.line(f"{item.source} -> {item.output}: {status}")
    finally:
        batch.close()  # stopped early (Ctrl-C, a closed pipe): its workers are ended before we exit
        progress.close()
    failed = sum(1 for r in results if r["status"] == "failed")
    if as_json:
        click.echo(_sign_document(results, skipped))
    _err(t("cli.sign_total", lang, ok=len(results) - failed, n=len(results), failed=failed, skipped=len(skipped)))
    if failed:
        ctx.exit(EXIT_FAIL)


def _register(db_url: str, path: str, lang: str, *, echo: bool = True) -> str:
    """``sign --register``: add a file just signed to the registry; the line said (on stderr). A file that cannot
    be registered (no fingerprint: a film, SVG, PDF) is said, not an error: it is signed all the same."""
    from handmade.errors import HandmadeError
    from handmade.messages import error_words, t
    from handmade.registry import open_registry

    try:
        entry, added = open_registry(db_url).add_file(path)
        line = t("registry.added" if added else "registry.already", lang, path=path, value=entry.value,
                 id=entry.manifest_id)
    except HandmadeError as exc:
        line = f"{path}: {t('registry.not_added', lang)}: {error_words(exc.code, exc.message, lang)} [{exc.code}]"
    if echo:
        _err(line)
    return line


# --- watch ---------------------------------------------------------------------------------------------
@main.command()
@click.argument("in_dir", metavar="IN", type=click.Path(file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Output folder (the watched folder's layout is mirrored; a state file is kept there).")
@sign_options
@click.option("--settle", type=click.FloatRange(min=0.1), default=2.0, show_default=True,
              help="Seconds a file's size and time must stay unchanged before it is signed (its write is done).")
@click.option("--once", is_flag=True, help="Sign what is in the folder now, then stop.")
@error_funnel
def watch(in_dir: str, output: str, author: str | None, made_with: str, rights: str | None,
          ai_training: str | None, ai_license: str | None, allow_ai_training: bool, key: str | None,
          chain: str | None, tsa_url: str | None, badge: bool, lang: str, no_thumbnail: bool, no_metadata: bool,
          no_soft_binding: bool,
          settle: float, once: bool) -> None:
    """Sign each new image that appears in a folder (an export folder), once its write has finished.

    Same guarantees as sign; one outcome line per file. A state file in the output folder
    (.handmade-watch.json) remembers what was signed, so a restart never signs a file twice; a re-export
    with new content is signed again. Stop with Ctrl-C (or SIGTERM).
    """
    import signal
    import threading

    from handmade.messages import error_words, t

    if not Path(in_dir).is_dir():
        from handmade.errors import InputError

        raise InputError(f"{in_dir}: no such folder", code="input.not_found")
    options = _sign_options(author, made_with, rights, ai_training, ai_license, allow_ai_training, tsa_url, badge,
                            lang, no_thumbnail, no_metadata, no_soft_binding)
    if not once:
        try:
            import watchdog  # noqa: F401
        except ImportError as exc:
            raise click.UsageError(f"watch needs its extra: pip install 'handmade[watch]' ({exc})") from exc
    identity = _identity(key, chain)
    options = _with_timestamp(options, identity)
    from handmade.watch import FolderWatcher, WatchOutcome

    counts = {"signed": 0, "failed": 0}

    def tell(outcome: WatchOutcome) -> None:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if outcome.status == "skipped":
            click.echo(f"{outcome.source}: {t('cli.skipped', lang)} ({t('skip.not_image', lang)})")
        elif outcome.status == "signed":
            click.echo(f"{outcome.source} -> {outcome.output}: {t('cli.ok', lang)} ({outcome.summary})")
        else:
            click.echo(f"{outcome.source} -> {outcome.output}: {t('cli.failed', lang)} {outcome.code}: "
                       f"{error_words(outcome.code or '', outcome.message or '', lang)}")

    watcher = FolderWatcher(in_dir, output, options, identity, settle=settle, report=tell)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.run(stop, once=once, ready=lambda: _err(t("cli.watching", lang, src=in_dir, out=output)))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _err(t("cli.watch_stopped", lang, ok=counts["signed"], failed=counts["failed"]))


# --- verify / report -----------------------------------------------------------------------------------
POLICY_HELP = "handmade | claimed | trusted | intact | any, or a TOML policy file."

#: ``verify --format`` values; a new rendering is added here and in ``_Output``.
VERIFY_FORMATS = ["text", "json", "jsonl", "csv", "crjson"]
#: How ``verify`` counts results in its summary line (``ProvenanceReport.bottom_line`` -> counter).
_TALLY = {"HANDMADE": "handmade", "AI": "ai", "POSSIBLY-AI": "ai", "NO-MANIFEST": "none", "INVALID": "invalid",
          "SIGNED": "other", "CLAIMED": "other", "ERROR": "error"}


#: Terminal colour of a verdict line by bottom line (only on a terminal; the words say the same).
_VERDICT_COLOURS = {"HANDMADE": "green", "CLAIMED": "yellow", "AI": "red", "POSSIBLY-AI": "yellow",
                    "INVALID": "red"}


class _Output:
    """Renders verify results one at a time, in the chosen format; holds only what ``json`` needs."""

    def __init__(self, fmt: str, lang: str, progress: _Progress) -> None:
        self.fmt, self.lang, self.progress = fmt, lang, progress
        self.kept: list[tuple[Any, Any]] = []
        self.csv: Any = None
        if fmt == "csv":
            import csv

            from handmade.report import CSV_COLUMNS

            self.csv = csv.writer(_LineWriter(progress), lineterminator="\n")
            self.csv.writerow(CSV_COLUMNS)

    def add(self, report: Any, decision: Any) -> None:
        from handmade.messages import t, text_of
        from handmade.report import csv_row, join_reasons, render_jsonl_line, render_summary

        if self.fmt == "json":
            self.kept.append((report, decision))
        elif self.fmt == "jsonl":
            self.progress.line(render_jsonl_line(report, {"policy": decision.to_dict()}))
        elif self.fmt == "csv":
            self.csv.writerow(csv_row(report, decision))
        else:
            verdict = t("view.pass" if decision.accepted else "view.fail", self.lang)
            reasons = join_reasons([text_of(r, self.lang) for r in decision.reasons])
            block = render_summary(report, self.lang)
            head, _, rest = block.partition("\n")
            words, _, more = rest.partition("\n")
            colour = _VERDICT_COLOURS.get(report.bottom_line)
            if colour and _isatty(sys.stdout):  # on a terminal: amber for a claim nobody vouches for, never green
                words = click.style(words, fg=colour)
            self.progress.line("\n".join(x for x in (head, words, more) if x) + "\n"
                               + "  " + t("view.policy", self.lang, policy=decision.policy, outcome=verdict)
                               + (f" - {reasons}" if reasons else ""))

    def finish(self) -> None:
        from handmade.report import render_json

        if self.fmt == "json":
            click.echo(render_json([r for r, _ in self.kept], [{"policy": d.to_dict()} for _, d in self.kept]))


class _LineWriter:
    """A file-like object for ``csv.writer`` that prints each row through the progress line."""

    def __init__(self, progress: _Progress) -> None:
        self.progress = progress

    def write(self, text: str) -> int:
        self.progress.line(text.rstrip("\n"))
        return len(text)


def _no_images(files: tuple[str, ...]) -> None:
    from handmade.errors import InputError

    raise InputError(f"{', '.join(files)}: no image in the folder(s) given", code="input.no_images",
                     hint="Give image files, or folders that contain some (hidden files are left out).")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@trust_options
@click.option("--policy", "policy_name", default="handmade", show_default=True, help=POLICY_HELP)
@click.option("--workers", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Files checked at once (0: one per core).")
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True,
              help="Language of the text output: verdicts, findings, policy reasons, errors (the JSON keeps "
                   "English messages).")
@click.option("--format", "fmt", type=click.Choice(VERIFY_FORMATS), default=None,
              help="text (default): a block per file; json: one handmade.report/v2 document; jsonl: one result "
                   "per line, printed as each is done; csv: one row per file; crjson: the C2PA JSON of each "
                   "manifest store, as the conformance program evaluates it.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--registry", "registry_db", metavar="DB",
              help="A manifest registry (SQLite path or postgresql:// URL): a file without Content Credentials, or "
                   "whose credentials do not validate, is looked up there; registered originals that match are "
                   "shown as candidates ('recovered' in JSON), never as the file's own credentials.")
@error_funnel
def verify(files: tuple[str, ...], trust_paths: tuple[str, ...], no_default_trust: bool, trust_list: str | None,
           tsa_trust_list: str | None, allow_remote: bool, timeout: float, policy_name: str, workers: int, lang: str,
           fmt: str | None, as_json: bool, registry_db: str | None) -> None:
    """Check each file's Content Credentials: signature, tampering, trust, AI.

    FILES may be folders: every image under them is checked. Prints, for each file, a block: the token
    line (e.g. 'TRUSTED INTACT HUMAN NO-AI NO-TRAINING'), the verdict in words with who vouches for the
    signer (the shipped C2PA trust lists, your --trust anchors and installed authorities), and the
    findings that decided it; for several files, a summary line (handmade, AI, no credentials, invalid
    ...). Exit 0 if all pass the policy, 1 if any fails, 3 if a file cannot be read.
    """
    from handmade.policy import evaluate, load_policy
    from handmade.report import t
    from handmade.verify import expand_inputs, iter_inspect

    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json is --format json; it cannot be combined with --format {fmt}")
    fmt = "json" if as_json else (fmt or "text")
    policy = load_policy(policy_name)
    trust = _load_trust(trust_paths, no_default_trust, trust_list, tsa_trust_list)
    paths = list(expand_inputs(files))
    if not paths:
        _no_images(files)
    if fmt == "crjson":
        _print_crjson(paths, trust, allow_remote, lang)
        return
    n_workers = min(workers or (os.cpu_count() or 1), len(paths))
    tally = dict.fromkeys(_TALLY.values(), 0)
    passed = 0
    progress = _Progress(len(paths), t("cli.checking", lang))
    output = _Output(fmt, lang, progress)
    if registry_db:
        from handmade.registry import check_url

        check_url(registry_db)
    extra: dict[str, Any] = {"registry": registry_db} if registry_db else {}
    film_bar: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if len(paths) == 1 and _stderr_is_terminal():
        from handmade.files import big_film_size

        if (size := big_film_size(paths[0])) is not None:  # one big film: a bar over what is read of it
            from handmade import _c2pa
            from handmade.verify import FILM_VERIFY_READS

            extra["read_counter"] = counter = _c2pa.worker_context().Value("q", 0)
            film_bar = _read_progress(FILM_VERIFY_READS * size, t("cli.film_check_bar", lang), counter)
    reports = iter_inspect(paths, trust=trust, allow_remote=allow_remote, timeout=timeout or None,
                           workers=n_workers, **extra)
    try:
        with film_bar:
            first = next(reports, None)
        for report in itertools.chain([first] if first is not None else [], reports):
            decision = evaluate(policy, report)
            tally[_TALLY[report.bottom_line]] += 1
            passed += decision.accepted
            progress.step()
            output.add(report, decision)
    finally:
        reports.close()
        progress.close()
    output.finish()
    if len(paths) > 1:
        line = t("cli.verify_total", lang, n=len(paths), policy=policy.name, passed=passed,
                 failed=len(paths) - passed, **tally)
        click.echo(line, err=fmt != "text")
    ctx = click.get_current_context()
    if tally["error"]:
        ctx.exit(EXIT_ERROR)
    if passed < len(paths):
        ctx.exit(EXIT_FAIL)


def _print_crjson(files: list[str], trust: Any, allow_remote: bool, lang: str = "en") -> None:
    """``verify --format crjson``: one crJSON document per file (a JSON array for several files); a file
    without a manifest gives null; an unreadable one exits 3 after the others are printed."""
    from handmade.errors import HandmadeError
    from handmade.verify import crjson

    docs: list[Any] = []
    failed = False
    for path in files:
        try:
            docs.append(crjson(path, trust=trust, allow_remote=allow_remote))
        except HandmadeError as exc:
            _err(_error_line(exc, lang))
            docs.append(None)
            failed = True
    click.echo(json.dumps(docs[0] if len(files) == 1 else docs, indent=2, ensure_ascii=False))
    if failed:
        click.get_current_context().exit(EXIT_ERROR)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@trust_options
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True,
              help="Language of the tree: labels, findings, hints, step reasons, errors.")
@click.option("--json", "as_json", is_flag=True, help="Print only the handmade.report/v2 JSON on stdout.")
@click.option("--detailed", is_flag=True,
              help="Print the full manifest store as c2pa-rs details it (JSON: claims, assertions, signatures).")
@click.option("--certs", is_flag=True,
              help="Print each manifest's signing certificate: subject, issuer, serial, validity, timestamp.")
@click.option("--registry", "registry_db", metavar="DB",
              help="A manifest registry (SQLite path or postgresql:// URL): a file without Content Credentials, or "
                   "whose credentials do not validate, is looked up there; registered originals that match are "
                   "shown as candidates ('recovered' in JSON), never as the file's own credentials.")
@error_funnel
def report(files: tuple[str, ...], trust_paths: tuple[str, ...], no_default_trust: bool, trust_list: str | None,
           tsa_trust_list: str | None, allow_remote: bool, timeout: float, lang: str, as_json: bool, detailed: bool,
           certs: bool, registry_db: str | None) -> None:
    """Show each file's whole history as a tree, with every generative-AI step marked and explained.

    Also lists provenance hints found outside C2PA (XMP/IPTC, EXIF, PNG text of AI tools). FILES may be
    folders. Exit 0 when every file could be read (whatever it says), 3 when one could not.
    """
    from handmade.report import render_json, render_tree
    from handmade.verify import expand_inputs, iter_inspect

    paths = list(expand_inputs(files))
    if not paths:
        _no_images(files)
    if detailed or certs:
        _report_views(paths, detailed=detailed, certs=certs, as_json=as_json, lang=lang, timeout=timeout)
        return
    results, unreadable = [], False
    if registry_db:
        from handmade.registry import check_url

        check_url(registry_db)
    extra: dict[str, Any] = {"registry": registry_db} if registry_db else {}
    for n, result in enumerate(iter_inspect(paths, trust=_load_trust(trust_paths, no_default_trust, trust_list,
                                                                   tsa_trust_list),
                                            allow_remote=allow_remote, timeout=timeout or None, **extra)):
        unreadable = unreadable or result.state == "error"
        if as_json:
            results.append(result)
        else:
            click.echo(("\n" if n else "") + render_tree(result, lang))
    if as_json:
        click.echo(render_json(results))
    if unreadable:
        click.get_current_context().exit(EXIT_ERROR)


def _report_views(paths: list[str], *, detailed: bool, certs: bool, as_json: bool, lang: str,
                  timeout: float) -> None:
    """``report --detailed`` (JSON: the manifest store) and ``report --certs`` (text, or JSON with --json)."""
    from handmade.messages import colon
    from handmade.report import t
    from handmade.verify import iter_manifest_views

    # the labels' column is as wide as the longest label in this language, plus two spaces (14 at least)
    width = max(14, *(len(t(k, lang)) + 3 for k in ("keys.subject", "keys.issuer", "cert.serial", "cert.valid",
                                                     "cert.timestamp")))

    def row(key: str, value: str, indent: str = "    ") -> str:
        return f"{indent}{t(key, lang) + ':':<{width}}{value}"

    docs, unreadable = [], False
    for n, views in enumerate(iter_manifest_views(paths, timeout=timeout or None)):
        unreadable = unreadable or views.error is not None
        doc: dict[str, Any] = {"path": views.path, "error": views.error.to_dict() if views.error else None}
        if detailed:
            doc["manifest_store"] = views.store
        if certs:
            doc["certificates"] = [c.to_dict() for c in views.certificates]
        if detailed or as_json:
            docs.append(doc)
            continue
        lines = [("\n" if n else "") + f"{views.path}:"]
        if views.error is not None:
            from handmade.messages import error_words

            words = error_words(views.error.code, views.error.message, lang)
            lines.append(f"  {t('error', lang)}{colon(lang)} {words} [{views.error.code}]")
        elif views.store is None:
            lines.append(f"  {t('no_manifest', lang)}")
        for c in views.certificates:
            lines.append(f"  {t('cert.manifest', lang, label=c.manifest)}{colon(lang)} {c.algorithm or '?'}")
            lines.append(row("keys.subject", c.subject))
            lines.append(row("keys.issuer", c.issuer))
            lines.append(row("cert.serial", c.serial or "?"))
            lines.append(row("cert.valid", f"{c.not_before or '?'} -> {c.not_after or '?'}"))
            if c.timestamp:
                lines.append(row("cert.timestamp", f"{c.timestamp} ({c.timestamp_authority or '?'})"))
            if c.chain:  # each certificate of the signature's x5chain, numbered from the signer's
                lines.append(f"    {t('cert.chain', lang, n=len(c.chain))}{colon(lang)}")
                for i, cert in enumerate(c.chain, 1):
                    first, more = f"      {i}. ", " " * len(f"      {i}. ")
                    lines.append(row("keys.subject", cert.subject, first))
                    lines.append(row("keys.issuer", cert.issuer, more))
                    lines.append(row("cert.serial", cert.serial, more))
                    lines.append(row("cert.valid", f"{cert.not_before} -> {cert.not_after}", more))
                    lines.append(row("keys.fingerprint", cert.sha256, more))
        click.echo("\n".join(lines))  # every value was cleaned of control characters when it was read
    if docs:
        schema = "handmade.manifest-views/v1"
        # ASCII with escapes when the manifest store is shown: its strings come from the file as they are, and
        # a bidi override or a terminal escape must not reach the screen raw (strings are bounded on reading).
        click.echo(json.dumps({"schema": schema, "results": docs}, indent=2, ensure_ascii=detailed))
    if unreadable:
        click.get_current_context().exit(EXIT_ERROR)


# --- label ---------------------------------------------------------------------------------------------
LABEL_SCHEMA = "handmade.label/v1"


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Output file (one input) or folder (several inputs or a folder; its layout is mirrored).")
@trust_options
@click.option("--corner", type=click.Choice(["br", "bl", "tr", "tl"]), default="br", show_default=True,
              help="Corner of the label: bottom-right, bottom-left, top-right, top-left.")
@click.option("--size", type=click.FloatRange(2, 25), default=6.0, show_default=True,
              help="Height of the label, in percent of the image's short side.")
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True,
              help="Language of the label and messages.")
@click.option("--key", help="Private key (PEM or PKCS#12) or PKCS#11 token key that signs the labelled file. "
                            "Default: TEST key.")
@click.option("--chain", type=click.Path(dir_okay=False), help="Certificate chain PEM, leaf first.")
@click.option("--tsa-url", help="RFC 3161 timestamp server for the new signature (needs network). Default: "
                                "tsa_url in the settings file, or your label authority's.")
@click.option("--overwrite", is_flag=True, help="Replace existing output files (never an input).")
@click.option("--svg", is_flag=True, help="Write a small SVG badge of the label (for a web page) instead of a "
                                         "labelled image; nothing is signed.")
@click.option("--json", "as_json", is_flag=True, help=f"Print one {LABEL_SCHEMA} JSON document on stdout.")
@error_funnel
def label(files: tuple[str, ...], output: str, trust_paths: tuple[str, ...], no_default_trust: bool,
          trust_list: str | None, tsa_trust_list: str | None, allow_remote: bool, timeout: float, corner: str,
          size: float, lang: str, key: str | None, chain: str | None, tsa_url: str | None, overwrite: bool,
          svg: bool, as_json: bool) -> None:
    """Draw a visible label that the file's verified Content Credentials back.

    Each file is verified first (the same trust options as verify). One that passes the handmade policy
    gets 'Made by hand — verified' with its signer (and the authority that certifies it); one whose valid
    manifest declares AI gets 'AI-generated', 'AI-modified' or 'May contain AI', the same mark for every
    generator; any other file (no manifest, invalid, AI use unknown, signer nobody vouches for) gets no
    label. The labelled file is signed again as an edit of the original, which it keeps as its parent: an
    AI file stays AI. With --svg, OUTPUT is an SVG badge of the label (a folder of NAME.svg for several
    files). Exit 0 if every file is labelled, 1 if any is refused, 3 if one cannot be processed.
    """
    from handmade.batch import plan_signing
    from handmade.errors import HandmadeError, LabelRefused
    from handmade.label import label_image, label_svg_file, refusal_text
    from handmade.report import error_text, t, verdict

    ctx = click.get_current_context()
    single = len(files) == 1 and not Path(files[0]).is_dir() and not Path(output).is_dir()
    if single:
        if not Path(files[0]).exists():
            from handmade.errors import InputError

            raise InputError(f"{files[0]}: no such file", code="input.not_found")
        pairs = [(Path(files[0]), Path(output))]
    else:
        pairs = list(plan_signing(files, output, overwrite=overwrite).pairs)
        if not pairs:
            _no_images(files)
    if svg:
        if key or chain or tsa_url:
            raise click.UsageError("--svg signs nothing: --key, --chain and --tsa-url do not apply")
        pairs = [(src, dest.with_name(dest.name + ".svg") if not single else dest) for src, dest in pairs]
    trust = _load_trust(trust_paths, no_default_trust, trust_list, tsa_trust_list)
    identity = None if svg else _identity(key, chain)
    if identity is not None:
        from handmade.timestamps import resolve_tsa_url, timestamp_warnings

        tsa_url, tsa_from = resolve_tsa_url(tsa_url, identity)
        _tsa_source(tsa_url, tsa_from, lang)
        for advice in timestamp_warnings(identity, tsa_url, lang=lang):
            _warn(advice, lang)
    docs: list[dict[str, Any]] = []
    refused = failed = 0
    import warnings

    from handmade.sign import TestIdentityWarning

    for src, dest in pairs:
        try:
            if not single:
                dest.parent.mkdir(parents=True, exist_ok=True)
            if svg:
                spec, report = label_svg_file(src, dest, trust=trust, lang=lang, overwrite=overwrite,
                                              timeout=timeout or None, allow_remote=allow_remote)
                docs.append({"status": "labelled", "source": str(src), "output": str(dest), "kind": spec.kind,
                             "text": [x for x in (spec.headline, spec.subline) if x],
                             "bottom_line": report.bottom_line, "summary": report.summary()})
                if not as_json:
                    click.echo(t("cli.labelled", lang, path=src, text=spec.headline, out=dest,
                                 summary=report.summary()))
                continue
            with warnings.catch_warnings():  # warned once above, not once per file
                warnings.simplefilter("ignore", TestIdentityWarning)
                result = label_image(src, dest, trust=trust, identity=identity, corner=corner, size=size / 100,
                                     lang=lang, overwrite=overwrite, timeout=timeout or None,
                                     allow_remote=allow_remote, tsa_url=tsa_url)
        except LabelRefused as exc:
            refused += 1
            docs.append({"source": str(src), "output": None, "status": "refused",
                         "error": exc.to_dict(), "report": exc.report.to_dict()})
            if not as_json:
                click.echo(t("cli.not_labelled", lang, path=src, why=refusal_text(exc.code, lang),
                             verdict=verdict(exc.report, lang)))
            continue
        except (HandmadeError, OSError) as exc:
            failed += 1
            code = getattr(exc, "code", "output.failed")
            message = getattr(exc, "message", str(exc))
            docs.append({"source": str(src), "output": None, "status": "failed",
                         "error": {"code": code, "message": message}})
            text = error_text(code, message, getattr(exc, "hint", None), lang)
            _err(text or (f"error: {exc.diagnostics()}" if isinstance(exc, HandmadeError) else f"error: {exc}"))
            continue
        docs.append({"status": "labelled", **result.to_dict()})
        if result.spec.kind == "handmade" and result.bundled_test_identity:
            _warn(t("cli.label_test_key", lang, path=dest), lang)
        if not as_json:
            click.echo(t("cli.labelled", lang, path=src, text=result.spec.headline, out=dest,
                         summary=result.report.summary()))
    if as_json:
        click.echo(json.dumps({"schema": LABEL_SCHEMA, "results": docs}, indent=2, ensure_ascii=False))
    if len(pairs) > 1:
        _err(t("cli.label_total", lang, ok=len(pairs) - refused - failed, n=len(pairs), refused=refused,
               failed=failed))
    if failed:
        ctx.exit(EXIT_ERROR)
    if refused:
        ctx.exit(EXIT_FAIL)


# --- keys ----------------------------------------------------------------------------------------------
@main.group()
def keys() -> None:
    """Create and check signing keys and certificates."""


@keys.command("init")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--name", required=True, help="Your name, as it will appear as the signer.")
@click.option("--org", "organization", help="Organisation in the certificate (default: the name).")
@click.option("--country", help="Two-letter country code for the certificates (default: none).")
@click.option("--alg", type=click.Choice(ALGORITHM_CHOICES), default="es256",
              show_default=True)
@click.option("--no-passphrase", is_flag=True, help="Write the private key unencrypted (not recommended).")
@click.option("--overwrite", is_flag=True, help="Replace existing key files.")
@error_funnel
def keys_init(out_dir: str, name: str, organization: str | None, country: str | None, alg: str, no_passphrase: bool,
              overwrite: bool) -> None:
    """Create a signing key, a signer certificate and a local root CA.

    The passphrase comes from $HANDMADE_KEY_PASSPHRASE or a prompt. Give root-ca.pem to the people
    who verify your files (their --trust); keep the keys private.
    """
    from handmade.keys import create_identity

    passphrase: str | None = None
    if not no_passphrase:
        passphrase = os.environ.get(PASSPHRASE_ENV)
        if not passphrase:
            if not sys.stdin.isatty():
                raise click.UsageError("no passphrase: set HANDMADE_KEY_PASSPHRASE or pass --no-passphrase")
            passphrase = click.prompt("Passphrase for the new key", hide_input=True, confirmation_prompt=True,
                                      err=True)
    made = create_identity(out_dir, name, alg=alg, passphrase=passphrase, organization=organization,
                           country=country, overwrite=overwrite)
    click.echo(f"private key:   {made.key_path}{' (encrypted)' if made.encrypted else ' (NOT encrypted)'}")
    click.echo(f"certificate:   {made.chain_path}")
    click.echo(f"root CA:       {made.root_cert_path}  <- give this to your clients as a trust anchor "
               "(handmade verify --trust root-ca.pem)")
    click.echo(f"root CA key:   {made.root_key_path}  (keep offline)")
    click.echo(f"sign with:     handmade sign IMAGE -o OUT --key {made.key_path} --chain {made.chain_path}")


def _new_passphrase(no_passphrase: bool, what: str = "the new key") -> str | None:
    """A passphrase for keys about to be written: $HANDMADE_KEY_PASSPHRASE or a prompt (twice), or none."""
    if no_passphrase:
        return None
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase:
        return passphrase
    if not sys.stdin.isatty():
        raise click.UsageError("no passphrase: set HANDMADE_KEY_PASSPHRASE or pass --no-passphrase")
    return str(click.prompt(f"Passphrase for {what}", hide_input=True, confirmation_prompt=True, err=True))


def _key_passphrase(what: str) -> str | None:
    """The passphrase of an existing key: $HANDMADE_KEY_PASSPHRASE, else a prompt on a terminal, else none."""
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase or not sys.stdin.isatty():
        return passphrase or None
    return str(click.prompt(f"Passphrase for {what}", hide_input=True, default="", show_default=False,
                            err=True)) or None


@keys.command("request")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--name", required=True, help="Your name, as the authority will certify it.")
@click.option("--alg", type=click.Choice(ALGORITHM_CHOICES), default="es256", show_default=True)
@click.option("--no-passphrase", is_flag=True, help="Write the private key unencrypted (not recommended).")
@click.option("--overwrite", is_flag=True, help="Replace existing files.")
@error_funnel
def keys_request(out_dir: str, name: str, alg: str, no_passphrase: bool, overwrite: bool) -> None:
    """Make a signing key and a certificate request for a label authority.

    Send OUT/signer.csr to the authority; OUT/signer.key never leaves your machine.
    """
    from handmade.authority import make_request

    made = make_request(out_dir, name, passphrase=_new_passphrase(no_passphrase), alg=alg, overwrite=overwrite)
    click.echo(f"private key:   {made.key_path}{' (encrypted)' if made.encrypted else ' (NOT encrypted)'}")
    click.echo(f"request:       {made.csr_path}  <- send this to the authority (handmade authority issue)")


@keys.command("renew")
@click.option("--key", required=True, type=click.Path(dir_okay=False), help="Your signing key (kept).")
@click.option("--chain", required=True, type=click.Path(dir_okay=False), help="Your current certificate chain.")
@click.option("--root-key", required=True, type=click.Path(dir_okay=False), help="The root CA key that issued it.")
@click.option("--root-cert", required=True, type=click.Path(dir_okay=False), help="The root CA certificate.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Where to write the new chain "
              "(default: replace --chain).")
@click.option("--days", type=click.IntRange(1, 366), default=365, show_default=True)
@error_funnel
def keys_renew(key: str, chain: str, root_key: str, root_cert: str, out_path: str | None, days: int) -> None:
    """Issue a new signer certificate for the same key under the same root, so verifiers' trust files keep working."""
    from handmade.authority import renew

    target = out_path or chain
    cert = renew(key, chain, root_key, root_cert, target, days=days, passphrase=_key_passphrase("the keys"),
                 overwrite=target == chain or out_path is None)
    click.echo(f"certificate:   {target} (valid until {cert.not_valid_after_utc.date().isoformat()}, same root)")


@keys.command("check")
@click.option("--key", required=True, help="Private key file (PEM or PKCS#12), or a PKCS#11 token key URI.")
@click.option("--chain", type=click.Path(dir_okay=False), help="Certificate chain PEM (not needed for PKCS#12).")
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True)
@error_funnel
def keys_check(key: str, chain: str | None, lang: str) -> None:
    """Show who a key signs as (subject, issuer, algorithm, validity, days left, whether it is the public
    TEST identity) and report problems with it, in words. Exit 0 if usable, 1 if not.

    An encrypted key's passphrase comes from $HANDMADE_KEY_PASSPHRASE, or is asked for on a terminal.
    """
    from handmade.errors import KeyMaterialError
    from handmade.keys import identity_details
    from handmade.report import t

    def attempt(passphrase: str | None) -> Any:
        details, problems = identity_details(key, chain, passphrase or os.environ.get(PASSPHRASE_ENV))
        passphrase_problem = next((p for p in problems if p.code == "keys.passphrase"), None)
        if passphrase_problem is not None:
            raise KeyMaterialError(passphrase_problem.message, code="keys.passphrase", hint=passphrase_problem.hint)
        return details, problems

    from handmade import _pkcs11

    def attempt_token(pin: str | None) -> Any:
        from handmade.keys import check_certificate, details_of

        identity = _pkcs11.load_token_identity(key, chain, pin)
        return details_of(identity), check_certificate(identity.leaf)

    try:
        if _pkcs11.is_uri(key):
            details, problems = _with_passphrase(key, attempt_token, code="keys.pin", env=_pkcs11.PIN_ENV,
                                                 what="PIN")
        else:
            details, problems = _with_passphrase(key, attempt)
    except KeyMaterialError as exc:
        details, problems = None, (_problem(exc),)
    if details is not None:
        rows = [("keys.subject", details.subject), ("keys.issuer", details.issuer), ("keys.alg", details.alg),
                ("keys.valid_from", f"{details.not_before:%Y-%m-%d %H:%M} UTC"),
                ("keys.valid_until", f"{details.not_after:%Y-%m-%d %H:%M} UTC"),
                ("keys.days_left", str(details.days_left) if details.days_left >= 0 else t("keys.expired", lang)),
                ("keys.chain", str(details.chain_length)), ("keys.fingerprint", details.sha256),
                ("keys.test", t("keys.test_yes", lang) if details.is_test_identity else t("keys.test_no", lang))]
        for label, value in rows:
            click.echo(f"{t(label, lang) + ':':<18}{value}")
    from handmade.messages import colon, error_words, hint_words

    for p in problems:  # in French: the code's sentence, the English message as the detail, the French fix
        kind = t("keys.problem", lang) if p.severity == "error" else t("keys.warning", lang)
        click.echo(f"{kind} [{p.code}]{colon(lang)} {error_words(p.code, p.message, lang)}\n"
                   f"  {t('keys.fix', lang)}{colon(lang)} {hint_words(p.code, p.hint, lang) or ''}")
    if any(p.severity == "error" for p in problems):
        click.get_current_context().exit(EXIT_FAIL)
    click.echo(t("keys.ok", lang))


def _problem(exc: Any) -> Any:
    from handmade.keys import KeyProblem

    return KeyProblem(exc.code, exc.message, exc.hint or "")


# --- label authority -------------------------------------------------------------------------------------
@main.group()
def authority() -> None:
    """Run a label authority for a collective: certify members, revoke them, export the bundle verifiers install."""


@authority.command("init")
@click.option("--name", required=True, help="The collective's name, as verdicts will say it.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="The authority's folder.")
@click.option("--country", help="Two-letter country code for the certificates (left out if not given).")
@click.option("--tsa-url", help="The RFC 3161 timestamp service members should use (travels in the bundle).")
@click.option("--alg", type=click.Choice(ALGORITHM_CHOICES), default="es256", show_default=True)
@click.option("--no-passphrase", is_flag=True, help="Write the CA keys unencrypted (not recommended).")
@error_funnel
def authority_init(name: str, out_dir: str, country: str | None, tsa_url: str | None, alg: str,
                   no_passphrase: bool) -> None:
    """Create the authority: a root CA (keep its key offline) and an issuing CA that certifies members."""
    from handmade.authority import init_authority

    paths = init_authority(out_dir, name, passphrase=_new_passphrase(no_passphrase, "the authority's keys"),
                           alg=alg, country=country, tsa_url=tsa_url)
    click.echo(f"authority:     {name} in {paths.folder}")
    click.echo(f"root CA:       {paths.root_cert} (its key {paths.root_key}: keep it offline)")
    click.echo(f"issuing CA:    {paths.issuing_cert} (certifies members, signs the revocation list)")
    click.echo(f"next:          handmade authority issue --authority {paths.folder} --csr MEMBER/signer.csr "
               "--out MEMBER/signer-chain.pem")


@authority.command("issue")
@click.option("--authority", "authority_dir", required=True, type=click.Path(file_okay=False))
@click.option("--csr", required=True, type=click.Path(dir_okay=False), help="The member's signer.csr.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The member's chain file.")
@click.option("--days", type=click.IntRange(1, 366), default=365, show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace an existing chain file (a renewal).")
@error_funnel
def authority_issue(authority_dir: str, csr: str, out_path: str, days: int, overwrite: bool) -> None:
    """Certify a member (or renew their certificate) with the C2PA signer profile and the collective's name."""
    from cryptography.x509.oid import NameOID

    from handmade.authority import issue

    cert = issue(authority_dir, csr, out_path, passphrase=_key_passphrase("the issuing CA key"), days=days,
                 overwrite=overwrite)
    who = str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    click.echo(f"certified:     {who} (serial {cert.serial_number:x}, valid until "
               f"{cert.not_valid_after_utc.date().isoformat()}) -> {out_path}")


@authority.command("revoke")
@click.option("--authority", "authority_dir", required=True, type=click.Path(file_okay=False))
@click.option("--cert", "cert_path", required=True, type=click.Path(dir_okay=False),
              help="The member's certificate (their chain file).")
@click.option("--reason", type=click.Choice(["unspecified", "keyCompromise", "affiliationChanged", "superseded",
                                             "cessationOfOperation"]), default="unspecified", show_default=True)
@error_funnel
def authority_revoke(authority_dir: str, cert_path: str, reason: str) -> None:
    """Revoke a member's certificate; the next exported bundle's revocation list names it."""
    from handmade.authority import revoke

    entry = revoke(authority_dir, cert_path, reason=reason)
    click.echo(f"revoked:       {entry['name']} (serial {entry['serial']}) on {entry['time']} ({entry['reason']}); "
               "export the bundle again and send it to verifiers")


@authority.command("export")
@click.option("--authority", "authority_dir", required=True, type=click.Path(file_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The bundle file to write.")
@click.option("--crl-days", type=click.IntRange(1, 366), help="Days until the revocation list's next update "
              "(default: the authority's setting, 30).")
@error_funnel
def authority_export(authority_dir: str, out_path: str, crl_days: int | None) -> None:
    """Write the bundle verifiers install: the root, the issuing CA, a freshly signed revocation list, the name
    and the TSA URL."""
    from handmade.authority import export_bundle

    bundle = export_bundle(authority_dir, out_path, passphrase=_key_passphrase("the issuing CA key"),
                           crl_days=crl_days)
    click.echo(f"bundle:        {out_path} ({bundle['name']}); verifiers run: handmade trust add {out_path}")


# --- trust ---------------------------------------------------------------------------------------------
@main.group("trust")
def trust_group() -> None:
    """Show or update the trust lists that decide who vouches for a signer."""


@trust_group.command("show")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False),
              help="Also list these PEM anchors (as verify --trust would add them).")
@click.option("--no-default-trust", is_flag=True, help="Show the configuration without the shipped lists.")
@click.option("--at", "at_day", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Judge which lists are stale on this day (UTC) rather than today: what will need an update.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@error_funnel
def trust_show(trust_paths: tuple[str, ...], no_default_trust: bool, at_day: Any, as_json: bool) -> None:
    """List each trust source in force: issue date, next update, certificates, origin and licence.

    Exit 1 when a list is past its next-update date (stale), today or on the --at day.
    """
    import datetime as dt

    config = _load_trust(trust_paths, no_default_trust)
    now = at_day.replace(tzinfo=dt.timezone.utc) if at_day is not None else None
    stale = {f.source for f in config.stale_findings(now=now)}
    if as_json:
        click.echo(json.dumps({"schema": "handmade.trust/v1", "sources": [
            {**s.to_dict(), "stale": s.id in stale} for s in config.sources]}, indent=2))
    else:
        if not config.sources:
            click.echo("no trust source: nothing can read as trusted")
        for s in config.sources:
            dates = ", ".join(x for x in (
                f"issued {s.issued[:10]}" if s.issued else "",
                f"next update {s.next_update[:10]}" if s.next_update else "",
                f"frozen {s.frozen}" if s.frozen else "") if x)
            status = " STALE" if s.id in stale else ""
            click.echo(f"{s.id}{status}: {s.title} ({s.role}), {s.count} certificate(s)"
                       + (f"; {dates}" if dates else ""))
            click.echo(f"  from: {s.origin or s.location}")
            if s.licence:
                click.echo(f"  licence: {s.licence}")
    if stale:
        click.get_current_context().exit(EXIT_FAIL)


@trust_group.command("add")
@click.argument("bundle", type=click.Path(dir_okay=False))
@error_funnel
def trust_add(bundle: str) -> None:
    """Install a label authority's bundle: its members' files then read "certified by" it, and its revocation list
    is checked. Add a newer bundle the same way (it replaces the old one)."""
    from handmade.authority import install_bundle, load_bundle

    target = install_bundle(bundle)
    click.echo(f"installed:     {load_bundle(target).name} -> {target}")


@trust_group.command("update")
@click.option("--from", "source", required=True,
              help="A folder holding C2PA-TRUST-LIST.pem/.json and C2PA-TSA-TRUST-LIST.pem/.json (or a c2pa-official/ "
                   "folder with them), or the https:// base address serving them.")
@click.option("--force", is_flag=True, help="Install even if the list is older than the one in force.")
@click.option("--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds allowed per download.")
@error_funnel
def trust_update(source: str, force: bool, timeout: float) -> None:
    """Install a newer snapshot of the C2PA Trust List and TSA Trust List into your data directory.

    Fetches only when given an address. The PEM and JSON of each list must name the same certificates. The
    frozen interim list stays as shipped. The data directory is $HANDMADE_DATA_DIR, else
    $XDG_DATA_HOME/handmade, else ~/.local/share/handmade.
    """
    from handmade import trust

    done = trust.update(source, timeout=timeout, force=force)
    click.echo(f"installed: C2PA Trust List issued {done.issued} ({done.count} certificates; was "
               f"{done.previous or 'none'}), TSA Trust List {done.tsa_count} certificates -> {done.location}")


# --- archive scans -----------------------------------------------------------------------------------
@main.command()
@click.argument("roots", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The JSON-lines results file: one handmade.report/v2 result per file, with path, sha256 and "
                   "the policy decision.")
@click.option("--resume", is_flag=True, help="Skip the files --out already holds (after a crash, a kill, Ctrl-C).")
@click.option("--workers", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Local worker processes (0: one per core).")
@click.option("--dask", "dask_address", metavar="tcp://HOST:PORT",
              help="Run on this Dask distributed scheduler instead of local processes (handmade[cluster]); "
                   "the workers must see the files under the same paths.")
@click.option("--all-files", is_flag=True, help="Check every regular file, not only image file names.")
@trust_options
@click.option("--policy", "policy_name", default="handmade", show_default=True, help=POLICY_HELP)
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True)
@error_funnel
def scan(roots: tuple[str, ...], out: str, resume: bool, workers: int, dask_address: str | None, all_files: bool,
         trust_paths: tuple[str, ...], no_default_trust: bool, trust_list: str | None, tsa_trust_list: str | None,
         allow_remote: bool, timeout: float, policy_name: str, lang: str) -> None:
    """Verify every image under ROOT folders into a JSON-lines file; resumable.

    Walks the trees lazily (memory stays flat), checks each file within --timeout in worker processes,
    appends one line per file as it is known, draws a progress bar on a terminal and prints a summary
    (by verdict, by signer, AI found, errors) on stderr. Exit 0 once every file is in --out (whatever
    the verdicts: read them from the file), 2 for a usage error, 3 if the scan could not run.
    """
    from handmade.policy import load_policy
    from handmade.scan import scan as run_scan

    policy = load_policy(policy_name)
    trust = _load_trust(trust_paths, no_default_trust, trust_list, tsa_trust_list)
    if dask_address and workers:
        raise click.UsageError("--workers is for local scans; a Dask cluster has its own workers")
    summary = run_scan(list(roots), out, trust=trust, policy=policy, resume=resume, workers=workers,
                       timeout=timeout or None, allow_remote=allow_remote, all_files=all_files,
                       dask=dask_address, lang=lang, progress=sys.stderr, warn=lambda m: _warn(m, lang))
    _err(summary.render(out, lang))


# --- service -----------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (stateless; or run several hosts behind a load balancer).")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False),
              help="PEM file of your own trust anchors, or a label authority's bundle, added to the shipped C2PA "
                   "trust lists (repeatable). Default: $HANDMADE_TRUST or the settings file.")
@click.option("--no-default-trust", is_flag=True, help="Do not use the shipped C2PA trust lists.")
@click.option("--policy", "policy_ref", default="handmade", show_default=True, help=POLICY_HELP)
@click.option("--client-policy", "client_policies", multiple=True,
              help="A preset that callers may choose with ?policy= even if it is looser than --policy "
                   "(repeatable). Without it, ?policy= may only tighten the service's policy.")
@click.option("--audit-db", default="handmade-audit.sqlite", show_default=True,
              help="Decision log: a SQLite path, sqlite:///path or postgresql://user@host:port/db (shared by "
                   "several hosts; needs handmade[postgres]); 'none' to disable.")
@click.option("--max-upload-mb", type=click.FloatRange(min=0.001), default=50.0, show_default=True)
@click.option("--max-megapixels", type=click.FloatRange(min=0.001), default=100.0, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds allowed per verification.")
@click.option("--max-concurrent", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Verifications at once per worker (and twice as many full-size uploads in memory); more "
                   "wait briefly, then get 503.")
@click.option("--header-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a connection has to send a request's headers; then it is closed.")
@click.option("--body-idle-timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds an upload may send nothing before it gets 408.")
@click.option("--body-timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
              help="Seconds a whole upload may take before it gets 408.")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=512, show_default=True,
              help="Connections held open at once per worker; one more gets 503 and is closed.")
@click.option("--registry", "registry_db", metavar="DB",
              help="A manifest registry (SQLite path or postgresql:// URL): uploads without valid credentials are "
                   "looked up there, and the C2PA Soft Binding Resolution API (/v1/matches/byBinding, "
                   "/v1/matches/byContent, /v1/manifests/ID, /v1/services/supportedAlgorithms) answers from it.")
@click.option("--registry-token-file", type=click.Path(dir_okay=False),
              help="A file holding the bearer token that may add signed files to the registry (POST /v1/registry, "
                   "'Authorization: Bearer TOKEN'); without it the registry is read-only through the service.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="A press site's origin (https://news.example, or *) whose pages may call the API from the "
                   "browser: the <handmade-credentials> component (repeatable; default: same origin only).")
@error_funnel
def serve(host: str, port: int, workers: int, trust_paths: tuple[str, ...], no_default_trust: bool, policy_ref: str,
          client_policies: tuple[str, ...], audit_db: str, max_upload_mb: float, max_megapixels: float,
          timeout: float, max_concurrent: int, header_timeout: float, body_idle_timeout: float, body_timeout: float,
          max_connections: int, registry_db: str | None, registry_token_file: str | None,
          cors_origins: tuple[str, ...]) -> None:
    """Run the upload-checking service: JSON API and a web page for editors.

    POST /v1/verify (an image, multipart field 'file' or raw body) answers with the handmade.report/v2
    result and the policy decision; GET / is the page (English/French); GET /openapi.json the API.
    """
    try:
        from handmade.web import ServiceConfig, run
    except ImportError as exc:
        raise click.UsageError(f"the service needs its extra: pip install 'handmade[web]' ({exc})") from exc
    from handmade.policy import PRESETS, load_policy
    from handmade.settings import default_trust_paths
    from handmade.web.audit import check_url

    unknown = [p for p in client_policies if p not in PRESETS]
    if unknown:
        raise click.UsageError(f"--client-policy must name presets ({', '.join(PRESETS)}): {', '.join(unknown)}")
    if audit_db.lower() != "none":
        check_url(audit_db)  # a URL this build cannot open fails here, before the banner says "service on"
    token_sha256 = None
    if registry_token_file:
        if not registry_db:
            raise click.UsageError("--registry-token-file needs --registry")
        token_sha256 = _registry_token(registry_token_file)
    if registry_db:
        from handmade.registry import check_url as check_registry

        check_registry(registry_db)
    paths = list(trust_paths) or default_trust_paths()
    config = ServiceConfig(registry_db=registry_db, registry_token_sha256=token_sha256,
                           trust=_load_trust(tuple(paths), no_default_trust), policy=load_policy(policy_ref),
                           client_policies=tuple(client_policies),
                           audit_db=None if audit_db.lower() == "none" else audit_db,
                           max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                           max_pixels=int(max_megapixels * 1_000_000), timeout_s=timeout,
                           max_concurrent=max_concurrent, header_timeout_s=header_timeout,
                           body_idle_timeout_s=body_idle_timeout, body_timeout_s=body_timeout,
                           max_connections=max_connections, cors_origins=tuple(cors_origins))
    sources = ", ".join(s.id for s in config.trust.sources) or "none"
    _err(f"handmade service on http://{host}:{port}/ (policy {config.policy.name}, trust: {sources}, "
         f"audit log {config.audit_db or 'off'}, registry {config.registry_db or 'off'}"
         f"{' (writable with its token)' if token_sha256 else ''})")
    run(config, host=host, port=port, workers=workers, trust_paths=paths, policy_ref=policy_ref)


@main.command()
@click.option("--db", "db_url", default="handmade-audit.sqlite", show_default=True,
              help="The decision log written by 'handmade serve': a SQLite path or URL, or postgresql://...")
@click.option("--since", type=click.DateTime(), help="Only decisions at or after this time (UTC).")
@click.option("--until", type=click.DateTime(), help="Only decisions before this time (UTC).")
@click.option("--accepted/--rejected", "accepted", default=None, help="Only accepted, or only rejected.")
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@error_funnel
def audit(db_url: str, since: Any, until: Any, accepted: bool | None, limit: int, fmt: str) -> None:
    """List or export the service's decision log (SQLite or PostgreSQL)."""
    from handmade.report import join_reasons
    from handmade.web.audit import export, list_decisions

    if not db_url.startswith("sqlite:") and "://" not in db_url and not Path(db_url).exists():
        raise click.UsageError(f"no decision log at {db_url}")
    filters = {"since": since, "until": until, "accepted": accepted, "limit": limit}
    if fmt in ("csv", "json"):
        export(db_url, fmt, sys.stdout, **filters)
        return
    for row in list_decisions(db_url, **filters):
        verdict = "ACCEPTED" if row["accepted"] else "REJECTED"
        why = join_reasons([r["message"] for r in row["reasons"]])
        click.echo(f"{row['time']}  {verdict:<8}  {row['policy']:<9} {row['filename']}  {row['summary']}"
                   + (f"  -- {why}" if why else ""))



# --- registry ------------------------------------------------------------------------------------------
def _registry_token(path: str) -> str:
    """The SHA-256 of the bearer token in ``path`` (its first line). Raises: HandmadeError (``registry.token``)."""
    import hashlib

    from handmade.errors import HandmadeError

    try:
        token = Path(path).read_text(encoding="utf-8").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        raise HandmadeError(f"{path}: cannot read the registry token ({exc})", code="registry.token",
                            hint="Put a long random token on the first line, e.g. "
                                 "python -c 'import secrets; print(secrets.token_urlsafe(32))' > token") from exc
    if len(token) < 16:
        raise HandmadeError(f"{path}: the registry token is shorter than 16 characters", code="registry.token",
                            hint="Use a long random token: "
                                 "python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return hashlib.sha256(token.encode()).hexdigest()


REGISTRY_HELP = "The manifest registry: a SQLite path or sqlite:///path, or postgresql://user@host:port/database."


@main.group()
def registry() -> None:
    """The manifest registry: signed files' fingerprints and manifest stores, to find the credentials of copies
    that lost them (verify --registry, serve --registry)."""


@registry.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--db", "db_url", required=True, help=REGISTRY_HELP)
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False),
              help="PEM trust anchors or a label authority's bundle, added to the shipped lists (repeatable).")
@click.option("--lang", type=click.Choice(LANGUAGE_CHOICES), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one handmade.registry/v1 JSON document on stdout.")
@error_funnel
def registry_add(files: tuple[str, ...], db_url: str, trust_paths: tuple[str, ...], lang: str, as_json: bool) -> None:
    """Register signed files: their fingerprint (soft binding), manifest store, SHA-256, signer, author and
    signing time. Only files whose own Content Credentials validate and carry a fingerprint are added; a file
    already registered is left as it is. Exit 0 if all were registered, 1 if one was refused."""
    from handmade.messages import error_words, t
    from handmade.registry import register_files
    from handmade.verify import expand_inputs

    paths = list(expand_inputs(files))
    if not paths:
        _no_images(files)
    results = register_files(db_url, paths, trust=_load_trust(trust_paths))
    failed = 0
    docs = []
    for path, entry, added, error in results:
        failed += error is not None
        docs.append({"path": path, "added": added, "entry": entry.to_dict() if entry else None,
                     "error": error.to_dict() if error else None})
        if as_json:
            continue
        if error is not None:
            click.echo(f"{path}: {t('cli.failed', lang)} {error.code}: {error_words(error.code, error.message, lang)}")
        else:
            assert entry is not None
            key = "registry.added" if added else "registry.already"
            click.echo(t(key, lang, path=path, value=entry.value, id=entry.manifest_id))
    if as_json:
        click.echo(json.dumps({"schema": "handmade.registry/v1", "results": docs}, indent=2, ensure_ascii=False))
    if failed:
        click.get_current_context().exit(EXIT_FAIL)
