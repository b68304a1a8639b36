"""The records' database: ``kkpr.db``'s ``Database`` (see ``kkpr.db.database``).

Kept as a name for the modules that import ``Database``, ``Row`` and ``Tx`` from here;
the pool is ``kkpr.db.pool`` and the schema is the records' migrations
(``kkpr/records/migrations``, ``kkpr.db.migrate``).
"""

from __future__ import annotations

from kkpr.db.database import Database, Row, Tx
from kkpr.db.pool import Pool, unavailable

__all__ = ["Database", "Pool", "Row", "Tx", "unavailable"]
