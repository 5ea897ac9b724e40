"""The call log as the admin sees it: JSON-ready rows, recent calls, lookups, text tables;
filtered, sorted, paged listings and the CSV export for the LAN API."""

from paivystys.appliance.calllog.csv_export import csv_rows
from paivystys.appliance.calllog.query import (
           CallFilter,
           CallPage,
           QueryError,
           call_detail,
           count_calls,
           page,
)
from paivystys.appliance.calllog.records import (
           as_utc,
           call_to_dict,
           find_call,
           leg_to_dict,
           recent_calls,
)
from paivystys.appliance.calllog.text import format_calls, format_table

__all__ = ["CallFilter", "CallPage", "QueryError", "as_utc", "call_detail", "call_to_dict",
           "count_calls", "csv_rows", "find_call", "format_calls", "format_table",
           "leg_to_dict", "page", "recent_calls"]
