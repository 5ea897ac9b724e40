"""An appliance advertised on the LAN (here: loopback) appears in the connect window, live."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from paivystys.appliance.api.discovery import Advertiser
from paivystys.gui.appliances.discovery import ApplianceBrowser, FoundAppliance
from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.connect.window import ConnectWindow

FINGERPRINT = ":".join(["A1"] * 32)
LOOPBACK = "127.0.0.1"


def test_an_advertised_appliance_is_listed_and_leaves_the_list(
        qtbot: QtBot, show: Callable[[ConnectWindow], ConnectWindow],
        store: ApplianceStore) -> None:
    browser = ApplianceBrowser(interfaces=[LOOPBACK])
    window = show(ConnectWindow(store, browser))
    found = qtbot.waitSignal(browser.found, timeout=10_000,
                             check_params_cb=lambda found: found.port == 18443)
    with Advertiser(port=18443, fingerprint=FINGERPRINT, name="Konsolitesti",
                    addresses=[LOOPBACK]):
        found.wait()
        appliance: FoundAppliance = found.args[0]
        assert (appliance.name, appliance.host, appliance.fingerprint) == (
            "Konsolitesti", LOOPBACK, FINGERPRINT)
        qtbot.waitUntil(lambda: window.appliance_list.count() == 1)
        assert window.appliance_list.item(0).text().startswith(
            "Konsolitesti\nhttps://127.0.0.1:18443")
    qtbot.waitUntil(lambda: window.appliance_list.count() == 0, timeout=10_000)
