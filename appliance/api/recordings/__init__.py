"""/api/recordings: a person's own recordings, listed and streamed with range requests."""
