"""The upload-checking web service (install with ``pip install 'handmade[web]'``)."""

from handmade.web.app import ServiceConfig, create_app, run

__all__ = ["ServiceConfig", "create_app", "run"]
