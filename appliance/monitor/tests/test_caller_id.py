import base64

import pytest

from paivystys.appliance.monitor.caller_id import TRUNCATION_MARK, caller_from_network
from paivystys.appliance.phones import WITHHELD

ALLOWED = "allowed_not_screened"


def encoded(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(("sent", "presentation", "logged"), [
    ("0401234567", ALLOWED, "+358401234567"),
    ("358401234567", ALLOWED, "+358401234567"),
    ("+46701234567", ALLOWED, "+46701234567"),
    # withheld, however the network marks it: one representation
    ("+358401234567", "prohib_not_screened", WITHHELD),
    ("anonymous", ALLOWED, WITHHELD),
    (" Restricted ", ALLOWED, WITHHELD),
    ("", ALLOWED, WITHHELD),
    ("\r\n", ALLOWED, WITHHELD),
    # not a number: verbatim, never read as one
    ("040(1234567", ALLOWED, "040(1234567"),
    ("Matti", ALLOWED, "Matti"),
    ("1\r\n\r\nEvent: UserEvent\r\n", ALLOWED, "1\r\n\r\nEvent: UserEvent\r\n"),
    ("Äänekoski ☎", ALLOWED, "Äänekoski ☎"),
])
def test_what_the_log_keeps_of_a_caller_id(sent: str, presentation: str, logged: str) -> None:
    assert caller_from_network(encoded(sent), str(len(sent.encode())), presentation) == logged


def test_a_cut_caller_id_shows_that_it_was_cut() -> None:
    sent = "9" * 300
    assert caller_from_network(encoded(sent[:256]), "300", ALLOWED) == "9" * 256 + TRUNCATION_MARK
    # Asterisk's own limit: it keeps 79 bytes of a longer From user and says nothing
    assert caller_from_network(encoded(sent[:79]), "79", ALLOWED) == "9" * 79 + TRUNCATION_MARK
    assert caller_from_network(encoded(sent[:78]), "78", ALLOWED) == "9" * 78


def test_bytes_that_are_not_utf8_and_broken_base64_do_not_stop_the_log() -> None:
    assert caller_from_network(encoded(b"\xff\xfe12"), "4", ALLOWED) == "\ufffd\ufffd12"
    assert caller_from_network("not base64!", "3", ALLOWED) == WITHHELD
    assert caller_from_network(encoded("0401234567"), "", ALLOWED) == "+358401234567"
