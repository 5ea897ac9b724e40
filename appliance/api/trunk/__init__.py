"""/api/trunk: the SIP trunk to the phone network (admin)."""
