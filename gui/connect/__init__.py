"""The first window: choose an appliance, confirm its certificate, log in."""
