"""/api/events: the live view's WebSocket (call events from the monitor, health changes)."""
