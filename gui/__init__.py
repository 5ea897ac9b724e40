"""The desktop console: an office manager's window onto the appliance's HTTPS LAN API.

Runs on the office PC, never on the box, and so never imports appliance code: everything it
knows about the appliance comes over the pinned API (`net/`)."""
