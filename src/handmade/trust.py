"""Who vouches for a signer: the trust configuration handmade gives c2pa-rs, and where each part came from.

A trust configuration is a list of **sources**, each with a stable id that verdicts name in ``trusted_by``:

- ``c2pa-trust-list``: the C2PA Trust List (claim-signing CAs of conforming products), shipped;
- ``c2pa-tsa-trust-list``: the C2PA TSA Trust List (time-stamping CAs), shipped; never vouches for a signer;
- ``c2pa-interim-list``: the Content Credentials interim list (anchors, allowed end-entity certificates, EKU
  configuration), frozen on 2026-01-01: it vouches only for credentials that a trusted timestamp shows were
  signed before that day;
- ``your-anchors``: PEM roots the user gives (``--trust``, ``HANDMADE_TRUST``, the settings file);
- ``authority:<name>``: a label authority's bundle (reserved for the authority work; same shape).

The shipped lists are a dated snapshot inside the package (``handmade/trustlists/``, attribution in NOTICE);
``handmade trust update`` installs a newer one into the user's data directory, which then wins. They map onto
c2pa-rs's three trust settings: ``trust.trust_anchors`` (shipped roots), ``trust.user_anchors`` (your roots and
authorities), ``trust.allowed_list`` (end-entity certificates trusted one by one) and ``trust.trust_config``
(accepted extended key usages). c2pa-rs says only "trusted" for the union; ``attribute`` finds which source
vouched by validating again against each signer source alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from handmade.errors import TrustConfigError
from handmade.messages import finding
from handmade.models import Finding
from handmade.settings import DATA_ENV, NO_DEFAULT_ENV, data_dir, read_settings

OFFICIAL = "c2pa-trust-list"
TSA = "c2pa-tsa-trust-list"
INTERIM = "c2pa-interim-list"
YOURS = "your-anchors"
AUTHORITY_PREFIX = "authority:"

SNAPSHOT_FILE = "SNAPSHOT.json"
#: The files a snapshot directory holds (the layout of ``handmade/trustlists/`` and of ``trust update --from``).
OFFICIAL_FILES = ("C2PA-TRUST-LIST.pem", "C2PA-TRUST-LIST.json", "C2PA-TSA-TRUST-LIST.pem", "C2PA-TSA-TRUST-LIST.json")

Role = Literal["signers", "tsa"]


@dataclass(frozen=True)
class TrustSource:
    """One list of certificates that may vouch, with its provenance (for ``trust show`` and verdicts)."""

    id: str
    title: str
    role: Role
    anchors_pem: str = ""
    allowed_pem: str = ""
    eku: str = ""  # extended key usage OIDs, one a line (c2pa-rs ``trust.trust_config``)
    count: int = 0
    issued: str | None = None  # ListIssueDateTime
    next_update: str | None = None  # NextUpdate: past it, the snapshot is stale
    frozen: str | None = None  # the day a frozen list stopped vouching for new signatures
    origin: str = ""
    licence: str | None = None
    location: str = ""  # where it was loaded from
    shipped: bool = False  # part of the default configuration (c2pa-rs ``trust_anchors``), not the user's
    crl_pem: str = ""  # an authority's CRL, checked by handmade (c2pa-rs checks OCSP only)
    tsa_url: str | None = None  # the time-stamping service an authority names for its members
    issuing_pem: str = ""  # an authority's issuing CA (its members' certificates come from it)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "role": self.role, "count": self.count, "issued": self.issued,
                "next_update": self.next_update, "frozen": self.frozen, "origin": self.origin,
                "licence": self.licence, "location": self.location, "shipped": self.shipped,
                "allowed_certificates": _count_pem(self.allowed_pem), "tsa_url": self.tsa_url}


@dataclass(frozen=True)
class TrustConfig:
    """The whole trust configuration given to c2pa-rs for one verification (frozen, picklable for workers).

    ``TrustConfig.default()`` is the shipped snapshot; ``with_anchors`` adds the user's roots on top;
    ``TrustConfig.none()`` trusts nobody (every good signature then reads ``valid`` at best).
    """

    sources: tuple[TrustSource, ...] = ()
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            digest = hashlib.sha256()
            for s in self.sources:
                digest.update(json.dumps([s.id, s.anchors_pem, s.allowed_pem, s.eku]).encode())
            object.__setattr__(self, "key", digest.hexdigest())

    # -- construction -------------------------------------------------------------------------------------
    @classmethod
    def none(cls) -> TrustConfig:
        return cls(())

    @classmethod
    def default(cls) -> TrustConfig:
        """The shipped snapshot (or a newer one installed with ``handmade trust update``)."""
        return _default_config()

    def with_anchors(self, anchors: Any) -> TrustConfig:
        """This configuration plus the user's PEM roots (a ``verify.TrustAnchors``) as ``your-anchors``."""
        if anchors is None:
            return self
        mine = TrustSource(id=YOURS, title="your trust anchors", role="signers", anchors_pem=anchors.pem,
                           count=anchors.count, origin=", ".join(anchors.sources), location=", ".join(anchors.sources))
        return TrustConfig((*(s for s in self.sources if s.id != YOURS), mine))

    def with_bundles(self, bundles: Iterable[Any]) -> TrustConfig:
        """This configuration plus label authorities (``authority.Bundle``) as ``authority:<name>`` sources."""
        bundles = list(bundles)
        if not bundles:
            return self
        from handmade.authority import crl_next_update

        added = []
        for b in bundles:
            next_crl = crl_next_update(b.crl_pem)
            added.append(TrustSource(id=b.id, title=f"label authority {b.name}", role="signers", anchors_pem=b.root_pem,
                                     count=1, next_update=next_crl.isoformat() if next_crl else None,
                                     origin=b.source, location=b.source, crl_pem=b.crl_pem, tsa_url=b.tsa_url,
                                     issuing_pem=b.issuing_pem))
        ids = {a.id for a in added}
        return TrustConfig((*(s for s in self.sources if s.id not in ids), *added))

    # -- what c2pa-rs gets --------------------------------------------------------------------------------
    @property
    def configured(self) -> bool:
        """True when any source can vouch for a signer."""
        return any(s.role == "signers" and (s.anchors_pem.strip() or s.allowed_pem.strip()) for s in self.sources)

    @property
    def anchor_count(self) -> int:
        return sum(s.count for s in self.sources)

    def source(self, source_id: str) -> TrustSource | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def settings(self) -> dict[str, Any]:
        """The ``trust`` section of c2pa-rs's settings (empty when nothing is configured): built once per
        configuration (``_settings``), a fresh dict each call."""
        return dict(_settings(self))

    def only(self, source_id: str) -> TrustConfig:
        """The configuration with one signer source alone (plus the TSA list and the EKU settings, which
        every signer source needs), used to find which source vouched."""
        keep = []
        for s in self.sources:
            if s.id == source_id or s.role == "tsa":
                keep.append(s)
            elif s.eku.strip():  # keep the accepted EKUs without the source's certificates
                keep.append(_uncertified(s))
        return TrustConfig(tuple(keep))

    def without(self, source_ids: Iterable[str]) -> TrustConfig:
        """The configuration with these sources vouching for nobody: their certificates removed, their accepted
        EKUs kept (as ``only`` does for the others)."""
        ids = set(source_ids)
        return TrustConfig(tuple(_uncertified(s) if s.id in ids else s for s in self.sources))

    def signer_sources(self) -> list[str]:
        return [s.id for s in self.sources if s.role == "signers" and (s.anchors_pem.strip() or s.allowed_pem.strip())]

    # -- freshness ------------------------------------------------------------------------------------------
    def stale_findings(self, now: dt.datetime | None = None) -> tuple[Finding, ...]:
        """A warning for each list past its NextUpdate date (the verdict may then miss a revocation or a new CA),
        and for each authority whose CRL is past its next update."""
        now = now or dt.datetime.now(dt.timezone.utc)
        out = []
        for s in self.sources:
            when = parse_time(s.next_update)
            if when is None or when >= now:
                continue
            if s.id.startswith(AUTHORITY_PREFIX):
                out.append(finding("authority.crl_stale", "warning", "finding.crl_stale", s.id,
                                   name=s.id[len(AUTHORITY_PREFIX):], date=when.date().isoformat()))
            else:
                out.append(finding("trust.stale", "warning", "finding.trust_stale", s.id, title=s.title,
                                   date=when.date().isoformat()))
        return tuple(out)


