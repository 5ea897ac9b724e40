"""AGI entry point ``listening-line``: a caller hears the recordings of their own calls."""

from __future__ import annotations

from paivystys.agi.listening import ListeningLineHandler
from paivystys.agi.registry import default_registry
from paivystys.appliance.asterisk.variables import AGI_LISTENING_LINE

default_registry.register(AGI_LISTENING_LINE, ListeningLineHandler)
