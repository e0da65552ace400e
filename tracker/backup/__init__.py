"""Backups of the whole database (pg_dump archive or SQLite copy) and restoring one into an empty database."""
