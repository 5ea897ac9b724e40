"""The call monitor: an AMI client (pyst2 adapter), Asterisk events -> call log, event bus."""
