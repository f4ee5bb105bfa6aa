"""Small widgets several dialogs share: labels with a style role, read-only tables, the USB
folder chooser, the fingerprint view."""
