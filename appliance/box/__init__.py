"""The box: the appliance under systemd on its own Debian machine (units in systemd/)."""
