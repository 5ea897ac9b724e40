"""The trunk service: every field validated (the error names it), stored, applied; the password
never shown."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC, appliance_configs
from paivystys.appliance.asterisk.pjsip import LAB_TRUNK, render_pjsip
from paivystys.appliance.asterisk.site import SystemAsterisk
from paivystys.appliance.asterisk.stored_trunk import trunk_spec
from paivystys.appliance.audit import entries
from paivystys.appliance.changes import Changes
from paivystys.appliance.changes.tests.apply_counter import Counter
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import OnCallNumber, Trunk
from paivystys.appliance.errors import ApplyFailed, Invalid
from paivystys.appliance.trunk import check_trunk, get_trunk, reset_trunk, set_trunk

PASSWORD = 'Sal#a"sana\\1'


@pytest.fixture
def applied(tmp_path: Path) -> Iterator[Counter]:
    db = open_database(tmp_path / "paivystys.db")
    yield Counter()
    db.close()


def by_tester(apply: Callable[[], None]) -> Changes:
    return Changes("tester", apply)


def registration(applied: Counter, **overrides: object):
    values: dict[str, object] = {"mode": "registration", "host": "sip.operaattori.fi",
                                 "username": "+358201234567", "password": PASSWORD}
    values.update(overrides)
    return set_trunk(**values, changes=by_tester(applied))  # type: ignore[arg-type]


def test_without_a_row_the_lab_carrier_is_the_trunk(applied: Counter) -> None:
    trunk = get_trunk()
    assert (trunk.mode, trunk.host, trunk.port, trunk.transport) == ("ip", "127.0.0.1", 5070,
                                                                      "udp")
    assert trunk.configured is False
    assert trunk.has_password is False
    assert trunk_spec() == LAB_TRUNK


def test_ip_trunk_is_stored_and_applied_without_credentials(applied: Counter) -> None:
    trunk = set_trunk(" IP ", "192.0.2.10", "5080", "TCP", username="ignored",
                      password="ignored", from_domain="Operaattori.FI.", changes=by_tester(applied))
    assert applied.calls == 1
    assert (trunk.mode, trunk.host, trunk.port, trunk.transport) == ("ip", "192.0.2.10", 5080,
                                                                      "tcp")
    assert (trunk.username, trunk.has_password, trunk.configured) == (None, False, True)
    assert trunk.from_domain == "operaattori.fi"
    row = Trunk.get_by_id(1)
    assert (row.username, row.password) == (None, None)


def test_registration_trunk_keeps_its_password_when_none_is_given(applied: Counter) -> None:
    registration(applied)
    trunk = registration(applied, password=None, port=5061)
    assert trunk.has_password is True
    assert trunk.port == 5061
    assert trunk_spec().password == PASSWORD
    assert applied.calls == 2


def test_switching_to_ip_forgets_the_password(applied: Counter) -> None:
    registration(applied)
    set_trunk("ip", "192.0.2.10", changes=by_tester(applied))
    err = error(registration, applied, password=None)
    assert err.field == "password"
    assert "none is stored yet" in str(err)


def test_every_save_renames_the_credentials(applied: Counter) -> None:
    """A new revision makes Asterisk register again at reload instead of at the next refresh,
    which is what makes a corrected password show at once."""
    registration(applied)
    first = trunk_spec()
    registration(applied, password="uusi-salasana")
    assert trunk_spec().auth_name != first.auth_name


def test_reset_returns_to_the_lab_default(applied: Counter) -> None:
    registration(applied)
    trunk = reset_trunk(changes=by_tester(applied))
    assert trunk.configured is False
    assert trunk_spec() == LAB_TRUNK
    assert Trunk.select().count() == 0
    assert applied.calls == 2


def test_the_generated_pjsip_conf_uses_the_stored_trunk(applied: Counter,
                                                        tmp_path: Path) -> None:
    site = SystemAsterisk(tmp_path, APPLIANCE_SPEC)
    assert "type=registration" not in appliance_configs(site)["pjsip.conf"]
    registration(applied)
    conf = appliance_configs(site)["pjsip.conf"]
    assert "server_uri=sip:sip.operaattori.fi:5060" in conf
    assert f"password={PASSWORD}\n" in conf


def error(call, *args: object, **kwargs: object) -> Invalid:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"mode": "sip"}, "mode", "mode: must be ip, registration or gateway, got 'sip'"),
    ({"mode": None}, "mode", "mode: must be text, got None"),
    ({"host": ""}, "host", "host: must not be empty"),
    ({"host": "sip operaattori.fi"}, "host", "host: must not contain spaces"),
    ({"host": "sip:operaattori.fi"}, "host", "without 'sip:'"),
    ({"host": "https://operaattori.fi"}, "host", "without 'sip:' or another scheme"),
    ({"host": "user@operaattori.fi"}, "host", "without a user name"),
    ({"host": "operaattori.fi:5060"}, "host", "give the port in its own field"),
    ({"host": "192.0.2.1:5060"}, "host", "(host '192.0.2.1', port 5060)"),
    ({"host": "[2001:db8::1]"}, "host", "without '[' and ']'"),
    ({"host": "[2001:db8::1]:5060"}, "host", "without '[' and ']'"),
    ({"host": "2001:db8::zz"}, "host", "not a valid IPv6 address"),
    ({"host": "192.0.2.300"}, "host", "not a valid IPv4 address"),
    ({"host": "0.0.0.0"}, "host", "not the address of one host"),
    ({"host": "-bad-.fi"}, "host", "is not a host name or an IP address"),
    ({"host": "ä.fi"}, "host", "is not a host name"),
    ({"host": "a" * 64 + ".fi"}, "host", "is not a host name"),
    ({"host": "operaattori.fi]"}, "host", "must not contain ';', '[' or ']'"),
    ({"host": "operaattori.fi\ntype=aor"}, "host", "control character"),
    ({"host": "operaattori.fi;x"}, "host", "must not contain ';', '[' or ']'"),
    ({"host": "192.0.2.10,0.0.0.0/0"}, "host", "is not a host name or an IP address"),
    ({"host": "192.0.2.0/24"}, "host", "is not a host name or an IP address"),
    ({"port": 0}, "port", "port: must be 1..65535, got 0"),
    ({"port": 65536}, "port", "got 65536"),
    ({"port": "50x"}, "port", "port: must be a whole number, got '50x'"),
    ({"port": True}, "port", "must be a whole number"),
    ({"port": 5060.5}, "port", "must be a whole number"),
    ({"transport": "tls"}, "transport", "transport: must be udp or tcp, got 'tls'"),
    ({"username": None}, "username", "needs the operator's user name"),
    ({"username": "  "}, "username", "needs the operator's user name"),
    ({"username": "matti meikäläinen"}, "username", "holds characters a SIP user name cannot"),
    ({"username": "user@operaattori.fi"}, "username", "allowed are letters, digits"),
    ({"username": "user;x"}, "username", "must not contain ';', '[' or ']'"),
    ({"username": "u" * 129}, "username", "longer than 128 characters"),
    ({"password": ""}, "password", "password: must not be empty"),
    ({"password": " salasana"}, "password", "must not begin or end with a space"),
    ({"password": "sala\nsana"}, "password", "control character"),
    ({"password": "sala;sana"}, "password", "must not contain ';', '[' or ']'"),
    ({"password": "[sala]"}, "password", "must not contain ';', '[' or ']'"),
    ({"password": "x" * 129}, "password", "longer than 128 characters"),
    ({"password": 1234}, "password", "password: must be text"),
    ({"from_domain": "sip:operaattori.fi"}, "from_domain", "from_domain: give the host alone"),
    ({"from_domain": "a]b"}, "from_domain", "from_domain:"),
])
def test_every_bad_value_is_refused_naming_its_field(applied: Counter, overrides: dict,
                                                     field: str, message: str) -> None:
    err = error(registration, applied, **overrides)
    assert err.field == field
    assert message in str(err)
    assert str(err).startswith(f"{field}:")
    assert Trunk.select().count() == 0
    assert applied.calls == 0


@pytest.mark.parametrize(("host", "stored"), [
    ("SIP.Operaattori.FI", "sip.operaattori.fi"),
    ("sip.operaattori.fi.", "sip.operaattori.fi"),
    ("192.0.2.7", "192.0.2.7"),
    (" 2001:DB8:0::1 ", "2001:db8::1"),
    ("localhost", "localhost"),
])
def test_hosts_are_stored_in_one_form(applied: Counter, host: str, stored: str) -> None:
    assert set_trunk("ip", host, changes=by_tester(applied)).host == stored


def test_the_password_is_never_shown(applied: Counter,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    trunk = registration(applied)
    shown = [repr(trunk), repr(trunk_spec()), caplog.text, str(entries())]
    for bad in ("sala;sana", "sala\nsana", " " + PASSWORD):
        shown.append(str(error(registration, applied, password=bad)))
    assert not any(PASSWORD in text or "sala" in text for text in shown), shown
    assert "+358201234567" in caplog.text  # the log says what changed, but the secret


def test_apply_failure_keeps_the_change_and_says_so(applied: Counter) -> None:
    def broken() -> None:
        raise RuntimeError("asterisk.ctl: connection refused")

    with pytest.raises(ApplyFailed) as caught:
        registration(broken)
    assert caught.value.field == "asterisk"
    assert get_trunk().configured is True
    failed, saved = entries(2)
    assert (saved["actor"], saved["action"], saved["target"]) == (
        "tester", "trunk.set", "sip.operaattori.fi")
    assert saved["details"]["password_changed"] is True
    assert (failed["action"], failed["details"]["error"]) == (
        "apply.failed", "asterisk.ctl: connection refused")


def test_check_trunk_is_the_validation_of_set_trunk_and_changes_nothing(
        applied: Counter) -> None:
    """A restored backup's trunk row goes through check_trunk: the values set_trunk stores."""
    values = check_trunk(" Registration ", "SIP.Operaattori.FI.", "5080", "TCP",
                         "+358201234567", PASSWORD, "", dtmf_mode=" INBAND ",
                         default_number="020 1234567", external_address="Vaihde.Example.FI",
                         local_networks="192.168.1.0/24 fd00::/8")
    assert values == {"mode": "registration", "host": "sip.operaattori.fi", "port": 5080,
                      "transport": "tcp", "username": "+358201234567", "password": PASSWORD,
                      "from_domain": None, "operator_addresses": None,
                      "inbound_username": None, "inbound_password": None,
                      "dtmf_mode": "inband", "default_number": "+358201234567",
                      "external_address": "vaihde.example.fi",
                      "local_networks": "192.168.1.0/24,fd00::/8"}
    assert check_trunk("ip", "192.0.2.7", username="x", password="y")["password"] is None
    with pytest.raises(Invalid) as caught:
        check_trunk("ip", "192.0.2.10,0.0.0.0/0")
    assert caught.value.field == "host"
    assert Trunk.select().count() == 0 and applied.calls == 0


