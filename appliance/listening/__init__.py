"""The listening line: people hear their own calls' recordings by phone."""
