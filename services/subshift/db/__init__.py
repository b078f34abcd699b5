"""Subshift's PostgreSQL schema (SQLAlchemy 2 models) and its Alembic migrations."""
