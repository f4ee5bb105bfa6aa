"""Getting in and keeping others out: the setup wizard (first run), the login dialog, and the
auto-lock that covers the window after idle time."""
