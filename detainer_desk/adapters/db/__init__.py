"""The record store: SQLAlchemy 2 over SQLite (embedded) or PostgreSQL (shared server)."""
