"""The Recordings page: the logged-in person's own call recordings, played as they stream."""
