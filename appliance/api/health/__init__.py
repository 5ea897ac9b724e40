"""/api/health: Asterisk, the trunk, the modem, the disk, the database's integrity, the last
backup, the version."""
