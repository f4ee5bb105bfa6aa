"""Alembic revisions, one file each (`NNNN_what.py`, revision "NNNN"). A package only so
setuptools installs the files; Alembic reads them from the folder (registry/migrations)."""
