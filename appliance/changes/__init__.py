"""The one way to change the configuration: validated, written with its audit row in one
transaction, then applied to Asterisk."""

from paivystys.appliance.changes.unit import SYSTEM, Apply, Change, Changes

__all__ = ["SYSTEM", "Apply", "Change", "Changes"]
