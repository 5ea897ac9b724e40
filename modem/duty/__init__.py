"""Duty by text message: a person texts ON or OFF to the box."""
