"""The SIP edge: nftables rate limits and blocks in front of the SIP port, fed by Asterisk's
security events (see :mod:`.service`)."""