def _uncertified(source: TrustSource) -> TrustSource:
    """``source`` without its certificates (anchors and allowed list): it vouches for nobody."""
    return replace(source, anchors_pem="", allowed_pem="", count=0)


@lru_cache(maxsize=32)
def _settings(config: TrustConfig) -> dict[str, str]:
    """``TrustConfig.settings``, built once per configuration: every file verified asks for it, and joining a few
    hundred KB of PEM each time cost more than the rest of the trust handling.

    Each pool of anchors gives c2pa-rs each certificate once (``_unique_pem``): c2pa-rs parses every anchor again
    on every read (about 7 µs each), and the shipped lists share 16 of their 70 roots (the C2PA and interim lists,
    the TSA list). An anchor given twice can vouch for nothing the first copy does not, so the answers are the
    same. The pools stay apart (a root both shipped and yours still reads ``user_anchors`` when yours vouches)."""
    shipped = _unique_pem(s.anchors_pem for s in config.sources if s.shipped)
    user = _unique_pem(s.anchors_pem for s in config.sources if not s.shipped)
    allowed = "\n".join(s.allowed_pem.strip() for s in config.sources if s.allowed_pem.strip())
    eku = "\n".join(s.eku.strip() for s in config.sources if s.eku.strip())
    out: dict[str, str] = {}
    if shipped:
        out["trust_anchors"] = shipped + "\n"
    if user:
        out["user_anchors"] = user + "\n"
    if allowed:
        out["allowed_list"] = allowed + "\n"
    if eku:
        out["trust_config"] = eku + "\n"
    return out


