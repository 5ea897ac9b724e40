"""Updates of the box: the signed package an admin uploads, checked here and installed by
root (appliance/box/update.py)."""
