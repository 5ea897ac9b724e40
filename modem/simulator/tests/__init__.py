"""Tests of the simulated modem, most of them driving the real python-gsmmodem against it."""
