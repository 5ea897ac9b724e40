from __future__ import annotations

import pytest
from gsmmodem.pdu import Concatenation, decodeSmsPdu, encodeSmsSubmitPdu

from paivystys.appliance.sms.encoding import (
    GSM7,
    GSM7_SEPTETS,
    UCS2,
    EncodedMessage,
    encode,
)

TO = "+358401234567"
FINNISH = ("Hälytys: Maija Virtanen otti päivystyspuhelun klo 14.05 ja hoitaa asian. "
           "Jos tarvitset apua, soita työnjohtoon; Åbo Akademin väki ja öinen vuoro "
           "ovat tavoitettavissa. Kiitos kaikille nopeasta reagoinnista tänään!")
EMOJI = "😀"  # outside the BMP: two UTF-16 units


def roundtrip(message: EncodedMessage, text: str, reference: int = 0) -> None:
    """Every PDU decodes (gsmmodem's decoder) to the same number, its part of the text and
    the right linking; the parts together are the text."""
    decoded_parts = []
    for part in message.parts:
        raw = bytes.fromhex(part.pdu_hex)
        assert raw[0] == 0x00  # no SMSC: the modem's own
        assert part.tpdu_length == len(raw) - 1
        first = raw[1]
        assert first & 0x03 == 0x01  # SMS-SUBMIT
        assert first & 0x20  # status report requested
        assert first & 0x18 == 0  # no validity period
        assert bool(first & 0x40) == (len(message.parts) > 1)  # a header only when linked
        decoded = decodeSmsPdu(part.pdu_hex)
        assert decoded["type"] == "SMS-SUBMIT"
        assert decoded["reference"] == 0  # TP-MR: the modem assigns the real one
        assert decoded["number"] == TO
        assert decoded["tpdu_length"] == part.tpdu_length
        # gsmmodem's decoder yields one character per UTF-16 unit; put surrogates together.
        part_text = decoded["text"].encode("utf-16-be", "surrogatepass").decode("utf-16-be")
        assert part_text == part.text
        if len(message.parts) > 1:
            (link,) = decoded["udh"]
            assert isinstance(link, Concatenation)
            assert (link.id, link.reference, link.parts, link.number) == (
                0x00, reference % 256, len(message.parts), part.seq)
        else:
            assert "udh" not in decoded
        decoded_parts.append(part_text)
    assert [part.seq for part in message.parts] == list(range(1, len(message.parts) + 1))
    assert "".join(decoded_parts) == text


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def septets(text: str) -> int:
    return sum(len(GSM7_SEPTETS[char]) for char in text)


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_fits_160_alone_and_153_per_linked_part(length: int, parts: int) -> None:
    text = ("abcdefghij" * 40)[:length]
    message = encode(TO, text, reference=7)
    assert (message.encoding, len(message.parts)) == (GSM7, parts)
    assert all(septets(part.text) <= (160 if parts == 1 else 153) for part in message.parts)
    roundtrip(message, text, reference=7)


def test_finnish_letters_stay_gsm7() -> None:
    text = FINNISH[:200]
    assert len(text) == 200
    message = encode(TO, text, reference=300)
    assert message.encoding == GSM7
    assert [len(part.text) for part in message.parts] == [153, 47]
    roundtrip(message, text, reference=300)  # the link reference is 300 % 256


@pytest.mark.parametrize("text", ["Jiří Šťastný otti puhelun", f"Kiitos {EMOJI}", "`", "ÿ"])
def test_a_character_outside_gsm7_makes_it_ucs2(text: str) -> None:
    message = encode(TO, text, reference=1)
    assert (message.encoding, len(message.parts)) == (UCS2, 1)
    roundtrip(message, text)


