"""帮助 menu entries that are not the main window's own: the user guide."""
