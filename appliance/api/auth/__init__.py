"""Users, passwords (argon2), login with throttling and lock-out, expiring tokens."""
