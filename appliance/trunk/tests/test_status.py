"""The trunk's state from Asterisk's AMI replies (recorded from Asterisk 22 in the lab)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.ami.client import AmiActionError, AmiConnectionError, Headers
from paivystys.appliance.asterisk.pjsip import identify_name
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import OnCallNumber
from paivystys.appliance.trunk import set_trunk, trunk_status

SECRET = "salasana-123"
AUTH_DETAIL = {"Event": "AuthDetail", "ObjectType": "auth", "ObjectName": "trunk-auth-1",
               "Username": "+358201234567", "AuthType": "userpass", "Password": SECRET}


def registration_detail(status: str) -> Headers:
    return {"Event": "OutboundRegistrationDetail", "ObjectType": "registration",
            "ObjectName": "trunk", "ServerUri": "sip:127.0.0.1:5080",
            "ClientUri": "sip:+358201234567@127.0.0.1", "Transport": "transport-udp",
            "Status": status, "NextReg": "0", "OutboundAuth": "trunk-auth-1"}


CONTACT_STATUS = {"Event": "ContactStatusDetail", "AOR": "trunk", "URI": "sip:127.0.0.1:5070",
                  "Status": "NonQualified", "RoundtripUsec": "N/A", "EndpointName": "trunk"}


class FakeAmi:
    """Answers list actions from a table; anything else is an AMI error."""

    def __init__(self, replies: dict[str, list[Headers] | Exception]) -> None:
        self.replies = replies
        self.asked: list[tuple[str, dict[str, str]]] = []

    def action_list(self, name: str, **headers: str) -> list[Headers]:
        self.asked.append((name, headers))
        reply = self.replies[name]
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.fixture
def db(tmp_path: Path) -> Iterator[None]:
    database = open_database(tmp_path / "paivystys.db")
    yield
    database.close()


@pytest.fixture
def registration_trunk(db: None) -> None:
    set_trunk("registration", "127.0.0.1", 5080, username="+358201234567", password=SECRET,
              changes=Changes("tester", lambda: None))


def identify_detail(host: str) -> Headers:
    return {"Event": "IdentifyDetail", "ObjectType": "identify",
            "ObjectName": identify_name(host), "Match": f"{host}/255.255.255.255",
            "Endpoint": "trunk", "EndpointName": "trunk"}


def status_with(events: list[Headers] | Exception,
                endpoint: list[Headers] | Exception | None = None):
    """The status from ``events`` (and an endpoint reply that has the trunk's identify)."""
    if endpoint is None:
        endpoint = events if isinstance(events, Exception) else [
            *events, identify_detail("127.0.0.1")]
    ami = FakeAmi({"PJSIPShowRegistrationsOutbound": events, "PJSIPShowEndpoint": endpoint})
    return trunk_status(ami), ami  # type: ignore[arg-type]


@pytest.mark.usefixtures("registration_trunk")
@pytest.mark.parametrize(("status", "registered", "state", "words"), [
    ("Registered", True, "registered", "registered at sip:127.0.0.1:5080"),
    ("Rejected", False, "rejected", "did not accept the registration"),
    ("Unregistered", False, "unregistered", "not registered at sip:127.0.0.1:5080 yet"),
    ("Stopped", False, "stopped", "registration at sip:127.0.0.1:5080: Stopped"),
])
def test_registration_state(status: str, registered: bool, state: str, words: str) -> None:
    result, ami = status_with([registration_detail(status), AUTH_DETAIL])
    assert ami.asked == [("PJSIPShowEndpoint", {"Endpoint": "trunk"}),
                         ("PJSIPShowRegistrationsOutbound", {})]
    assert (result.mode, result.registered, result.state) == ("registration", registered, state)
    assert words in result.detail
    assert SECRET not in repr(result)


@pytest.mark.usefixtures("registration_trunk")
def test_registration_missing_in_asterisk_is_not_loaded() -> None:
    result, _ = status_with([])
    assert (result.registered, result.state) == (False, "not loaded")


@pytest.mark.usefixtures("db")
def test_ip_trunk_without_qualify_is_not_monitored() -> None:
    result, ami = status_with([{"Event": "EndpointDetail", "ObjectName": "trunk"},
                               CONTACT_STATUS])
    assert ami.asked == [("PJSIPShowEndpoint", {"Endpoint": "trunk"})]
    assert (result.mode, result.registered, result.state) == ("ip", None, "not monitored")
    assert "sip:127.0.0.1:5070" in result.detail


@pytest.mark.usefixtures("db")
def test_ip_trunk_missing_in_asterisk_is_not_loaded() -> None:
    result, _ = status_with(AmiActionError("PJSIPShowEndpoint", {"Response": "Error"}))
    assert (result.registered, result.state) == (False, "not loaded")


@pytest.fixture
def named_operator(db: None) -> None:
    set_trunk("ip", "127.0.0.1", 5070, operator_addresses=["sip.operaattori.invalid"],
              changes=Changes("tester", lambda: None))


@pytest.mark.usefixtures("named_operator")
def test_an_operator_address_asterisk_could_not_resolve_is_named() -> None:
    result, _ = status_with([CONTACT_STATUS])
    assert (result.registered, result.state) == (None, "not monitored")
    assert "calls from sip.operaattori.invalid are refused" in result.detail


@pytest.mark.usefixtures("named_operator")
def test_no_operator_address_in_asterisk_is_a_trunk_that_takes_no_call() -> None:
    result, _ = status_with([CONTACT_STATUS], endpoint=[CONTACT_STATUS])
    assert (result.registered, result.state) == (False, "no caller address")
    assert "127.0.0.1, sip.operaattori.invalid" in result.detail
    assert "every call is refused" in result.detail


@pytest.mark.usefixtures("registration_trunk")
def test_a_registered_trunk_without_its_operator_s_address_is_not_healthy() -> None:
    result, _ = status_with([registration_detail("Registered")],
                            endpoint=[identify_detail("192.0.2.99")])
    assert (result.registered, result.state) == (False, "no caller address")


@pytest.mark.usefixtures("registration_trunk")
def test_an_unreachable_asterisk_is_the_callers_to_report() -> None:
    with pytest.raises(AmiConnectionError):
        status_with(AmiConnectionError("not connected to AMI"))


@pytest.fixture
def gateway(db: None) -> None:
    OnCallNumber.create(number="+358201234567", name="Päivystys")
    set_trunk("gateway", "127.0.0.1", 5070, default_number="+358201234567",
              changes=Changes("tester", lambda: None))


@pytest.mark.usefixtures("gateway")
def test_a_gateway_is_an_unmonitored_ip_trunk_while_its_default_number_exists() -> None:
    result, _ = status_with([CONTACT_STATUS])
    assert (result.mode, result.registered, result.state) == ("gateway", None,
                                                               "not monitored")
    assert result.detail.startswith("GSM gateway at sip:127.0.0.1:5070")


@pytest.mark.usefixtures("gateway")
def test_a_gateway_whose_default_number_was_removed_takes_no_call() -> None:
    OnCallNumber.delete().execute()
    result, _ = status_with([CONTACT_STATUS])
    assert (result.registered, result.state) == (False, "no default number")
    assert "the default number +358201234567 is no on-call number any more" in result.detail
    assert "every call of the gateway" in result.detail


@pytest.mark.usefixtures("db")
def test_another_trunk_whose_default_number_was_removed_says_so() -> None:
    OnCallNumber.create(number="+358201234567", name="Päivystys")
    set_trunk("ip", "127.0.0.1", 5070, default_number="+358201234567",
              changes=Changes("tester", lambda: None))
    OnCallNumber.delete().execute()
    result, _ = status_with([CONTACT_STATUS])
    assert (result.registered, result.state) == (None, "not monitored")
    assert "calls that name no number of this box are refused" in result.detail
