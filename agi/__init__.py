"""The FastAGI server, its pyst2 adapter and one module per AGI entry point."""
