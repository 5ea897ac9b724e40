"""/api/modem: the modem's health and the SIM's PIN, which is write-only (admin)."""
