"""The admin's Manage screens: people, groups, on-call numbers, users, settings, SMS texts
and the SIP trunk."""
