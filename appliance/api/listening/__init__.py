"""/api/listening-calls: the listening line's calls, apart from the on-call call log."""
