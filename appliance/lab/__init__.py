"""The lab: a simulated phone network (a second Asterisk, "carrier") with scripted callers and
handsets, for end-to-end tests and lab mode."""
