"""What the console remembers about appliances, and finding them on the LAN."""
