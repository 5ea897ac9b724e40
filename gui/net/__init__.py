"""Talking to the appliance: certificate pinning, the API client, background calls."""
