"""The upload-checking web service (install with ``pip install 'handmade[web]'``).

``create_app(ServiceConfig(...))`` is the ASGI app; ``run(config, host, port, workers)`` serves it with uvicorn;
``list_decisions`` and ``export`` read the audit log.

One module per role: ``config`` (``ServiceConfig`` and its JSON round trip through the environment to
``--workers`` processes), ``app`` (the app put together and served), ``routes`` (the endpoints: verify,
badges, the page, the catalog, the OpenAPI document), ``resolution`` (the manifest registry's Soft Binding
Resolution API), ``uploads`` (an upload's bytes in memory, within the limits), ``slots`` (how many
verifications at once, and for how long), ``guard`` (slow and hostile clients), ``errors`` (the JSON error
answers), ``audit`` (the decision log). ``openapi.json`` describes the API; ``static/`` holds the page.

It decides with the code ``handmade verify`` runs, through handmade's public API (``inspect_bytes``,
``evaluate``, ``Policy``, ``TrustConfig``, ``verdict``, ``load_policy``, ``load_trust_anchors``,
``tune_allocator``, ``HandmadeError``, ``SCHEMA``). Being part of the package, it also imports internal
helpers that carry no compatibility promise: ``handmade.policy`` (``PRESETS``, ``at_least_as_strict``,
``policy_from_mapping``), ``handmade.trust`` (``TrustSource``, ``resolve``, ``standard``), ``handmade.verify``
(``thumbnails``), ``handmade.report`` (``training_text``, ``recovered_lines``, ``join_reasons``),
``handmade.messages`` (the catalog and ``negotiate``), ``handmade.label`` (the badge and label payloads),
``handmade.files`` (``too_many_pixels``, ``sniff_mime``, ``loaded_from_bytes``), ``handmade.text``
(``clean_text``, ``file_name``), ``handmade.registry``, ``handmade.fingerprint``, ``handmade.recovery``
(``candidates``, byContent's rule), ``handmade.storage``,
``handmade.errors``, ``handmade.models`` and ``handmade.tuning``.
"""

from handmade.web.app import app_from_env, create_app, run
from handmade.web.audit import export, list_decisions
from handmade.web.config import ServiceConfig

__all__ = ["ServiceConfig", "app_from_env", "create_app", "export", "list_decisions", "run"]
