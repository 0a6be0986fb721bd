"""The service's configuration: ``ServiceConfig``, and its round trip through the environment.

``handmade serve --workers N`` starts uvicorn worker processes that build their app from the environment:
``config_to_env`` writes a ``ServiceConfig`` as the JSON of ``HANDMADE_SERVICE_CONFIG`` and
``config_from_env`` reads it back in each worker (``handmade.web.app.app_from_env``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from handmade.policy import PRESETS, Policy, load_policy, policy_from_mapping
from handmade.trust import TrustConfig, TrustSource
from handmade.trust import resolve as resolve_trust
from handmade.trust import standard as standard_trust

CONFIG_ENV = "HANDMADE_SERVICE_CONFIG"
MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file in a multipart body


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service needs; frozen, so a running app cannot be reconfigured by accident.

    ``trust`` is the trust configuration (the shipped C2PA lists by default; a ``TrustAnchors`` is added on top
    of them). ``?policy=`` may only tighten ``policy``, except for the presets named in ``client_policies``.
    ``audit_db`` is a SQLite path, ``sqlite:///path`` or ``postgresql://`` URL (None: no audit log).
    ``queue_wait_s`` is how long a request waits for one of the ``max_concurrent`` verification slots (or for
    room in the upload memory budget) before ``503 service.busy``. Slow clients: ``header_timeout_s`` for a
    request's headers, ``body_idle_timeout_s`` between two pieces of a body and ``body_timeout_s`` for all of it,
    at most ``max_connections`` connections open per process (see ``handmade.web.guard``).
    """

    trust: TrustConfig = field(default_factory=standard_trust)
    policy: Policy = field(default_factory=lambda: PRESETS["handmade"])
    client_policies: tuple[str, ...] = ()  # presets callers may pick with ?policy= even if looser
    audit_db: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 100_000_000
    timeout_s: float = 30.0
    max_concurrent: int = 4
    queue_wait_s: float = 2.0
    allow_remote: bool = False
    header_timeout_s: float = 10.0
    body_idle_timeout_s: float = 15.0
    body_timeout_s: float = 120.0
    max_connections: int = 512
    #: Origins (``https://news.example``, or ``*``) whose pages may call the API from a browser (CORS): the
    #: ``<handmade-credentials>`` component on a press site. Empty: same-origin only.
    cors_origins: tuple[str, ...] = ()
    #: A manifest registry (``handmade.registry``): uploads without valid credentials are looked up there, and the
    #: soft binding resolution API (``/v1/matches/...``, ``/v1/manifests/...``) answers from it. None: off.
    registry_db: str | None = None
    #: The SHA-256 (hex) of the bearer token that may add to the registry (``POST /v1/registry``); None: the
    #: registry is read-only through the service. The token itself is never kept in the configuration.
    registry_token_sha256: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.trust, TrustConfig):
            object.__setattr__(self, "trust", resolve_trust(self.trust))
        for name in ("max_upload_bytes", "max_pixels", "max_concurrent", "max_connections"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"ServiceConfig.{name} must be at least 1")
        if self.timeout_s <= 0 or self.queue_wait_s < 0:
            raise ValueError("ServiceConfig.timeout_s must be positive and queue_wait_s not negative")
        for name in ("header_timeout_s", "body_idle_timeout_s", "body_timeout_s"):
            if not float(getattr(self, name)) > 0:
                raise ValueError(f"ServiceConfig.{name} must be positive")

    @property
    def memory_budget(self) -> int:
        """Bytes of upload bodies held in memory at once: twice ``max_concurrent`` full-size uploads."""
        return 2 * self.max_concurrent * (self.max_upload_bytes + MULTIPART_SLACK)


def config_to_env(config: ServiceConfig, trust_paths: list[str] | None = None, policy_ref: str | None = None) -> str:
    """The JSON that ``config_from_env`` reads back from ``HANDMADE_SERVICE_CONFIG``.

    The trust sources travel whole (PEM included) and the policy as its full mapping, so a policy loaded from a file
    or anchors built in memory reach every worker unchanged (``trust_paths``/``policy_ref`` are only kept for
    readability of the environment).
    """
    data: dict[str, Any] = {k: v for k, v in asdict(config).items() if k not in ("trust", "policy")}
    data["policy"] = config.policy.to_dict()
    if policy_ref is not None:
        data["policy_ref"] = policy_ref
    # The shipped lists are named, not copied: they are hundreds of KB of PEM, and Linux refuses to start a
    # process with an environment string over 128 KB (E2BIG). Every worker loads the same snapshot.
    shipped = TrustConfig.default()
    data["trust_sources"] = [{"default": src.id} if shipped.source(src.id) == src else asdict(src)
                             for src in config.trust.sources]
    if trust_paths:
        data["trust_paths"] = list(trust_paths)
    return json.dumps(data)


def config_from_env(text: str | None = None) -> ServiceConfig:
    """A ``ServiceConfig`` from the JSON in ``HANDMADE_SERVICE_CONFIG`` (or ``text``). Keys: the fields of
    ``ServiceConfig`` except ``trust``/``policy``; ``policy`` (a preset name, a TOML path, or a mapping of
    policy keys); ``trust_sources`` (the trust configuration's sources) or ``trust_paths`` (PEM files, added
    to the shipped lists). Raises: ValueError, PolicyConfigError, TrustConfigError."""
    from handmade.verify import load_trust_anchors

    data = json.loads(text if text is not None else os.environ.get(CONFIG_ENV, "{}"))
    if not isinstance(data, dict):
        raise ValueError(f"{CONFIG_ENV} must hold a JSON object")
    policy_value = data.pop("policy", "handmade")
    data.pop("policy_ref", None)
    policy = (policy_from_mapping(policy_value, default_name=str(policy_value.get("name", "custom")))
              if isinstance(policy_value, dict) else load_policy(str(policy_value)))
    sources = data.pop("trust_sources", None)
    paths = data.pop("trust_paths", [])
    trust = (TrustConfig(tuple(_source_from_env(src) for src in sources)) if sources is not None
             else resolve_trust(load_trust_anchors(paths)))
    for name in ("client_policies", "cors_origins"):
        if name in data:
            data[name] = tuple(data[name])
    known = {f for f in asdict(ServiceConfig()) if f not in ("trust", "policy")}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown keys in {CONFIG_ENV}: {', '.join(sorted(unknown))}")
    return replace(ServiceConfig(), trust=trust, policy=policy, **data)


def _source_from_env(data: dict[str, Any]) -> TrustSource:
    if "default" in data:
        found = TrustConfig.default().source(str(data["default"]))
        if found is None:
            raise ValueError(f"{CONFIG_ENV}: no shipped trust source '{data['default']}'")
        return found
    return TrustSource(**data)
