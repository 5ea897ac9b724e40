"""ApplianceClient against the real API: every failure arrives as one ApiFailure kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from paivystys.appliance.users.service import revoke
from paivystys.gui.net.address import InvalidAddress, parse_address
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind, probe_fingerprint
from paivystys.gui.net.pinning import parse_fingerprint
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance

OTHER_FINGERPRINT = ":".join(["5A"] * 32)


@pytest.fixture
def clients(appliance: Appliance) -> Iterator[Callable[[], ApplianceClient]]:
    """New pinned clients, closed afterwards so the server is not left holding connections."""
    made: list[ApplianceClient] = []

    def make() -> ApplianceClient:
        made.append(ApplianceClient(appliance.url, appliance.fingerprint))
        return made[-1]

    yield make
    for client in made:
        client.close()


def _failure(call: Callable[[], object]) -> ApiFailure:
    with pytest.raises(ApiFailure) as raised:
        call()
    return raised.value


def test_the_probe_reads_the_fingerprint_the_appliance_prints(appliance: Appliance) -> None:
    assert probe_fingerprint(parse_address(appliance.url)) == appliance.fingerprint


def test_a_revoked_token_maps_to_unauthorized(
        clients: Callable[[], ApplianceClient]) -> None:
    client = clients()
    session = client.login("admin", ADMIN_PASSWORD)
    assert client.get("/api/me")["username"] == "admin"
    revoke(session.token)  # as `paivystys user` or an admin would, on the box
    assert _failure(lambda: client.get("/api/me")).kind is FailureKind.UNAUTHORIZED


def test_another_certificate_is_refused_before_anything_is_sent(appliance: Appliance) -> None:
    with ApplianceClient(appliance.url, OTHER_FINGERPRINT) as client:
        failure = _failure(lambda: client.login("admin", ADMIN_PASSWORD))
    assert failure.kind is FailureKind.TLS_MISMATCH
    assert appliance.fingerprint in failure.message


def test_a_closed_port_is_unreachable(appliance: Appliance, closed_port: int) -> None:
    url = f"https://127.0.0.1:{closed_port}"
    with ApplianceClient(url, appliance.fingerprint) as client:
        assert _failure(lambda: client.get("/api/me")).kind is FailureKind.UNREACHABLE
    assert _failure(lambda: probe_fingerprint(parse_address(url))).kind is (
        FailureKind.UNREACHABLE)


def test_permission_field_and_lock_failures(clients: Callable[[], ApplianceClient]) -> None:
    person = clients()
    person.login("maija", PERSON_PASSWORD)
    assert _failure(lambda: person.get("/api/users")).kind is FailureKind.FORBIDDEN
    assert person.put("/api/me/duty", {"on_duty": False})["on_duty"] is False

    admin = clients()
    admin.login("admin", ADMIN_PASSWORD)
    invalid = _failure(lambda: admin.post("/api/people", {"name": "X", "phone": "not a number"}))
    assert (invalid.kind, invalid.field) == (FailureKind.INVALID, "phone")
    assert _failure(lambda: admin.get("/api/people/999999")).kind is FailureKind.NOT_FOUND

    stranger = clients()
    admin.post("/api/users", {"username": "lukko", "password": "lukko-salasana-1",
                              "role": "admin"})
    for _ in range(5):
        assert _failure(lambda: stranger.login("lukko", "wrong-password")).kind is (
            FailureKind.UNAUTHORIZED)
    locked = _failure(lambda: stranger.login("lukko", "lukko-salasana-1"))
    assert locked.kind is FailureKind.LOCKED and locked.retry_after > 0


@pytest.mark.parametrize(("typed", "url"), [
    ("192.168.1.20", "https://192.168.1.20:8443"),
    ("Box.local:9443", "https://box.local:9443"),
    (" https://box.local/api ", "https://box.local:8443"),
    ("fe80::1", "https://[fe80::1]:8443"),
    ("[fe80::1]:8444", "https://[fe80::1]:8444"),
])
def test_typed_addresses_become_one_url(typed: str, url: str) -> None:
    assert parse_address(typed).url == url


@pytest.mark.parametrize("typed", ["", "http://box.local", "box.local:port", "https://:8443"])
def test_what_is_not_an_address_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAddress):
        parse_address(typed)


def test_fingerprints_are_read_as_people_type_them() -> None:
    assert parse_fingerprint(OTHER_FINGERPRINT.replace(":", " ").lower()) == OTHER_FINGERPRINT
    with pytest.raises(ValueError):
        parse_fingerprint("5A:5A")


@pytest.mark.parametrize("status, claimed", [(404, True), (500, None)])
def test_a_switchboard_from_before_the_claim_counts_as_set_up(status: int,
                                                              claimed: bool | None) -> None:
    # Such a switchboard has no /api/claim: its admin was made on the box.  Any other failure
    # stays a failure.  (A stand-in transport: no real switchboard of that age is left.)
    client = ApplianceClient("https://192.0.2.1:8443", OTHER_FINGERPRINT)
    client._http = httpx.Client(base_url=client.base_url, transport=httpx.MockTransport(
        lambda request: httpx.Response(status, json={"detail": "Not Found"})))
    try:
        if claimed is None:
            assert _failure(client.is_claimed).kind is FailureKind.SERVER_ERROR
        else:
            assert client.is_claimed() is claimed
    finally:
        client.close()
