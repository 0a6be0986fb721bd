"""The ASGI app: ``create_app`` puts a ``ServiceConfig`` and its shared state together with the routes;
``run`` serves it with uvicorn, and ``app_from_env`` builds it in each ``--workers`` process.

Workers are stateless: run several (``--workers``) or several hosts behind any load balancer; only the audit
log is shared (SQLite on one host; PostgreSQL, a ``postgresql://`` URL, for several: ``handmade.storage``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from handmade.registry import open_registry
from handmade.web import resolution, routes
from handmade.web.audit import AuditLog
from handmade.web.config import CONFIG_ENV, ServiceConfig, config_from_env, config_to_env
from handmade.web.guard import ByteBudget, SecurityHeaders, configure, uvicorn_options

ROUTES = [
    Route("/", routes.index),
    Route("/static/{name}", routes.static),
    Route("/healthz", routes.healthz),
    Route("/openapi.json", routes.openapi),
    Route("/v1/verify", routes.verify_endpoint, methods=["POST", "OPTIONS"]),
    Route("/v1/badge/{name}", routes.badge_endpoint, methods=["GET"]),
    Route("/v1/messages", routes.catalog),
    # The C2PA Soft Binding Resolution API (1.0), answered from the manifest registry.
    Route("/v1/services/supportedAlgorithms", resolution.supported_algorithms, methods=["GET"]),
    Route("/v1/matches/byBinding", resolution.by_binding, methods=["GET"]),
    Route("/v1/matches/byContent", resolution.by_content, methods=["POST"]),
    Route("/v1/manifests/{manifest_id:path}", resolution.manifest_endpoint, methods=["GET"]),
    Route("/v1/registry", resolution.registry_add, methods=["POST"]),
]


class _Service(Starlette):
    """Starlette with ``SecurityHeaders`` outside everything, so that even the 500 answers of Starlette's
    outermost error middleware carry them (a user middleware sits inside that one)."""

    def build_middleware_stack(self) -> Any:
        return SecurityHeaders(super().build_middleware_stack())


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.loop = asyncio.get_running_loop()  # lets tests and tools reach the limiter's loop
    yield


def create_app(config: ServiceConfig | None = None) -> Starlette:
    """The ASGI application. Its ``state`` is what the routes share: ``config``, ``limiter`` (the verification
    slots), ``admission`` (the ``ByteBudget`` of upload bodies), ``audit`` (an ``AuditLog`` or None),
    ``registry`` (a ``Registry`` or None); ``loop`` once started.

    Raises: AuditConfigError when ``config.audit_db`` cannot be used (unsupported URL, unreachable database).
    """
    config = config or ServiceConfig()
    app = _Service(lifespan=_lifespan, routes=list(ROUTES),
                   exception_handlers={HTTPException: routes.http_error, Exception: routes.http_error})
    app.state.config = config
    app.state.limiter = anyio.CapacityLimiter(config.max_concurrent)
    # Bytes of bodies in memory at once: taken chunk by chunk as a body arrives, given back with its answer.
    app.state.admission = ByteBudget(config.memory_budget)
    app.state.audit = AuditLog(config.audit_db) if config.audit_db else None
    app.state.registry = open_registry(config.registry_db) if config.registry_db else None
    return app


def app_from_env() -> Starlette:
    """Factory for uvicorn worker processes (``--workers N``): configuration comes from the environment.

    ``uvicorn.run("handmade.web.app:app_from_env", factory=True, workers=N)``

    A worker process is handmade's own, like the command line's: it pins glibc's allocator thresholds too
    (``handmade.tuning``; the command line's setting did not reach the workers uvicorn spawns).
    """
    from handmade.tuning import tune_allocator

    tune_allocator()
    config = config_from_env()
    configure(header_timeout_s=config.header_timeout_s, max_connections=config.max_connections)
    return create_app(config)


def run(config: ServiceConfig, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, *,
        trust_paths: list[str] | None = None, policy_ref: str | None = None, log_level: str = "info") -> None:
    """Serve until interrupted. With several workers, each process builds the app from the environment
    (``HANDMADE_SERVICE_CONFIG``, written here from ``config``: trust anchors as PEM, the policy as a mapping).
    Worker processes are spawned: a script calling ``run(..., workers=N)`` needs ``if __name__ == "__main__":``.
    """
    import uvicorn

    options = server_options(config)
    if workers > 1:
        os.environ[CONFIG_ENV] = config_to_env(config, trust_paths, policy_ref)
        uvicorn.run("handmade.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, **options)
    else:
        uvicorn.run(create_app(config), host=host, port=port, log_level=log_level, **options)


def server_options(config: ServiceConfig) -> dict[str, Any]:
    """uvicorn's options for this service: the guarded protocol (header deadline, connection bound), no
    ``server`` header, a keep-alive no longer than the header deadline."""
    return uvicorn_options(header_timeout_s=config.header_timeout_s, max_connections=config.max_connections,
                           keep_alive_s=min(5.0, config.header_timeout_s))
