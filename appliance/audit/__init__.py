"""The audit log: who changed what, and when, through the API or the CLI."""

from paivystys.appliance.audit.service import entries, record

__all__ = ["entries", "record"]
