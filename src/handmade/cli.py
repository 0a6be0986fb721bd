"""The ``handmade`` command: parse, call one library function, render. Nothing else lives here.

Exit codes: 0 every input passes; 1 at least one input is not handmade / fails the policy / failed in a
batch; 2 usage error; 3 operational error (bad input file, bad key, unreadable trust anchors, refused
signing). Tracebacks only with ``--verbose``. With ``--json`` stdout carries only JSON; messages go to
stderr. Heavy modules (c2pa, Pillow, cryptography) are imported inside the commands so that
``handmade --help`` stays fast.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from handmade import __version__

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])

MADE_WITH_CHOICES = ["camera", "phone", "film", "slide", "scan", "painting", "drawing", "digital-art",
                     "illustration", "animation", "composite"]


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
            _err(f"error: {exc.diagnostics()}")
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            _err("interrupted")
            ctx.exit(130)
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
                        help="PEM file of your own trust anchors, added to the shipped C2PA trust lists "
                             "(repeatable). Default: $HANDMADE_TRUST or the settings file.")(func)
    return func


def _load_trust(paths: tuple[str, ...], no_default: bool = False, trust_list: str | None = None,
                tsa_trust_list: str | None = None) -> Any:
    """The trust configuration of a command; warns on stderr, once, when a shipped list is past its update date."""
    from handmade import trust
    from handmade.verify import default_trust_paths, load_trust_anchors

    anchors = load_trust_anchors(paths or default_trust_paths())
    config = trust.build(anchors, use_default=trust.default_trust_enabled(no_default), trust_list=trust_list,
                         tsa_trust_list=tsa_trust_list)
    for finding in config.stale_findings():
        _err(f"warning: {finding.message}")
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
    verify   check signature, tampering and who vouches; a verdict block per file
    report   the whole edit history, with every generative-AI step marked
    keys     create and check signing keys
    trust    show or update the trust lists that decide who vouches for a signer
    serve    the upload-checking web service (needs: pip install 'handmade[web]')
    audit    list or export the service's decision log
    scan     verify whole archives into a resumable JSON-lines file (locally or on Dask)

    Exit codes: 0 pass, 1 not handmade / policy failed, 2 usage error, 3 operational error.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    from handmade.tuning import tune_allocator

    tune_allocator()  # this process is ours: pin glibc's thresholds (handmade.tuning says why)
    # SIGTERM unwinds like Ctrl-C (exit 143): batches stop their workers and remove what they staged.
    signal.signal(signal.SIGTERM, _terminated)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


# --- sign ----------------------------------------------------------------------------------------------
@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Output file (one input) or folder (several inputs or a folder).")
@click.option("--author", help="Author name, written as dc:creator and EXIF Artist.")
@click.option("--made-with", type=click.Choice(MADE_WITH_CHOICES), default="camera", show_default=True,
              help="How the image was made: sets the IPTC digital source type.")
@click.option("--rights", help="Copyright line (default: '© YEAR AUTHOR. All rights reserved. No AI training...').")
@click.option("--allow-ai-training", is_flag=True, help="Mark AI training and data mining as allowed.")
@click.option("--key", type=click.Path(dir_okay=False), help="Private key (PEM or PKCS#12). Default: TEST key.")
@click.option("--chain", type=click.Path(dir_okay=False), help="Certificate chain PEM, leaf first.")
@click.option("--tsa-url", help="RFC 3161 timestamp authority URL (needs network).")
@click.option("--overwrite", is_flag=True, help="Replace existing output files.")
@click.option("--badge", is_flag=True, help="Stamp a visible 'Made by hand' mark in a corner (re-encodes).")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the badge and messages.")
@click.option("--no-thumbnail", is_flag=True, help="Do not embed a claim thumbnail.")
@click.option("--no-metadata", is_flag=True, help="Do not write EXIF/XMP (the manifest still says it all).")
@click.option("--workers", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Processes for batches (0: one per core).")
@click.option("--timeout", type=click.FloatRange(min=0), default=120.0, show_default=True,
              help="Batches: give up on a file after this many seconds (0: no limit); it fails alone.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON results on stdout.")
@error_funnel
def sign(inputs: tuple[str, ...], output: str, author: str | None, made_with: str, rights: str | None,
         allow_ai_training: bool, key: str | None, chain: str | None, tsa_url: str | None, overwrite: bool,
         badge: bool, lang: str, no_thumbnail: bool, no_metadata: bool, workers: int, timeout: float,
         as_json: bool) -> None:
    """Sign images as human-made.

    Writes a C2PA manifest with the author, how the image was made, and AI training marked as not
    allowed; keeps an existing manifest (camera, editor) as the parent. Refuses any input whose
    history contains generative AI. Never modifies the original; writes atomically.
    """
    from handmade.keys import bundled_test_identity, load_identity
    from handmade.sign import TEST_IDENTITY_WARNING, SignOptions, iter_sign_batch, plan_batch, sign_image

    if chain and not key:
        raise click.UsageError("--chain needs --key")
    identity = load_identity(key, chain) if key else bundled_test_identity()
    if identity.is_test_identity:
        _err(f"warning: {TEST_IDENTITY_WARNING}")
    options = SignOptions(author=author, made_with=made_with, allow_ai_training=allow_ai_training, rights=rights,
                          tsa_url=tsa_url, badge=badge, lang=lang, thumbnail=not no_thumbnail,
                          write_metadata=not no_metadata)
    single = len(inputs) == 1 and not Path(inputs[0]).is_dir() and not Path(output).is_dir()
    if single:
        result = sign_image(inputs[0], output, options, identity, overwrite=overwrite)
        if as_json:
            click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(f"{result.output}: signed ({result.report.summary()})"
                       + ("; existing manifest kept as parent" if result.parent_kept else ""))
        return
    out_dir = Path(output)
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError("with several inputs or a folder, -o must be a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = plan_batch(inputs, out_dir)
    n_workers = workers or (os.cpu_count() or 1)
    items = []
    with click.progressbar(length=len(pairs), label="signing", file=sys.stderr,
                           show_pos=True) as bar:
        for item in iter_sign_batch(pairs, options, identity, overwrite=overwrite, workers=n_workers,
                                     timeout=timeout or None):
            items.append(item)
            bar.update(1)
            if not as_json:
                status = "ok" if item.ok else f"FAILED {item.error_code}: {item.error_message}"
                click.echo(f"{item.source} -> {item.output}: {status}")
    failed = [i for i in items if not i.ok]
    if as_json:
        click.echo(json.dumps({"schema": "handmade.sign-batch/v1", "results": [
            {"source": i.source, "output": i.output, "ok": i.ok, "error": None if i.ok else
             {"code": i.error_code, "message": i.error_message},
             "summary": i.result.report.summary() if i.result else None} for i in items]}, indent=2))
    _err(f"signed {len(items) - len(failed)} of {len(items)} file(s); {len(failed)} failed")
    if failed:
        click.get_current_context().exit(EXIT_FAIL)


# --- verify / report -----------------------------------------------------------------------------------
POLICY_HELP = "handmade | claimed | trusted | intact | any, or a TOML policy file."


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@trust_options
@click.option("--policy", "policy_name", default="handmade", show_default=True, help=POLICY_HELP)
@click.option("--workers", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Files checked at once (0: one per core).")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "crjson"]), default="text", show_default=True,
              help="text; json (handmade.report/v2); crjson (the C2PA JSON of each manifest store, as the "
                   "conformance program evaluates it).")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@error_funnel
def verify(files: tuple[str, ...], trust_paths: tuple[str, ...], no_default_trust: bool, trust_list: str | None,
           tsa_trust_list: str | None, allow_remote: bool, timeout: float, policy_name: str, workers: int, lang: str,
           fmt: str, as_json: bool) -> None:
    """Check each file's Content Credentials: signature, tampering, trust, AI.

    Prints a block per file: the summary tokens (e.g. 'TRUSTED INTACT HUMAN NO-AI NO-TRAINING'), the
    verdict in words with who vouches for the signer, and the findings that decided it. Trust comes from
    the shipped C2PA trust lists plus your --trust anchors. Exit 0 if all pass the policy, 1 if any fails,
    3 if a file cannot be read.
    """
    from handmade.policy import evaluate, load_policy
    from handmade.report import render_json, render_summary
    from handmade.verify import inspect_many

    fmt = "json" if as_json else fmt
    policy = load_policy(policy_name)
    trust = _load_trust(trust_paths, no_default_trust, trust_list, tsa_trust_list)
    if fmt == "crjson":
        _print_crjson(files, trust, allow_remote)
        return
    n_workers = min(workers or (os.cpu_count() or 1), len(files))
    reports = inspect_many(files, trust=trust, allow_remote=allow_remote, timeout=timeout or None,
                           workers=n_workers)
    decisions = [evaluate(policy, r) for r in reports]
    if fmt == "json":
        click.echo(render_json(reports, [{"policy": d.to_dict()} for d in decisions]))
    else:
        for report, decision in zip(reports, decisions, strict=True):
            click.echo(render_summary(report, lang))
            verdict = "PASS" if decision.accepted else "FAIL"
            reasons = " ".join(r.message for r in decision.reasons)
            click.echo(f"  policy {decision.policy}: {verdict}{' - ' + reasons if reasons else ''}")
    _exit_for(reports, [d.accepted for d in decisions])


def _print_crjson(files: tuple[str, ...], trust: Any, allow_remote: bool) -> None:
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
            _err(f"error: {exc.diagnostics()}")
            docs.append(None)
            failed = True
    click.echo(json.dumps(docs[0] if len(files) == 1 else docs, indent=2, ensure_ascii=False))
    if failed:
        click.get_current_context().exit(EXIT_ERROR)


def _exit_for(reports: list[Any], accepted: list[bool]) -> None:
    ctx = click.get_current_context()
    if any(r.state == "error" for r in reports):
        ctx.exit(EXIT_ERROR)
    if not all(accepted):
        ctx.exit(EXIT_FAIL)


@main.command()
@click.argument("file", type=click.Path())
@trust_options
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print only the handmade.report/v1 JSON on stdout.")
@error_funnel
def report(file: str, trust_paths: tuple[str, ...], no_default_trust: bool, trust_list: str | None,
           tsa_trust_list: str | None, allow_remote: bool, timeout: float, lang: str, as_json: bool) -> None:
    """Show a file's whole history as a tree, with every generative-AI step marked and explained.

    Also lists provenance hints found outside C2PA (XMP/IPTC, EXIF, PNG text of AI tools). Exit 0 when
    the file could be read (whatever it says), 3 when it could not.
    """
    from handmade.report import render_json, render_tree
    from handmade.verify import inspect_many

    [result] = inspect_many([file], trust=_load_trust(trust_paths, no_default_trust, trust_list, tsa_trust_list),
                            allow_remote=allow_remote,
                            timeout=timeout or None)
    click.echo(render_json([result]) if as_json else render_tree(result, lang))
    if result.state == "error":
        click.get_current_context().exit(EXIT_ERROR)


# --- keys ----------------------------------------------------------------------------------------------
@main.group()
def keys() -> None:
    """Create and check signing keys and certificates."""


@keys.command("init")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--name", required=True, help="Your name, as it will appear as the signer.")
@click.option("--org", "organization", help="Organisation in the certificate (default: the name).")
@click.option("--country", default="FR", show_default=True, help="Two-letter country code.")
@click.option("--alg", type=click.Choice(["es256", "es384", "ps256", "ed25519"]), default="es256",
              show_default=True)
@click.option("--no-passphrase", is_flag=True, help="Write the private key unencrypted (not recommended).")
@click.option("--overwrite", is_flag=True, help="Replace existing key files.")
@error_funnel
def keys_init(out_dir: str, name: str, organization: str | None, country: str, alg: str, no_passphrase: bool,
              overwrite: bool) -> None:
    """Create a signing key, a signer certificate and a local root CA.

    The passphrase comes from $HANDMADE_KEY_PASSPHRASE or a prompt. Give root-ca.pem to the people
    who verify your files (their --trust); keep the keys private.
    """
    from handmade.keys import create_identity

    passphrase: str | None = None
    if not no_passphrase:
        passphrase = os.environ.get("HANDMADE_KEY_PASSPHRASE")
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


@keys.command("check")
@click.option("--key", required=True, type=click.Path(dir_okay=False))
@click.option("--chain", type=click.Path(dir_okay=False), help="Certificate chain PEM (not needed for PKCS#12).")
@error_funnel
def keys_check(key: str, chain: str | None) -> None:
    """Report problems with a key and certificate chain, in words. Exit 0 if usable, 1 if not."""
    from handmade.keys import check_identity

    problems = check_identity(key, chain, os.environ.get("HANDMADE_KEY_PASSPHRASE"))
    for p in problems:
        click.echo(f"{'problem' if p.severity == 'error' else 'warning'} [{p.code}]: {p.message}\n  fix: {p.hint}")
    if any(p.severity == "error" for p in problems):
        click.get_current_context().exit(EXIT_FAIL)
    click.echo("ok: this key and chain can sign Content Credentials")


# --- trust ---------------------------------------------------------------------------------------------
@main.group("trust")
def trust_group() -> None:
    """Show or update the trust lists that decide who vouches for a signer."""


@trust_group.command("show")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False),
              help="Also list these PEM anchors (as verify --trust would add them).")
@click.option("--no-default-trust", is_flag=True, help="Show the configuration without the shipped lists.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@error_funnel
def trust_show(trust_paths: tuple[str, ...], no_default_trust: bool, as_json: bool) -> None:
    """List each trust source in force: issue date, next update, certificates, origin and licence.

    Exit 1 when a list is past its next-update date (stale).
    """
    config = _load_trust(trust_paths, no_default_trust)
    stale = {f.source for f in config.stale_findings()}
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
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True)
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
                       dask=dask_address, lang=lang, progress=sys.stderr, warn=lambda m: _err(f"warning: {m}"))
    _err(summary.render(out, lang))


# --- service -----------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (stateless; or run several hosts behind a load balancer).")
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(dir_okay=False),
              help="PEM trust anchors of your own, added to the shipped C2PA trust lists (repeatable). Default: "
                   "$HANDMADE_TRUST or the settings file.")
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
@error_funnel
def serve(host: str, port: int, workers: int, trust_paths: tuple[str, ...], no_default_trust: bool, policy_ref: str,
          client_policies: tuple[str, ...], audit_db: str, max_upload_mb: float, max_megapixels: float,
          timeout: float, max_concurrent: int, header_timeout: float, body_idle_timeout: float, body_timeout: float,
          max_connections: int) -> None:
    """Run the upload-checking service: JSON API and a web page for editors.

    POST /v1/verify (an image, multipart field 'file' or raw body) answers with the handmade.report/v1
    result and the policy decision; GET / is the page (English/French); GET /openapi.json the API.
    """
    try:
        from handmade.web.app import ServiceConfig, run
    except ImportError as exc:
        raise click.UsageError(f"the service needs its extra: pip install 'handmade[web]' ({exc})") from exc
    from handmade.policy import PRESETS, load_policy
    from handmade.verify import default_trust_paths

    unknown = [p for p in client_policies if p not in PRESETS]
    if unknown:
        raise click.UsageError(f"--client-policy must name presets ({', '.join(PRESETS)}): {', '.join(unknown)}")
    paths = list(trust_paths) or default_trust_paths()
    config = ServiceConfig(trust=_load_trust(tuple(paths), no_default_trust), policy=load_policy(policy_ref),
                           client_policies=tuple(client_policies),
                           audit_db=None if audit_db.lower() == "none" else audit_db,
                           max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                           max_pixels=int(max_megapixels * 1_000_000), timeout_s=timeout,
                           max_concurrent=max_concurrent, header_timeout_s=header_timeout,
                           body_idle_timeout_s=body_idle_timeout, body_timeout_s=body_timeout,
                           max_connections=max_connections)
    sources = ", ".join(s.id for s in config.trust.sources) or "none"
    _err(f"handmade service on http://{host}:{port}/ (policy {config.policy.name}, trust: {sources}, "
         f"audit log {config.audit_db or 'off'})")
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
    from handmade.web.audit import export, list_decisions

    if not db_url.startswith("sqlite:") and "://" not in db_url and not Path(db_url).exists():
        raise click.UsageError(f"no decision log at {db_url}")
    filters = {"since": since, "until": until, "accepted": accepted, "limit": limit}
    if fmt in ("csv", "json"):
        export(db_url, fmt, sys.stdout, **filters)
        return
    for row in list_decisions(db_url, **filters):
        verdict = "ACCEPTED" if row["accepted"] else "REJECTED"
        why = "; ".join(r["message"] for r in row["reasons"])
        click.echo(f"{row['time']}  {verdict:<8}  {row['policy']:<9} {row['filename']}  {row['summary']}"
                   + (f"  -- {why}" if why else ""))


def run() -> None:  # pragma: no cover - console entry alias
    main()
