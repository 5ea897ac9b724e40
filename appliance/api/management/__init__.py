"""Managing on-call numbers, groups, people, settings and SMS texts over the API (admin)."""
