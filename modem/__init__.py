"""SMS through the box's GSM modem."""
