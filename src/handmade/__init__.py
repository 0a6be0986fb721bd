"""handmade: prove that human-made images are human-made (public API is filled in below)."""

from __future__ import annotations

__version__ = "0.1.0"