# --- where the operator's calls come from, and how they are authenticated -------------------

def test_operator_addresses_are_stored_normalised_and_reach_pjsip(applied: Counter) -> None:
    trunk = set_trunk("ip", "192.0.2.10", operator_addresses=[
        " 198.51.100.0/24", "2001:DB8::/32", "Media.Operaattori.FI.", "192.0.2.11/32",
        "198.51.100.0/24"], changes=by_tester(applied))
    shown = ("198.51.100.0/24", "2001:db8::/32", "media.operaattori.fi", "192.0.2.11")
    assert trunk.operator_addresses == shown
    assert trunk_spec().operator_addresses == shown
    assert trunk_spec().operator_hosts == ("192.0.2.10", *shown)
    # a form that does not know the field keeps what is stored; empty removes them
    assert set_trunk("ip", "192.0.2.10", changes=by_tester(applied)).operator_addresses == shown
    assert set_trunk("ip", "192.0.2.10", operator_addresses="192.0.2.12, 192.0.2.13",
                     changes=by_tester(applied)).operator_addresses == ("192.0.2.12", "192.0.2.13")
    assert set_trunk("ip", "192.0.2.10", operator_addresses=[],
                     changes=by_tester(applied)).operator_addresses == ()


@pytest.mark.parametrize(("bad", "says"), [
    (["0.0.0.0/0"], "wider than /16"),
    (["10.0.0.0/8"], "wider than /16"),
    (["::/0"], "wider than /32"),
    (["192.0.2.10/24"], "the network is 192.0.2.0/24"),
    (["224.0.0.0/24"], "multicast"),
    (["0.0.0.0"], "not the address of one host"),
    (["192.0.2.1,0.0.0.0/0"], "is not an address"),  # a comma splits a text, not a list item
    (["sip:x@192.0.2.1"], "without 'sip:'"),
    (["192.0.2.1:5060"], "port"),
    (["a;b"], "';'"),
    (["x\ny"], "control character"),
    (["x/y"], "is not an address, a network"),
    ([5], "must be text"),
    ("192.0.2.1 " * 17, "at most 16"),
    ({"a": 1}, "must be a list"),
])
def test_hostile_operator_addresses_are_refused_by_name(applied: Counter, bad: object,
                                                         says: str) -> None:
    with pytest.raises(Invalid, match=re.escape(says)) as caught:
        set_trunk("ip", "192.0.2.10", operator_addresses=bad, changes=by_tester(applied))  # type: ignore
    assert caught.value.field == "operator_addresses"
    assert Trunk.select().count() == 0 and applied.calls == 0


