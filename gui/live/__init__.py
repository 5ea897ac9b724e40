"""The live view: calls in progress as the appliance's event WebSocket reports them."""
