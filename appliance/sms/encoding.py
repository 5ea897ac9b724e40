"""SMS-SUBMIT PDUs for one message, split into linked parts when it is long.

Built from gsmmodem's primitives rather than ``gsmmodem.pdu.encodeSmsSubmitPdu``, which breaks
on what our texts hold: an emoji (outside the BMP) raises "byte must be in range(0, 256)"
(``encodeUcs2`` takes ``ord()`` of a whole character), and its UCS-2 split counts characters
where the limit is in UTF-16 units, so a part may overflow or cut a surrogate pair in two.
Its GSM-7 table is wrong at one place, so characters are mapped here: it has a backtick at 0x5F
where 3GPP TS 23.038 has ``§``, so a ``§`` needlessly forces UCS-2 and a backtick reaches the
phone as ``§``; and a ``ÿ`` raises TypeError (a stray entry in its extension table).

Every PDU carries SMSC 0x00 (the modem's own), TP-MR 0 (the modem assigns the real reference),
a status-report request (each part's delivery is tracked) and no validity period (the network
default).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

with warnings.catch_warnings():
    # gsmmodem's invalid string escapes raise dozens of SyntaxWarnings on Python 3.12+.
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.pdu import Concatenation, _encodeAddressField, packSeptets

GSM7 = "gsm7"
UCS2 = "ucs2"
Encoding = Literal["gsm7", "ucs2"]

# 3GPP TS 23.038 default alphabet, by septet value; 0x1B is the escape to the extension table,
# not a character.
_GSM7_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
               "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_ESCAPE = 0x1B
GSM7_SEPTETS: dict[str, tuple[int, ...]] = {
    char: (value,) for value, char in enumerate(_GSM7_BASIC) if value != _ESCAPE}
GSM7_SEPTETS.update({char: (_ESCAPE, value) for char, value in {
    "\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E,
    "|": 0x40, "€": 0x65}.items()})

# Payload per PDU: 140 octets.  Linked parts spend 6 of them on the user data header (length
# octet + the 8-bit-reference concatenation element), which in GSM-7 is 7 septets with fill.
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
MAX_PARTS = 255  # the concatenation element counts parts in one octet

_SUBMIT = 0x01
_STATUS_REPORT_REQUEST = 0x20
_HEADER_PRESENT = 0x40
_DCS = {GSM7: 0x00, UCS2: 0x08}
_HEADER_SEPTETS = 7
# packSeptets' padBits after the 48 header bits: 6 bits of a 7th septet are taken, so the text
# starts after one fill bit, on a septet boundary.
_HEADER_PAD_BITS = 6
_RECIPIENT = re.compile(r"\+?[0-9]{1,20}")


@dataclass(frozen=True)
class EncodedPart:
    seq: int  # 1-based
    text: str  # this part's share of the message
    pdu_hex: str  # for AT+CMGW/AT+CMGS in PDU mode
    tpdu_length: int  # octets after the SMSC field: the length AT+CMGS wants


@dataclass(frozen=True)
class EncodedMessage:
    encoding: Encoding
    parts: list[EncodedPart]


def encode(recipient: str, text: str, reference: int) -> EncodedMessage:
    """The PDUs of ``text`` to ``recipient`` (E.164 "+358..." or plain digits).  ``reference``
    links the parts (only its low octet is used); give each message its own, e.g. its id."""
    if not _RECIPIENT.fullmatch(recipient):
        raise ValueError(f"recipient {recipient!r} is not a phone number")
    # A name typed with combining accents (a + U+0308) would otherwise force UCS-2.
    text = unicodedata.normalize("NFC", text)
    if not text:
        raise ValueError("an SMS needs some text")
    if all(char in GSM7_SEPTETS for char in text):
        encoding: Encoding = GSM7
        chunks = _split(text, lambda char: len(GSM7_SEPTETS[char]), GSM7_SINGLE, GSM7_PART)
    else:
        encoding = UCS2
        chunks = _split(text, lambda char: 2 if ord(char) > 0xFFFF else 1, UCS2_SINGLE,
                        UCS2_PART)
    if len(chunks) > MAX_PARTS:
        raise ValueError(f"text too long: {len(chunks)} parts, at most {MAX_PARTS}")
    address = _encodeAddressField(recipient)
    parts = []
    for seq, chunk in enumerate(chunks, start=1):
        header = None
        if len(chunks) > 1:
            concatenation = Concatenation()
            concatenation.reference, concatenation.parts, concatenation.number = (
                reference % 256, len(chunks), seq)
            header = concatenation.encode()
        tpdu = _submit_tpdu(address, encoding, chunk, header)
        parts.append(EncodedPart(seq=seq, text=chunk, pdu_hex="00" + tpdu.hex().upper(),
                                 tpdu_length=len(tpdu)))
    return EncodedMessage(encoding=encoding, parts=parts)


def _split(text: str, cost: Callable[[str], int], single: int, per_part: int) -> list[str]:
    """Whole characters per part, so neither a GSM-7 escape pair nor a UTF-16 surrogate pair
    is ever cut in two."""
    if sum(map(cost, text)) <= single:
        return [text]
    chunks: list[str] = []
    start, used = 0, 0
    for index, char in enumerate(text):
        if used + cost(char) > per_part:
            chunks.append(text[start:index])
            start, used = index, 0
        used += cost(char)
    chunks.append(text[start:])
    return chunks


def _submit_tpdu(address: bytearray, encoding: Encoding, chunk: str,
                 header: bytearray | None) -> bytes:
    first_octet = _SUBMIT | _STATUS_REPORT_REQUEST | (_HEADER_PRESENT if header else 0)
    tpdu = bytearray([first_octet, 0x00])  # TP-MR 0
    tpdu += address
    tpdu += bytes([0x00, _DCS[encoding]])  # TP-PID: plain SMS
    udh = bytes([len(header)]) + header if header else b""
    if encoding == GSM7:
        septets = bytearray(value for char in chunk for value in GSM7_SEPTETS[char])
        if header:
            user_data_length = _HEADER_SEPTETS + len(septets)
            user_data = udh + packSeptets(septets, padBits=_HEADER_PAD_BITS)
        else:
            user_data_length = len(septets)
            user_data = bytes(packSeptets(septets))
    else:
        user_data = udh + chunk.encode("utf-16-be")
        user_data_length = len(user_data)
    tpdu.append(user_data_length)
    tpdu += user_data
    return bytes(tpdu)
