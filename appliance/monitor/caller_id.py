"""The caller as the call log keeps it, made from the caller ID the network sent.

The dialplan reports the network's caller ID base64-encoded (any bytes survive, none becomes
AMI syntax), cut to ``variables.CALLER_RAW_LIMIT`` bytes, with its full length in bytes and
Asterisk's presentation.  The log keeps:

- ``WITHHELD`` (empty) for a withheld caller: presentation restricted, no caller ID at all, or
  one of the words networks send instead of a number ("anonymous", "restricted"...);
- a number (digits only, perhaps after a '+') in E.164 when it is a possible one, else as
  sent;
- anything else as sent, verbatim; cut ones (by the dialplan, or as long as Asterisk's own
  silent limit) end in ``TRUNCATION_MARK``.
"""

from __future__ import annotations

import base64
import binascii
import re

from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.phones import WITHHELD, normalise_caller

# What networks and phones put in the From user when the number is not passed on.
WITHHELD_WORDS = frozenset({"anonymous", "restricted", "withheld", "private", "unavailable",
                            "unknown", "anonymous.invalid"})
TRUNCATION_MARK = "…"
# A network sends a number as digits; "040(1234567" is not one, whatever it resembles.
NETWORK_NUMBER = re.compile(r"\+?[0-9]+")


def caller_from_network(raw64: str, length: str, presentation: str) -> str:
    if presentation.strip().lower().startswith(v.PRESENTATION_WITHHELD_PREFIX):
        return WITHHELD
    try:
        raw = base64.b64decode(raw64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    text = raw.decode("utf-8", "replace")
    word = text.strip()
    if not word or word.lower() in WITHHELD_WORDS:
        return WITHHELD
    try:
        cut = int(length) > len(raw)
    except ValueError:
        cut = False
    cut = cut or len(raw) >= v.ASTERISK_CALLER_LIMIT
    if cut:
        return text + TRUNCATION_MARK
    return normalise_caller(word) if NETWORK_NUMBER.fullmatch(word) else text