def test_inbound_authentication_is_kept_changed_and_turned_off(applied: Counter) -> None:
    trunk = set_trunk("ip", "192.0.2.10", inbound_username="paivystys", inbound_password=PASSWORD,
                      changes=by_tester(applied))
    assert (trunk.inbound_username, trunk.has_inbound_password) == ("paivystys", True)
    assert PASSWORD not in repr(trunk)
    spec = trunk_spec()
    assert (spec.inbound_username, spec.inbound_password, spec.inbound_auth) == (
        "paivystys", PASSWORD, True)
    # kept by a client that does not send it, the password kept when only the name changes
    assert set_trunk("ip", "192.0.2.10", changes=by_tester(applied)).inbound_username == "paivystys"
    assert set_trunk("ip", "192.0.2.10", inbound_username="toinen",
                     changes=by_tester(applied)).has_inbound_password is True
    assert trunk_spec().inbound_password == PASSWORD
    off = set_trunk("ip", "192.0.2.10", inbound_username="", changes=by_tester(applied))
    assert (off.inbound_username, off.has_inbound_password) == (None, False)
    assert Trunk.get().inbound_password is None
    assert trunk_spec().inbound_auth is False


def test_inbound_authentication_needs_a_password_and_a_sane_name(applied: Counter) -> None:
    with pytest.raises(Invalid) as caught:
        set_trunk("ip", "192.0.2.10", inbound_username="paivystys", changes=by_tester(applied))
    assert caught.value.field == "inbound_password"
    for bad_name in ("a b", "x;y", "a@b", "x" * 129, "a\r\nb"):
        with pytest.raises(Invalid) as caught:
            set_trunk("ip", "192.0.2.10", inbound_username=bad_name, inbound_password="x",
                      changes=by_tester(applied))
        assert caught.value.field == "inbound_username", bad_name
    for bad_password in (" x", "x" * 129, "a\nb", "a;b"):
        with pytest.raises(Invalid) as caught:
            set_trunk("ip", "192.0.2.10", inbound_username="ok", inbound_password=bad_password,
                      changes=by_tester(applied))
        assert caught.value.field == "inbound_password"
        assert bad_password not in str(caught.value)
    assert Trunk.select().count() == 0 and applied.calls == 0


