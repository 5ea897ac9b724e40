"""What a listening-line call came to (``ListeningCall.outcome``) and what happened on it
(``ListeningEvent.action``)."""

from __future__ import annotations

from enum import StrEnum


class ListeningOutcome(StrEnum):
    LISTENED = "listened"  # the PIN was accepted
    # Three wrong PINs, the person's phone access locked, or an unknown personal number.
    REFUSED = "refused"
    NO_PIN = "no-pin"  # the person has no PIN set
    HUNG_UP = "hung-up"  # the caller hung up before a PIN was accepted


class ListeningAction(StrEnum):
    PLAYED = "played"  # a recording was played (from its start)
    DELETED = "deleted"  # the person deleted their own recording
