"""The call log as the admin sees it: JSON-ready rows, recent calls, lookups, text tables."""

from .records import as_utc, call_to_dict, find_call, leg_to_dict, recent_calls
from .text import format_calls, format_table

__all__ = ["as_utc", "call_to_dict", "find_call", "format_calls", "format_table", "leg_to_dict",
           "recent_calls"]
