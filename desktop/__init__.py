"""The PySide6 shell: windows, dialogs, item models, background workers. The only package
that imports Qt; no SQL and no business rules here."""
