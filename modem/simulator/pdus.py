"""The PDUs a network hands to a modem, and the parts of the ones a client hands to it.

python-gsmmodem only encodes SMS-SUBMIT; the simulator also has to produce what arrives from
the network (SMS-DELIVER for an incoming message, SMS-STATUS-REPORT for a delivery report),
byte for byte as 3GPP TS 23.040 lays them out, so the real library's decoder is what reads
them back.  The library's field helpers are reused so both sides share one idea of an address
field, a timestamp and septet packing.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.pdu import (
        GSM7_BASIC,
        Concatenation,
        _encodeAddressField,
        _encodeTimestamp,
        decodeSmsPdu,
        divideTextGsm7,
        encodeGsm7,
        packSeptets,
    )

__all__ = ["DecodedSubmit", "PduError", "build_delivers", "build_status_report", "decode_submit",
           "is_phone_number", "split_pdu"]

# TP-MTI (message type indicator), the low two bits of the first TPDU octet
MTI_DELIVER = 0x00
MTI_SUBMIT = 0x01
MTI_STATUS_REPORT = 0x02
# First-octet flags
TP_MMS_NO_MORE = 0x04  # "no more messages waiting" (DELIVER, STATUS-REPORT)
TP_SRR = 0x20  # SUBMIT: a status report is requested
TP_UDHI = 0x40  # user data starts with a header
# TP-DCS values for the two alphabets the simulator speaks
DCS_GSM7 = 0x00
DCS_UCS2 = 0x08
GSM7_SINGLE_LIMIT = 160  # septets in one message without a header
UCS2_SINGLE_LIMIT = 70  # UTF-16 code units in one message without a header
UCS2_PART_LIMIT = 67  # code units per part once a 6-octet concatenation header takes room
CONCAT_HEADER_LENGTH = 5  # UDHL of one 8-bit-reference concatenation element (00 03 ref n i)
ALPHANUMERIC_SENDER_LIMIT = 11  # characters in an alphanumeric originator (23.040 9.1.2.5)
STATUS_DELIVERED = 0x00  # TP-ST "short message received by the SME"
# Octets of TP-VP for each TP-VPF value (none, enhanced, relative, absolute)
_VALIDITY_LENGTH = {0: 0, 1: 7, 2: 1, 3: 7}


class PduError(ValueError):
    """A PDU the modem cannot accept (27.005 answers +CMS ERROR: 304 for it)."""


@dataclass(frozen=True)
class DecodedSubmit:
    """What the modem needs to know about an SMS-SUBMIT it was handed."""

    recipient: str
    address_field: bytes  # TP-DA as sent, for the status report's TP-RA
    text: str
    encoding: str  # "gsm7" | "ucs2" | "8bit"
    concat: tuple[int, int, int] | None  # (reference, total, sequence)
    status_report_requested: bool


def split_pdu(pdu_hex: str) -> tuple[bytes, bytes]:
    """(SMSC field, TPDU) of a hex PDU as written after a ``>`` prompt.

    The TPDU length is what AT+CMGS/AT+CMGW declare; the SMSC field in front does not count.
    """
    try:
        octets = bytes.fromhex(pdu_hex)
    except ValueError as error:
        raise PduError(f"PDU is not hexadecimal: {error}") from error
    if not octets:
        raise PduError("PDU is empty")
    smsc_length = octets[0]
    if 1 + smsc_length > len(octets):
        raise PduError("SMSC field runs past the end of the PDU")
    return octets[: 1 + smsc_length], octets[1 + smsc_length:]


def decode_submit(pdu_hex: str) -> DecodedSubmit:
    """Decode an SMS-SUBMIT with the library's own decoder, plus what it does not return:
    the alphabet, the status-report request and the raw destination address field."""
    _, tpdu = split_pdu(pdu_hex)
    if not tpdu or tpdu[0] & 0x03 != MTI_SUBMIT:
        raise PduError("PDU is not an SMS-SUBMIT")
    try:
        decoded = decodeSmsPdu(pdu_hex)
        # First octet, TP-MR, then TP-DA: length in digits, type octet, the digits.
        address_end = 2 + 2 + (tpdu[2] + 1) // 2
        address_field = tpdu[2:address_end]
        dcs = tpdu[address_end + 1]  # after TP-PID
        udl_offset = address_end + 2 + _VALIDITY_LENGTH[(tpdu[0] >> 3) & 0x03]
        udl = tpdu[udl_offset]
        header_octets = tpdu[udl_offset + 1] + 1 if tpdu[0] & TP_UDHI else 0
    except Exception as error:  # the library fails on bad input with whatever comes first
        raise PduError(f"SMS-SUBMIT does not decode: {error!r}") from error
    if not decoded["number"]:
        raise PduError("SMS-SUBMIT has no destination address")
    encoding = _alphabet(dcs)
    text = decoded["text"]
    if encoding == "gsm7":
        # The library's unpacker drops a final "@" (septet 0) that ends on an 8-septet
        # boundary: it cannot tell it from fill bits.  UDL says how many septets there are.
        header_septets = -(-header_octets * 8 // 7)
        text += "@" * (udl - header_septets - len(encodeGsm7(text, discardInvalid=True)))
    elif encoding == "ucs2":
        # The library turns each UTF-16 code unit into its own character; a phone's emoji
        # arrive as surrogate pairs, joined back here so the log holds the real text.
        text = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace")
    concat = next(((ie.reference, ie.parts, ie.number) for ie in decoded.get("udh", [])
                   if isinstance(ie, Concatenation)), None)
    return DecodedSubmit(recipient=decoded["number"], address_field=bytes(address_field),
                         text=text, encoding=encoding, concat=concat,
                         status_report_requested=bool(tpdu[0] & TP_SRR))


def _alphabet(dcs: int) -> str:
    """The alphabet of a TP-DCS, classified as the library's decoder does (general coding
    group only; any other group is read as GSM-7)."""
    if dcs & 0xC0 != 0:
        return "gsm7"
    return {0: "gsm7", 2: "ucs2"}.get((dcs & 0x0C) >> 2, "8bit")


def build_delivers(sender: str, text: str, smsc: str, timestamp: datetime,
                   concat_reference: int) -> list[tuple[str, int]]:
    """SMS-DELIVER PDUs (hex with the SMSC field, TPDU length) for one incoming message.

    A text too long for one message arrives as linked parts, as a phone would send it; each
    part then lands in its own storage slot with its own +CMTI.  The alphabet is GSM-7 when
    every character has a GSM-7 code, UCS-2 (UTF-16 really, surrogate pairs and all, as
    phones send emoji) otherwise.
    """
    if not is_phone_number(sender) and not (
            1 <= len(sender) <= ALPHANUMERIC_SENDER_LIMIT and all(c in GSM7_BASIC for c in sender)):
        raise ValueError(f"sender {sender!r} is neither a phone number nor up to "
                         f"{ALPHANUMERIC_SENDER_LIMIT} GSM-7 characters")
    smsc_field = bytes(_encodeAddressField(smsc, smscField=True))
    originator = bytes(_encodeAddressField(sender))
    scts = bytes(_encodeTimestamp(timestamp))
    try:
        septet_count = len(encodeGsm7(text))
    except (ValueError, TypeError):  # TypeError: the library's table breaks on "ÿ"
        dcs = DCS_UCS2
        parts = _split_utf16(text)
    else:
        dcs = DCS_GSM7
        parts = [text] if septet_count <= GSM7_SINGLE_LIMIT else divideTextGsm7(text)
    pdus = []
    for sequence, part in enumerate(parts, start=1):
        header = (bytes([CONCAT_HEADER_LENGTH, 0x00, 0x03, concat_reference & 0xFF, len(parts),
                         sequence]) if len(parts) > 1 else b"")
        first_octet = TP_MMS_NO_MORE | (TP_UDHI if header else 0)
        user_data_length, user_data = _user_data(part, dcs, header)
        tpdu = (bytes([first_octet]) + originator + bytes([0x00, dcs]) + scts
                + bytes([user_data_length]) + user_data)
        pdus.append(((smsc_field + tpdu).hex().upper(), len(tpdu)))
    return pdus


def is_phone_number(address: str) -> bool:
    """Digits, with a + in front for an international number (what an address field holds
    as semi-octets)."""
    return re.fullmatch(r"\+?[0-9]{1,20}", address) is not None


def _split_utf16(text: str) -> list[str]:
    """Parts of at most 70 (alone) or 67 (linked) UTF-16 units, never halving a pair."""
    if len(text.encode("utf-16-be")) // 2 <= UCS2_SINGLE_LIMIT:
        return [text]
    parts: list[str] = []
    current = ""
    for character in text:
        if len((current + character).encode("utf-16-be")) // 2 > UCS2_PART_LIMIT:
            parts.append(current)
            current = ""
        current += character
    parts.append(current)
    return parts


def _user_data(text: str, dcs: int, header: bytes) -> tuple[int, bytes]:
    """(TP-UDL, TP-UD): UDL counts septets for GSM-7 (header and fill bits included) and
    octets for UCS-2 (23.040 9.2.3.16)."""
    if dcs == DCS_UCS2:
        payload = text.encode("utf-16-be")
        return len(header) + len(payload), header + payload
    septets = encodeGsm7(text)
    if not header:
        return len(septets), bytes(packSeptets(septets))
    header_septets = -(-len(header) * 8 // 7)  # the header, padded to a septet boundary
    # packSeptets' "padBits" is the bit position the first septet starts from, not the
    # number of fill bits: 6 header octets (48 bits) -> padBits 6 -> one fill bit.
    packed = packSeptets(septets, padBits=(len(header) * 8) % 7)
    return header_septets + len(septets), header + bytes(packed)


def build_status_report(reference: int, recipient_field: bytes, smsc: str, submitted: datetime,
                        discharged: datetime) -> tuple[str, int]:
    """SMS-STATUS-REPORT (hex with the SMSC field, TPDU length) saying the message with TP-MR
    ``reference`` reached its recipient; ``recipient_field`` is the SUBMIT's TP-DA, which the
    report repeats as TP-RA."""
    tpdu = (bytes([MTI_STATUS_REPORT | TP_MMS_NO_MORE, reference & 0xFF]) + recipient_field
            + bytes(_encodeTimestamp(submitted)) + bytes(_encodeTimestamp(discharged))
            + bytes([STATUS_DELIVERED]))
    smsc_field = bytes(_encodeAddressField(smsc, smscField=True))
    return (smsc_field + tpdu).hex().upper(), len(tpdu)