#: A PEM certificate whose body is base64 alone (no headers): the only blocks ``_unique_pem`` compares.
_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----")


def _unique_pem(texts: Iterable[str]) -> str:
    """PEM texts joined (stripped, one a line, as c2pa-rs takes them) with every certificate after its first
    copy taken out (same base64 body, line breaks aside). Everything else is left as it is, in its place: text
    between blocks, blocks with headers or another label, and anything malformed, which c2pa-rs then meets
    exactly where it did."""
    joined = "\n".join(t.strip() for t in texts if t.strip())
    seen: set[str] = set()

    def first_copy(m: re.Match[str]) -> str:
        body = "".join(m.group(1).split())
        if body in seen:
            return ""
        seen.add(body)
        return m.group(0)

    return _PEM_CERT.sub(first_copy, joined)


def parse_time(text: str | None) -> dt.datetime | None:
    """An RFC 3339 / ISO 8601 time as an aware datetime (UTC when no zone is given); None if unparsable."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _count_pem(pem: str) -> int:
    return pem.count("-----BEGIN CERTIFICATE-----")


def _lote_dates(text: str) -> tuple[str | None, str | None]:
    """(ListIssueDateTime, NextUpdate) of an ETSI TS 119 602 "List of Trusted Entities" JSON document."""
    try:
        info = json.loads(text)["LoTE"]["ListAndSchemeInformation"]
    except (ValueError, KeyError, TypeError):
        return None, None
    return info.get("ListIssueDateTime"), info.get("NextUpdate")


# --- loading a snapshot ------------------------------------------------------------------------------------
def installed_dir() -> Path:
    return data_dir() / "trustlists"


def _read(root: Any, rel: str) -> str:
    return str(root.joinpath(*rel.split("/")).read_text(encoding="utf-8"))


def load_snapshot(root: Any, location: str) -> tuple[TrustSource, ...]:
    """The sources of a snapshot directory (the package's ``trustlists/`` or an installed copy).

    Raises: TrustConfigError (``trust.snapshot``) when a file is missing or unreadable.
    """
    try:
        meta = json.loads(_read(root, SNAPSHOT_FILE))
        out = []
        for sid, info in meta["sources"].items():
            files = info["files"]
            anchors = _read(root, files["anchors"]) if "anchors" in files else ""
            allowed = _read(root, files["allowed"]) if "allowed" in files else ""
            eku = _read(root, files["eku"]) if "eku" in files else ""
            issued, next_update = _lote_dates(_read(root, files["lote"])) if "lote" in files else (None, None)
            out.append(TrustSource(
                id=sid, title=info["title"], role="tsa" if sid == TSA else "signers", anchors_pem=anchors,
                allowed_pem=allowed, eku=eku, count=_count_pem(anchors) + _count_pem(allowed),
                issued=issued or info.get("issued"), next_update=next_update, frozen=info.get("frozen"),
                origin=info.get("origin", ""), licence=info.get("licence"), location=location, shipped=True))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TrustConfigError(f"{location}: the trust-list snapshot cannot be read ({exc})",
                               code="trust.snapshot",
                               hint="Reinstall handmade, or run 'handmade trust update --from DIR'.") from exc
    return tuple(out)


def _issued(sources: Iterable[TrustSource], sid: str = OFFICIAL) -> dt.datetime | None:
    return next((parse_time(s.issued) for s in sources if s.id == sid), None)


@lru_cache(maxsize=1)
def _default_config() -> TrustConfig:
    shipped = load_snapshot(resources.files("handmade").joinpath("trustlists"), "shipped with handmade")
    inst = installed_dir()
    if (inst / SNAPSHOT_FILE).is_file():
        try:
            installed = load_snapshot(inst, str(inst))
        except TrustConfigError:
            installed = ()
        a, b = _issued(installed), _issued(shipped)
        if installed and a is not None and (b is None or a >= b):
            return TrustConfig(installed)
    return TrustConfig(shipped)


def reset_cache() -> None:
    """Forget the loaded default snapshot (after ``trust update``, or in tests)."""
    _default_config.cache_clear()
    _standard_with.cache_clear()


def default_trust_enabled(flag_no_default: bool = False) -> bool:
    """False when ``--no-default-trust``, ``HANDMADE_NO_DEFAULT_TRUST=1`` or ``default_trust = false`` in the
    settings file says so."""
    if flag_no_default:
        return False
    if os.environ.get(NO_DEFAULT_ENV, "").strip().lower() in ("1", "true", "yes"):
        return False
    value = read_settings().get("default_trust", True)
    return value is not False


def resolve(trust: Any) -> TrustConfig:
    """What the library uses for ``trust=``: a ``TrustConfig`` as given; ``TrustAnchors`` on top of the
    standard configuration; None: the standard configuration (``standard()``)."""
    if isinstance(trust, TrustConfig):
        return trust
    return _standard_with(trust, _bundles_stamp())


def standard() -> TrustConfig:
    """The shipped lists plus the label authorities installed with ``handmade trust add``."""
    return _standard_with(None, _bundles_stamp())


def _bundles_stamp() -> tuple[str, int | None]:
    """What the installed authorities depend on: their folder and its modification time (``trust add``
    replaces a file in it, which changes the folder's time)."""
    folder = _authorities_folder(os.environ.get(DATA_ENV), os.environ.get("XDG_DATA_HOME"), os.environ.get("HOME"))
    try:
        return folder, os.stat(folder).st_mtime_ns
    except OSError:
        return folder, None


@lru_cache(maxsize=8)
def _authorities_folder(*environment: str | None) -> str:
    """``data_dir() / "authorities"`` for the environment it depends on (the cache key): every verify asks, and
    the ``pathlib`` work cost several times the ``stat`` itself, which is still made every time."""
    return str(data_dir() / "authorities")


@lru_cache(maxsize=16)
def _standard_with(anchors: Any, stamp: tuple[str, int | None]) -> TrustConfig:
    """The standard configuration plus ``anchors``, built once per anchors and state of the installed
    authorities: building one hashes its few hundred KB of PEM for its key (0.8 ms a call before), which a
    library caller's ``inspect(trust=anchors)`` paid on every file."""
    return TrustConfig.default().with_bundles(_installed_bundles()).with_anchors(anchors)


BUNDLE_SCHEMA = "handmade.authority-bundle/v1"


def is_bundle(data: bytes) -> bool:
    """True when ``data`` (a file's first bytes) is a label authority's bundle rather than PEM anchors."""
    return data.lstrip()[:1] == b"{" and BUNDLE_SCHEMA.encode() in data[:4096]


def _installed_bundles() -> list[Any]:
    """The installed authorities' bundles; cheap when there is none (``handmade.authority`` imports
    cryptography, about 80 ms, which a one-file verify should not pay for nothing)."""
    folder = data_dir() / "authorities"
    if not folder.is_dir() or not any(folder.glob("*.bundle")):
        return []
    from handmade.authority import installed_bundles

    return installed_bundles()


def build(anchors: Any = None, *, use_default: bool = True, trust_list: str | None = None,
          tsa_trust_list: str | None = None, bundles: Iterable[Any] = ()) -> TrustConfig:
    """The configuration the command line and the service use: the shipped lists (unless ``use_default`` is
    false), the installed label authorities and ``bundles``, and ``anchors``.

    ``trust_list``/``tsa_trust_list`` (PEM files of the conformance harness mode) give the whole configuration:
    exactly those lists, without the shipped ones, the installed authorities or anyone's anchors.
    Raises: TrustConfigError (``trust.conformance`` when anchors or bundles are given with them).
    """
    from handmade.verify import TrustAnchors, load_trust_anchors

    bundles = list(bundles)
    if trust_list or tsa_trust_list:
        if anchors is not None or bundles:
            raise TrustConfigError("the conformance mode validates with exactly the lists given (--trust-list, "
                                   "--tsa-trust-list): trust anchors or bundles cannot be added to them",
                                   code="trust.conformance", hint="Leave out --trust, or put those certificates "
                                   "in the test trust list.")
        sources = []
        given_lists: tuple[tuple[str, str, Role, str | None], ...] = (
            (OFFICIAL, "trust list given", "signers", trust_list), (TSA, "TSA trust list given", "tsa", tsa_trust_list))
        for sid, title, role, path in given_lists:
            if path:
                given = load_trust_anchors([path])
                assert isinstance(given, TrustAnchors)
                sources.append(TrustSource(id=sid, title=title, role=role, anchors_pem=given.pem, count=given.count,
                                           origin=path, location=path, shipped=True))
        return TrustConfig(tuple(sources))
    base = TrustConfig.default() if use_default else TrustConfig.none()
    return base.with_bundles([*_installed_bundles(), *bundles]).with_anchors(anchors)


# --- installing a newer snapshot ----------------------------------------------------------------------------
def _fetch(url: str, timeout: float) -> bytes:
    import urllib.error
    import urllib.parse
    import urllib.request

    parsed = urllib.parse.urlparse(url)
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise TrustConfigError(f"{url}: only https:// addresses are fetched (http:// only on this machine)",
                               code="trust.update_url")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return bytes(answer.read(8 * 1024 * 1024))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TrustConfigError(f"{url}: cannot be fetched ({reason})", code="trust.update_fetch") from exc


def _official_files(source: str, timeout: float) -> dict[str, bytes]:
    """The four official list files from a folder (``DIR``, or ``DIR/c2pa-official``) or a base URL."""
    out: dict[str, bytes] = {}
    if "://" in source:
        base = source if source.endswith("/") else source + "/"
        for name in OFFICIAL_FILES:
            out[name] = _fetch(base + name, timeout)
        return out
    root = Path(source)
    folder = root / "c2pa-official" if (root / "c2pa-official").is_dir() else root
    for name in OFFICIAL_FILES:
        try:
            out[name] = (folder / name).read_bytes()
        except OSError as exc:
            raise TrustConfigError(f"{folder / name}: cannot be read ({exc.strerror})",
                                   code="trust.update_missing") from exc
    return out


def _check_list(pem: bytes, lote: bytes, name: str) -> tuple[str, str | None, str | None, int]:
    """Check that a PEM list and its LoTE JSON agree (the same certificates) and carry dates."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TrustConfigError(f"{name}.pem holds no readable certificate", code="trust.update_invalid") from exc
    try:
        doc = json.loads(lote)
        entities = doc["LoTE"]["TrustedEntitiesList"]
        listed = set()
        for entity in entities:
            for service in entity.get("TrustedEntityServices", []):
                ident = service["ServiceInformation"]["ServiceDigitalIdentity"]
                for cert in ident.get("X509Certificates", []):
                    listed.add(base64.b64decode(cert["val"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise TrustConfigError(f"{name}.json is not a List of Trusted Entities ({exc})",
                               code="trust.update_invalid") from exc
    in_pem = {c.public_bytes(Encoding.DER) for c in certs}
    if in_pem != listed:
        raise TrustConfigError(f"{name}: the PEM and JSON files do not list the same certificates "
                               f"({len(in_pem)} against {len(listed)})", code="trust.update_invalid")
    issued, next_update = _lote_dates(lote.decode("utf-8", "replace"))
    if parse_time(issued) is None:
        raise TrustConfigError(f"{name}.json has no ListIssueDateTime", code="trust.update_invalid")
    return pem.decode("ascii", "replace"), issued, next_update, len(certs)


@dataclass(frozen=True)
class UpdateResult:
    location: str
    issued: str | None
    previous: str | None
    count: int
    tsa_count: int


def update(source: str, *, timeout: float = 30.0, force: bool = False) -> UpdateResult:
    """Install the official lists from ``source`` (a folder or a base URL) into the user's data directory.

    The frozen interim list and the attribution files are copied from the package. Refuses a list older than
    the one in force unless ``force``. Written to a temporary folder and renamed into place.
    Raises: TrustConfigError.
    """
    import shutil
    import tempfile

    files = _official_files(source, timeout)
    _, issued, _, count = _check_list(files["C2PA-TRUST-LIST.pem"], files["C2PA-TRUST-LIST.json"], "C2PA-TRUST-LIST")
    _, _, _, tsa_count = _check_list(files["C2PA-TSA-TRUST-LIST.pem"], files["C2PA-TSA-TRUST-LIST.json"],
                                     "C2PA-TSA-TRUST-LIST")
    current = _default_config().source(OFFICIAL)
    previous = current.issued if current else None
    old, new = parse_time(previous), parse_time(issued)
    if not force and old is not None and new is not None and new < old:
        raise TrustConfigError(f"{source}: its C2PA Trust List was issued {issued}, before the one in force "
                               f"({previous})", code="trust.update_older", hint="Pass --force to install it anyway.")
    target = installed_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".trustlists-", dir=target.parent))
    try:
        shipped = resources.files("handmade").joinpath("trustlists")
        with resources.as_file(shipped) as shipped_path:
            shutil.copytree(shipped_path, staging, dirs_exist_ok=True)
        for name, data in files.items():
            (staging / "c2pa-official" / name).write_bytes(data)
        meta = json.loads((staging / SNAPSHOT_FILE).read_text(encoding="utf-8"))
        meta["snapshot"] = dt.date.today().isoformat()
        for sid in (OFFICIAL, TSA):
            meta["sources"][sid]["origin"] = f"{source} (installed {meta['snapshot']})"
        (staging / SNAPSHOT_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        load_snapshot(staging, str(staging))  # it must load before it replaces anything
        if target.exists():
            old_copy = target.with_name(target.name + ".old")
            shutil.rmtree(old_copy, ignore_errors=True)
            target.rename(old_copy)
            staging.rename(target)
            shutil.rmtree(old_copy, ignore_errors=True)
        else:
            staging.rename(target)
    except OSError as exc:
        raise TrustConfigError(f"{target}: cannot install the snapshot ({exc})", code="trust.update_write") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    reset_cache()
    return UpdateResult(str(target), issued, previous, count, tsa_count)
