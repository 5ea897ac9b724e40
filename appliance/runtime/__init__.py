"""The Asterisk runtime: a cached Debian sid rootfs, a loopback-only network namespace, and
Asterisk instances that run chrooted in that rootfs with their own instance directory."""
