"""The 统计 menu: the statistics screen (screen.py)."""
