"""备份到U盘 and 从备份恢复 (registry/backup.py), and the reminder when a backup is due."""
