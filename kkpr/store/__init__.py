"""Where zones live. One small Protocol; a memory store and a PostGIS store."""

from kkpr.store.base import Store

__all__ = ["Store"]
