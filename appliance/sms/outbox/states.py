"""States of outbox messages and of their parts.

A message: queued -> sending -> sent -> delivered, or failed.  ``sending`` means at least
one part may already be in the modem; such a message is never re-encoded and never sent from
scratch again, only resumed part by part (see ``sender``).

A part: pending (not in the modem) -> stored (written to the modem's storage, index known)
-> sent (the modem gave it a message reference) -> delivered (status report said so).
"""

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
FAILED = "failed"
MESSAGE_STATES = (QUEUED, SENDING, SENT, DELIVERED, FAILED)
OPEN_STATES = (QUEUED, SENDING)

PART_PENDING = "pending"
PART_STORED = "stored"
PART_SENT = "sent"
PART_DELIVERED = "delivered"
PART_FAILED = "failed"
