"""The API process around the application: its mDNS announcement follows the box's addresses;
its stop does not wait for idle consoles."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest

from paivystys.appliance.api import server
from paivystys.appliance.api.discovery import NoAddressToAdvertise

FINGERPRINT = ":".join(["AB"] * 32)


class FakeAdvertiser:
    """Records what was announced; refuses an empty address list as the real one does."""

    made: ClassVar[list[FakeAdvertiser]] = []

    def __init__(self, port: int, fingerprint: str, version: str,
                 addresses: list[str]) -> None:
        self.addresses = addresses
        self.closed = False
        self.name = "Päivystysvaihde test"
        FakeAdvertiser.made.append(self)

    def start(self) -> None:
        if not self.addresses:
            raise NoAddressToAdvertise("no address")

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def addresses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    FakeAdvertiser.made = []
    current: list[str] = []
    monkeypatch.setattr(server, "Advertiser", FakeAdvertiser)
    monkeypatch.setattr(server, "lan_ipv4_addresses", lambda: list(current))
    return current


def test_announced_again_when_the_address_changes_and_only_then(addresses: list[str]) -> None:
    announcement = server.Announcement(8443, FINGERPRINT, "1.0", "https://box:8443")
    addresses[:] = ["192.168.1.23"]
    announcement.refresh()
    announcement.refresh()
    assert [made.addresses for made in FakeAdvertiser.made] == [["192.168.1.23"]]

    addresses[:] = ["192.168.1.50"]  # a static address kept
    announcement.refresh()
    first, second = FakeAdvertiser.made
    assert first.closed and not second.closed
    assert second.addresses == ["192.168.1.50"]

    announcement.close()
    assert second.closed
    addresses[:] = ["10.0.0.5"]
    announcement.refresh()  # after close: nothing more
    assert len(FakeAdvertiser.made) == 2


def test_no_address_yet_is_tried_again_and_a_lost_one_is_withdrawn(
        addresses: list[str]) -> None:
    announcement = server.Announcement(8443, FINGERPRINT, "1.0", "https://box:8443")
    announcement.refresh()  # DHCP not done: nothing announced
    addresses[:] = ["192.168.1.23"]
    announcement.refresh()
    assert [(made.addresses, made.closed) for made in FakeAdvertiser.made] == [
        ([], False), (["192.168.1.23"], False)]
    addresses[:] = []  # the cable pulled: the old address is not announced any more
    announcement.refresh()
    assert FakeAdvertiser.made[1].closed
    announcement.close()


def test_an_idle_console_outliving_the_shutdown_grace_is_a_warning_not_an_error() -> None:
    note = server.GraceExceededIsNoError()
    exceeded = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                 "Cancel %s running task(s), timeout graceful shutdown "
                                 "exceeded", (0,), None)
    assert note.filter(exceeded) and (exceeded.levelno, exceeded.levelname) == (
        logging.WARNING, "WARNING")
    other = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI "
                              "application", (), None)
    assert note.filter(other) and other.levelno == logging.ERROR
