"""The upload-checking web service (install with ``pip install 'handmade[web]'``).

``create_app(ServiceConfig(...))`` is the ASGI app; ``run(config, host, port, workers)`` serves it with uvicorn;
``list_decisions`` and ``export`` read the audit log.
"""

from handmade.web.app import ServiceConfig, app_from_env, create_app, run
from handmade.web.audit import export, list_decisions

__all__ = ["ServiceConfig", "app_from_env", "create_app", "export", "list_decisions", "run"]
