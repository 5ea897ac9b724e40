"""/api/calls: the call log, filtered, sorted and paged; one call with its legs; CSV."""
