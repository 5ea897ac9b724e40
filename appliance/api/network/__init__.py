"""/api/network: the box's network setting (DHCP or a static address), tried before it is kept
(admin)."""
