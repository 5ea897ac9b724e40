"""The appliance's LAN API (HTTPS, JSON)."""
