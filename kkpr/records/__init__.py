"""Durable records (checks, applications, outbox): SQLite by default, PostgreSQL when configured."""
