"""The durable SMS outbox: every message is a database row before anything is sent."""
