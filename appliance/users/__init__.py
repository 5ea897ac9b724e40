"""User accounts of the LAN API and the console: roles, argon2 password hashes, sessions,
lockout."""