# --- any operator: keys, a gateway's default number, NAT --------------------------------------

ON_CALL = "+358201234567"


@pytest.fixture
def on_call_number(applied: Counter) -> str:
    OnCallNumber.create(number=ON_CALL, name="Päivystys")
    return ON_CALL


def gateway(applied: Counter, **overrides: object):
    values: dict[str, object] = {"mode": "gateway", "host": "192.168.1.20",
                                 "default_number": ON_CALL}
    values.update(overrides)
    return set_trunk(**values, changes=by_tester(applied))  # type: ignore[arg-type]


def test_a_gsm_gateway_on_the_lan_sends_its_calls_to_the_default_number(
        applied: Counter, on_call_number: str) -> None:
    trunk = gateway(applied, default_number="020 1234567")
    assert (trunk.mode, trunk.host, trunk.default_number) == ("gateway", "192.168.1.20",
                                                              ON_CALL)
    spec = trunk_spec()
    assert (spec.mode, spec.default_number) == ("gateway", ON_CALL)
    assert "PV_TRUNK_DEFAULT=+358201234567" in render_pjsip(spec)
    # a form that does not know the field keeps it; empty removes it (not from a gateway)
    assert set_trunk("ip", "192.0.2.10", changes=by_tester(applied)).default_number == ON_CALL
    assert set_trunk("ip", "192.0.2.10", default_number="",
                     changes=by_tester(applied)).default_number is None
    err = error(gateway, applied, default_number="")
    assert (err.field, "a GSM gateway sends no number" in str(err)) == ("default_number", True)


@pytest.mark.parametrize(("host", "message"), [
    ("gsm.example.fi", "give the gateway's LAN address"),
    ("192.0.2.10", "192.0.2.10 is not a LAN address"),
    ("8.8.8.8", "is not a LAN address"),
    ("2001:db8::1", "is not a LAN address"),
])
def test_a_gateway_is_at_an_address_of_the_lan(applied: Counter, on_call_number: str,
                                               host: str, message: str) -> None:
    err = error(gateway, applied, host=host)
    assert err.field == "host" and message in str(err)
    assert Trunk.select().count() == 0 and applied.calls == 0


@pytest.mark.parametrize("host", ["10.0.0.5", "172.16.3.4", "192.168.1.20", "fd00::20",
                                  "fe80::1", "127.0.0.1"])
