"""The database layer: connections, transactions and schema migrations for every part.

- ``kkpr.db.pool``: ``Pool``, the PostgreSQL connections of one process, reused and
  replaced when the server closed them (a database restart costs the requests in
  flight, not the process);
- ``kkpr.db.database``: ``Database``, one unit of work per transaction over SQLite
  (the embedded default of the records and the pipeline) or PostgreSQL (the pool);
- ``kkpr.db.migrate``: one runner of numbered migrations for every part (``store``,
  ``records``, ``rate_buckets``, ``pipeline``), each recorded in a version table of
  its own in the database it changes;
- ``kkpr.db.locks``: the PostgreSQL advisory-lock keys, one per purpose.

psycopg2 is imported only where PostgreSQL is used: importing this package needs no
database driver. See ``docs/database.md``.
"""
