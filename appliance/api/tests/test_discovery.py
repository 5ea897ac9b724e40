"""Advertising the appliance and browsing for it over real mDNS, on loopback only."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from zeroconf import ServiceInfo

from paivystys.appliance.api import discovery
from paivystys.appliance.api.discovery import FoundAppliance
from paivystys.appliance.runtime import netns

LOOPBACK = "127.0.0.1"
FINGERPRINT = ":".join(["5A"] * 32)

# Multicast on `lo` needs neither the MULTICAST flag nor a route when the interface is named,
# as zeroconf does: the test only has to be sure no packet can reach a real network.
needs_private_network = pytest.mark.skipif(
    not netns.uses_current_namespace(),
    reason="mDNS multicasts: runs only inside scripts/test's private network namespace "
           "(PAIVYSTYS_NETNS=current), where nothing can leave loopback")


@needs_private_network
def test_the_console_finds_the_appliance_that_advertises_itself() -> None:
    browsed: list[list[FoundAppliance]] = []
    # Browse while the appliance announces itself: for a second after announcing it holds back
    # answers to questions (RFC 6762 §6), so a browse that starts later waits for them.
    browsing = threading.Thread(target=lambda: browsed.append(
        discovery.browse(timeout=2.0, interfaces=[LOOPBACK])))
    browsing.start()
    with discovery.Advertiser(port=8443, fingerprint=FINGERPRINT.replace(":", "").lower(),
                              addresses=[LOOPBACK], version="9.8.7") as advertiser:
        browsing.join()
        found = browsed[0]
        deadline = time.monotonic() + 3
        while not found and time.monotonic() < deadline:
            found = discovery.browse(timeout=1.5, interfaces=[LOOPBACK])

        assert advertiser.name == f"Päivystysvaihde {socket.gethostname().split('.')[0]}"
        assert found == [FoundAppliance(
            name=advertiser.name, host=advertiser.host_name.rstrip("."), addresses=(LOOPBACK,),
            port=8443, fingerprint=FINGERPRINT, version="9.8.7", path="/api")]


def test_the_advertised_host_name_is_the_certificates_not_the_boxes() -> None:
    advertiser = discovery.Advertiser(port=8443, fingerprint=FINGERPRINT)
    assert advertiser.host_name == "paivystys-5a5a5a5a5a5a5a5a.local."


def test_a_long_instance_name_is_cut_to_a_dns_label() -> None:
    advertiser = discovery.Advertiser(port=8443, fingerprint=FINGERPRINT, name="Ä" * 40)
    assert advertiser.name == "Ä" * 31  # 62 bytes: half an Ä would not be UTF-8


def test_a_mistyped_fingerprint_is_refused_before_advertising() -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        discovery.Advertiser(port=8443, fingerprint="5A:5A")


def test_a_box_without_an_address_advertises_nothing() -> None:
    with pytest.raises(discovery.NoAddressToAdvertise):
        discovery.Advertiser(port=8443, fingerprint=FINGERPRINT, addresses=[]).start()


@pytest.mark.parametrize("advertised_fingerprint", [None, "", "not a fingerprint"])
def test_an_advertisement_without_a_usable_fingerprint_is_skipped(
        advertised_fingerprint: str | None) -> None:
    properties = {"version": "1.0", "path": "/api"}
    if advertised_fingerprint is not None:
        properties["fingerprint"] = advertised_fingerprint
    info = ServiceInfo(discovery.SERVICE_TYPE, f"Stranger.{discovery.SERVICE_TYPE}", port=8443,
                       properties=properties, server="stranger.local.",
                       parsed_addresses=[LOOPBACK])
    assert discovery._found_appliance(info) is None
