"""/api/backup and /api/restore: the configuration as one file (admin)."""