@pytest.mark.parametrize(("text", "parts"), [
    ("š" * 70, 1),
    ("š" * 71, 2),
    ("š" * 68 + EMOJI, 1),  # 70 units
    ("š" * 69 + EMOJI, 2),  # 71 units
    ("š" * 134, 2),
    ("š" * 135, 3),
])
def test_ucs2_fits_70_units_alone_and_67_per_linked_part(text: str, parts: int) -> None:
    message = encode(TO, text, reference=9)
    assert (message.encoding, len(message.parts)) == (UCS2, parts)
    assert all(units(part.text) <= (70 if parts == 1 else 67) for part in message.parts)
    roundtrip(message, text, reference=9)


def test_an_emoji_across_the_67_unit_boundary_moves_whole_to_the_next_part() -> None:
    text = "š" * 66 + EMOJI + "loppu"  # the emoji's units would be 67 and 68
    message = encode(TO, text, reference=2)
    first, second = message.parts
    assert first.text == "š" * 66 and units(first.text) == 66
    assert second.text == EMOJI + "loppu"
    for part in message.parts:
        part.text.encode("utf-16-be")  # no lone surrogate: strict encoding would fail
    roundtrip(message, text, reference=2)


def test_gsmmodem_itself_cannot_encode_an_emoji() -> None:
    """Why encode() builds its own PDUs; pinned, so an upgrade that fixes it is noticed."""
    with pytest.raises(ValueError, match="byte must be in range"):
        encodeSmsSubmitPdu(TO, f"Kiitos {EMOJI}")


@pytest.mark.parametrize("extension", ["€", "[", "{", "|", "\\", "~", "^", "]", "}"])
def test_an_extension_character_counts_two_and_its_pair_is_never_split(extension: str) -> None:
    assert len(GSM7_SEPTETS[extension]) == 2
    alone = encode(TO, "a" * 158 + extension, reference=3)
    assert len(alone.parts) == 1  # 160 septets
    assert len(encode(TO, "a" * 159 + extension, reference=3).parts) == 2  # 161

    text = "a" * 152 + extension + "b" * 10  # its two septets would be the 153rd and 154th
    message = encode(TO, text, reference=3)
    assert message.encoding == GSM7
    first, second = message.parts
    assert first.text == "a" * 152 and septets(first.text) == 152
    assert second.text == extension + "b" * 10
    roundtrip(message, text, reference=3)

    exact = "a" * 151 + extension + "b" * 10  # fills the first part exactly
    assert [septets(part.text) for part in encode(TO, exact, reference=3).parts] == [153, 10]


def test_matches_gsmmodem_where_gsmmodem_is_right() -> None:
    for text in ("Huolto: Maija otti puhelun", FINNISH * 2):
        ours = [part.pdu_hex for part in encode(TO, text, reference=0).parts]
        theirs = [str(pdu) for pdu in encodeSmsSubmitPdu(TO, text, reference=0)]
        assert ours == theirs


def test_section_sign_is_gsm7_and_backtick_is_not() -> None:
    """gsmmodem's table puts a backtick where 3GPP TS 23.038 has § (0x5F)."""
    assert GSM7_SEPTETS["§"] == (0x5F,)
    assert "`" not in GSM7_SEPTETS
    assert encode(TO, "§ 12", reference=0).encoding == GSM7


def test_combining_accents_are_composed_first() -> None:
    message = encode(TO, "Ma\u0308a\u0308tta\u0308", reference=0)
    assert message.encoding == GSM7
    assert message.parts[0].text == "Määttä"


@pytest.mark.parametrize("recipient", ["", "anonymous", "+358 40 123", "+", "1" * 21])
def test_a_recipient_must_be_a_number(recipient: str) -> None:
    with pytest.raises(ValueError, match="not a phone number"):
        encode(recipient, "Hei", reference=0)


def test_national_digits_are_a_national_address() -> None:
    decoded = decodeSmsPdu(encode("0401234567", "Hei", reference=0).parts[0].pdu_hex)
    assert decoded["number"] == "0401234567"


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError, match="needs some text"):
        encode(TO, "", reference=0)
