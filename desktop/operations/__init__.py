"""Running store work off the UI thread: the one DB worker and the operation object every
caller hands it (Anki's aqt/operations)."""
