"""/api/health: Asterisk, the trunk, the modem, the disk, the last backup, the version."""