def test_lan_addresses_make_a_gateway(applied: Counter, on_call_number: str, host: str) -> None:
    assert gateway(applied, host=host).host == host


@pytest.mark.parametrize(("number", "message"), [
    ("+358 40", "default_number:"),
    ("not a number", "default_number:"),
    ("+358201234567;type=aor", "default_number:"),
    ("+358201234567\n", "default_number:"),
    (12345, "default_number: must be text"),
    ("+358209999999", "is not an on-call number of this box: add it first"),
])
def test_a_default_number_must_be_an_on_call_number(applied: Counter, on_call_number: str,
                                                    number: object, message: str) -> None:
    err = error(gateway, applied, default_number=number)
    assert err.field == "default_number" and message in str(err)
    assert Trunk.select().count() == 0 and applied.calls == 0


def test_the_dtmf_mode_is_stored_kept_and_applied(applied: Counter) -> None:
    assert get_trunk().dtmf_mode == "rfc4733"
    assert set_trunk("ip", "192.0.2.10", dtmf_mode=" Inband ",
                     changes=by_tester(applied)).dtmf_mode == "inband"
    assert trunk_spec().dtmf_mode == "inband"
    assert set_trunk("ip", "192.0.2.10", changes=by_tester(applied)).dtmf_mode == "inband"
    for bad in ("rfc2833", "", "inband\nallow=all"):
        err = error(set_trunk, "ip", "192.0.2.10", dtmf_mode=bad, changes=by_tester(applied))
        assert err.field == "dtmf_mode"
        assert "must be rfc4733, info, inband or auto" in str(err) or "control" in str(err)


def test_behind_nat_the_external_address_comes_with_the_local_networks(applied: Counter) -> None:
    trunk = set_trunk("ip", "192.0.2.10", external_address=" 203.0.113.5 ",
                      local_networks=["192.168.1.0/24", " 10.0.0.0/8", "192.168.1.0/24"],
                      changes=by_tester(applied))
    assert (trunk.external_address, trunk.local_networks) == (
        "203.0.113.5", ("192.168.1.0/24", "10.0.0.0/8"))
    text = render_pjsip(trunk_spec())
    assert "external_media_address=203.0.113.5" in text and "local_net=10.0.0.0/8" in text
    kept = set_trunk("ip", "192.0.2.10", changes=by_tester(applied))
    assert (kept.external_address, kept.local_networks) == (trunk.external_address,
                                                            trunk.local_networks)
    cleared = set_trunk("ip", "192.0.2.10", external_address="", local_networks=[],
                        changes=by_tester(applied))
    assert (cleared.external_address, cleared.local_networks) == (None, ())
    err = error(set_trunk, "ip", "192.0.2.10", external_address="vaihde.example.fi",
                changes=by_tester(applied))
    assert err.field == "local_networks" and "give the office networks" in str(err)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"external_address": "sip:203.0.113.5"}, "external_address", "give the host alone"),
    ({"external_address": "203.0.113.5:5060"}, "external_address", "port in its own field"),
    ({"external_address": "203.0.113.5,0.0.0.0"}, "external_address", "is not a host name"),
    ({"external_address": "x]\n[y"}, "external_address", "control character"),
    ({"local_networks": ["192.168.1.0/24,0.0.0.0/0"]}, "local_networks", "is not a network"),
    ({"local_networks": ["192.168.1.1/24"]}, "local_networks", "bits set past its prefix"),
    ({"local_networks": ["lan"]}, "local_networks", "is not a network"),
    ({"local_networks": ["224.0.0.0/4"]}, "local_networks", "not a network of hosts"),
    ({"local_networks": ["0.0.0.0/32"]}, "local_networks", "not a network of hosts"),
    ({"local_networks": ["10.0.0.0/8;x"]}, "local_networks", "must not contain ';'"),
    ({"local_networks": [f"10.0.{i}.0/24" for i in range(17)]}, "local_networks", "at most 16"),
    ({"local_networks": 5}, "local_networks", "must be a list"),
])
def test_bad_nat_settings_are_refused_naming_their_field(applied: Counter, overrides: dict,
                                                         field: str, message: str) -> None:
    values = {"external_address": "203.0.113.5", "local_networks": ["192.168.1.0/24"],
              **overrides}
    err = error(set_trunk, "ip", "192.0.2.10", changes=by_tester(applied), **values)
    assert err.field == field and message in str(err), str(err)
    assert Trunk.select().count() == 0 and applied.calls == 0
