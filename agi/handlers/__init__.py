"""One module per AGI entry point; importing this package registers them all."""

from paivystys.agi.handlers import incoming_call, listening_line

__all__ = ["incoming_call", "listening_line"]
