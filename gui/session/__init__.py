"""What the console shows once logged in (for now: who is logged in where)."""
