"""pjsip.conf rendered from the trunk: the lab's IP trunk as before, a registration trunk, TCP,
IPv6 and a password with characters Asterisk's parser could trip on; a GSM gateway, codecs,
DTMF modes, NAT and where SIP binds."""

from __future__ import annotations

import base64
import re

import pytest

from paivystys.appliance.asterisk.pjsip import (
    LAB_TRUNK,
    TrunkSpec,
    channel_variables,
    identify_name,
    render_pjsip,
)

PASSWORD = 'p#a"ss \\x'
REGISTRATION = TrunkSpec(mode="registration", host="sip.operaattori.fi", port=5060,
                         username="+358201234567", password=PASSWORD, revision=17)


def sections(conf: str) -> dict[tuple[str, str], dict[str, str]]:
    """(name, type) -> settings; comments dropped as Asterisk drops them."""
    result: dict[tuple[str, str], dict[str, str]] = {}
    for block in re.split(r"^(?=\[)", conf, flags=re.MULTILINE):
        lines = [line for line in block.splitlines() if line and not line.startswith(";")]
        if not lines:
            continue
        name = lines[0].strip("[]")
        settings = dict(line.split("=", 1) for line in lines[1:])
        key = (name, settings["type"])
        assert key not in result, f"{key} defined twice"
        result[key] = settings
    return result


def matches(conf: str) -> list[str]:
    """What the trunk's identify sections match, in order; each names its address."""
    found = []
    for (name, kind), settings in sections(conf).items():
        if kind == "identify":
            assert settings["endpoint"] == "trunk"
            assert name == identify_name(settings["match"])
            found.append(settings["match"])
    return found


def test_lab_trunk_is_the_ip_trunk_to_the_simulated_carrier() -> None:
    conf = sections(render_pjsip(LAB_TRUNK))
    assert set(conf) == {("global", "global"), ("transport-udp", "transport"),
                         ("trunk", "endpoint"), ("trunk", "aor"),
                         (identify_name("127.0.0.1"), "identify")}
    assert conf["transport-udp", "transport"]["bind"] == "127.0.0.1:5060"
    endpoint = conf["trunk", "endpoint"]
    assert endpoint["transport"] == "transport-udp"
    assert endpoint["context"] == "pv-inbound"
    assert "outbound_auth" not in endpoint
    assert "from_domain" not in endpoint
    assert conf["trunk", "aor"]["contact"] == "sip:127.0.0.1:5070"
    assert matches(render_pjsip(LAB_TRUNK)) == ["127.0.0.1"]


def test_registration_trunk_registers_and_answers_challenges() -> None:
    conf = sections(render_pjsip(REGISTRATION))
    auth = conf["trunk-auth-17", "auth"]
    assert auth == {"type": "auth", "auth_type": "userpass", "username": "+358201234567",
                    "password": PASSWORD}
    registration = conf["trunk", "registration"]
    assert registration["outbound_auth"] == "trunk-auth-17"
    assert registration["server_uri"] == "sip:sip.operaattori.fi:5060"
    assert registration["client_uri"] == "sip:+358201234567@sip.operaattori.fi"
    assert registration["contact_user"] == "+358201234567"
    assert registration["transport"] == "transport-udp"
    assert registration["max_random_initial_delay"] == "0"
    # no line parameter: it would take calls for the trunk from any address that knows it
    assert "line" not in registration and "endpoint" not in registration
    for key in ("retry_interval", "forbidden_retry_interval", "fatal_retry_interval",
                "expiration", "max_retries"):
        assert int(registration[key]) > 0, key
    assert registration["auth_rejection_permanent"] == "no"
    endpoint = conf["trunk", "endpoint"]
    assert endpoint["outbound_auth"] == "trunk-auth-17"
    assert endpoint["from_user"] == "+358201234567"
    assert endpoint["from_domain"] == "sip.operaattori.fi"
    assert conf["trunk", "aor"]["contact"] == "sip:sip.operaattori.fi:5060"
    assert matches(render_pjsip(REGISTRATION)) == ["sip.operaattori.fi"]


def test_from_domain_goes_to_from_headers_and_the_registered_address() -> None:
    trunk = TrunkSpec(**{**vars(REGISTRATION), "from_domain": "operaattori.fi"})
    conf = sections(render_pjsip(trunk))
    assert conf["trunk", "endpoint"]["from_domain"] == "operaattori.fi"
    assert conf["trunk", "registration"]["client_uri"] == "sip:+358201234567@operaattori.fi"
    ip_trunk = sections(render_pjsip(TrunkSpec(host="192.0.2.10", from_domain="operaattori.fi")))
    assert ip_trunk["trunk", "endpoint"]["from_domain"] == "operaattori.fi"


def test_tcp_trunk_gets_a_tcp_transport_and_uris() -> None:
    trunk = TrunkSpec(**{**vars(REGISTRATION), "transport": "tcp", "port": 5080})
    conf = sections(render_pjsip(trunk))
    assert conf["transport-tcp", "transport"] == {"type": "transport", "protocol": "tcp",
                                                  "bind": "127.0.0.1:5060"}
    assert ("transport-udp", "transport") in conf
    assert conf["trunk", "endpoint"]["transport"] == "transport-tcp"
    assert conf["trunk", "registration"]["transport"] == "transport-tcp"
    uri = "sip:sip.operaattori.fi:5080;transport=tcp"
    assert conf["trunk", "registration"]["server_uri"] == uri
    assert conf["trunk", "aor"]["contact"] == uri


def test_ipv6_host_is_bracketed_in_uris_only() -> None:
    conf = sections(render_pjsip(TrunkSpec(host="2001:db8::1")))
    assert conf["trunk", "aor"]["contact"] == "sip:[2001:db8::1]:5060"
    assert matches(render_pjsip(TrunkSpec(host="2001:db8::1"))) == ["2001:db8::1"]


def test_the_password_is_not_in_the_specs_repr() -> None:
    assert PASSWORD not in repr(REGISTRATION)


@pytest.mark.parametrize("field", ["host", "username", "password", "from_domain",
                                   "inbound_username", "inbound_password"])
@pytest.mark.parametrize("bad", [";x", "a\nb", "[x]"])
def test_values_that_would_break_the_file_are_refused(field: str, bad: str) -> None:
    trunk = TrunkSpec(**{**vars(REGISTRATION), field: f"ok{bad}"})
    with pytest.raises(ValueError, match=f"trunk {field} holds a character"):
        render_pjsip(trunk)


def test_a_registration_without_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a username and a password"):
        render_pjsip(TrunkSpec(**{**vars(REGISTRATION), "password": None}))


# --- the SIP edge: who may call in ------------------------------------------------------------

@pytest.mark.parametrize("trunk", [LAB_TRUNK, REGISTRATION], ids=["ip", "registration"])
def test_the_trunk_is_identified_by_address_only_and_is_the_only_endpoint(
        trunk: TrunkSpec) -> None:
    text = render_pjsip(trunk)
    conf = sections(text)
    assert conf["global", "global"]["endpoint_identifier_order"] == "ip"
    endpoint = conf["trunk", "endpoint"]
    assert endpoint["identify_by"] == "ip"  # never by the From user
    assert endpoint["context"] == "pv-inbound"
    assert (endpoint["allow_subscribe"], endpoint["allow_transfer"]) == ("no", "no")
    assert "auth" not in endpoint  # the operator does not authenticate unless set
    assert [key for key in conf if key[1] == "endpoint"] == [("trunk", "endpoint")]
    assert "anonymous" not in text
    assert matches(text) == [trunk.host]


def test_operator_addresses_are_matched_one_section_each() -> None:
    trunk = TrunkSpec(**{**vars(REGISTRATION),
                         "operator_addresses": ("198.51.100.0/24", "2001:db8::/32",
                                                "media.operaattori.fi", "sip.operaattori.fi")})
    assert matches(render_pjsip(trunk)) == ["sip.operaattori.fi", "198.51.100.0/24",
                                            "2001:db8::/32", "media.operaattori.fi"]


def test_inbound_authentication_challenges_the_operator() -> None:
    trunk = TrunkSpec(host="192.0.2.10", inbound_username="paivystys",
                      inbound_password=PASSWORD, revision=5)
    conf = sections(render_pjsip(trunk))
    assert conf["trunk", "endpoint"]["auth"] == "trunk-inbound-auth-5"
    assert conf["trunk-inbound-auth-5", "auth"] == {
        "type": "auth", "auth_type": "userpass", "username": "paivystys", "password": PASSWORD}
    assert "outbound_auth" not in conf["trunk", "endpoint"]
    assert PASSWORD not in repr(trunk)
    with_registration = sections(render_pjsip(TrunkSpec(**{
        **vars(REGISTRATION), "inbound_username": "paivystys", "inbound_password": "toinen"})))
    assert with_registration["trunk", "endpoint"]["auth"] == "trunk-inbound-auth-17"
    assert with_registration["trunk", "endpoint"]["outbound_auth"] == "trunk-auth-17"


def test_half_an_inbound_authentication_is_refused() -> None:
    with pytest.raises(ValueError, match="needs both"):
        render_pjsip(TrunkSpec(host="192.0.2.10", inbound_username="paivystys"))


@pytest.mark.parametrize("field", ["host", "operator_addresses"])
@pytest.mark.parametrize("bad", ["192.0.2.10,0.0.0.0/0", "192.0.2.10 0.0.0.0/0", "",
                                 "x;y", "x\nmatch=0.0.0.0/0"])
def test_an_address_that_would_name_more_than_itself_is_refused(field: str, bad: str) -> None:
    value = (bad,) if field == "operator_addresses" else bad
    with pytest.raises(ValueError, match="trunk"):
        render_pjsip(TrunkSpec(**{**vars(LAB_TRUNK), field: value}))


# --- any operator: codecs, keys, a registration's number, a gateway, NAT ----------------------

def lines_of(conf: str, name: str, kind: str, key: str) -> list[str]:
    """Every value of ``key`` in a section (set_var and local_net may repeat)."""
    for block in re.split(r"^(?=\[)", conf, flags=re.MULTILINE):
        lines = [line for line in block.splitlines() if line and not line.startswith(";")]
        if lines and lines[0] == f"[{name}]" and f"type={kind}" in lines:
            return [line.split("=", 1)[1] for line in lines if line.startswith(f"{key}=")]
    raise AssertionError(f"no [{name}] of type {kind}")


def test_the_trunk_offers_g711_g722_and_opus_and_takes_keys_the_operators_way() -> None:
    endpoint = sections(render_pjsip(LAB_TRUNK))["trunk", "endpoint"]
    assert endpoint["allow"] == "alaw,ulaw,g722,opus"
    assert endpoint["dtmf_mode"] == "rfc4733"
    for mode in ("rfc4733", "info", "inband", "auto"):
        trunk = TrunkSpec(**{**vars(LAB_TRUNK), "dtmf_mode": mode})
        assert sections(render_pjsip(trunk))["trunk", "endpoint"]["dtmf_mode"] == mode


def test_a_registration_tells_the_dialplan_its_account_in_base64() -> None:
    trunk = TrunkSpec(**{**vars(REGISTRATION), "username": "vaihde=1,(x)"})
    text = render_pjsip(trunk)
    assert lines_of(text, "trunk", "endpoint", "set_var") == [
        f"PV_TRUNK_ACCOUNT64={base64.b64encode(b'vaihde=1,(x)').decode()}"]
    assert channel_variables(trunk) == {
        "PV_TRUNK_ACCOUNT64": base64.b64encode(b"vaihde=1,(x)").decode()}
    # an IP trunk has no account: the request's user is the number
    assert lines_of(render_pjsip(LAB_TRUNK), "trunk", "endpoint", "set_var") == []


def test_a_gateway_is_an_ip_trunk_whose_unknown_calls_go_to_its_default_number() -> None:
    gateway = TrunkSpec(mode="gateway", host="192.168.1.20", default_number="+358201234567")
    text = render_pjsip(gateway)
    conf = sections(text)
    assert ("trunk", "registration") not in conf
    assert "outbound_auth" not in conf["trunk", "endpoint"]
    assert conf["trunk", "aor"]["contact"] == "sip:192.168.1.20:5060"
    assert matches(text) == ["192.168.1.20"]
    assert lines_of(text, "trunk", "endpoint", "set_var") == [
        "PV_TRUNK_DEFAULT=+358201234567"]


@pytest.mark.parametrize("number", ["0201234567", "+358 20 123", "+358201234567,x", ""])
def test_a_default_number_that_is_not_e164_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match="default number"):
        render_pjsip(TrunkSpec(**{**vars(LAB_TRUNK), "default_number": number}))


def test_behind_nat_every_transport_gives_the_external_address_outside_the_local_nets() -> None:
    trunk = TrunkSpec(**{**vars(REGISTRATION), "transport": "tcp",
                         "external_address": "vaihde.example.fi",
                         "local_networks": ("192.168.1.0/24", "fd00::/8")})
    text = render_pjsip(trunk)
    for transport in ("transport-udp", "transport-tcp"):
        for key in ("external_signaling_address", "external_media_address"):
            assert lines_of(text, transport, "transport", key) == ["vaihde.example.fi"]
        assert lines_of(text, transport, "transport", "local_net") == ["192.168.1.0/24",
                                                                       "fd00::/8"]
    plain = render_pjsip(REGISTRATION)
    assert "external_" not in plain and "local_net" not in plain


@pytest.mark.parametrize(("field", "value"), [
    ("external_address", "203.0.113.5,0.0.0.0"), ("external_address", "a b"),
    ("external_address", "x;y"), ("external_address", ""),
    ("local_networks", ("192.168.1.0/24,0.0.0.0/0",)), ("local_networks", ("lan",)),
    ("dtmf_mode", "rfc2833"), ("dtmf_mode", "inband\nallow=all"),
])
def test_nat_and_key_settings_that_would_break_the_file_are_refused(field: str,
                                                                    value: object) -> None:
    with pytest.raises(ValueError, match="trunk"):
        render_pjsip(TrunkSpec(**{**vars(LAB_TRUNK), field: value}))


def test_sip_binds_where_the_deployment_says_and_rtp_follows_a_fixed_address() -> None:
    lab = sections(render_pjsip(LAB_TRUNK))
    assert lab["transport-udp", "transport"]["bind"] == "127.0.0.1:5060"
    assert (lab["trunk", "endpoint"]["media_address"],
            lab["trunk", "endpoint"]["bind_rtp_to_media_address"]) == ("127.0.0.1", "yes")
    # every address of the box: RTP too, from the address the route to the peer leaves from
    box = sections(render_pjsip(LAB_TRUNK, bind_host="0.0.0.0"))
    assert box["transport-udp", "transport"]["bind"] == "0.0.0.0:5060"
    assert "media_address" not in box["trunk", "endpoint"]
    assert "bind_rtp_to_media_address" not in box["trunk", "endpoint"]
    lan = sections(render_pjsip(LAB_TRUNK, bind_host="192.168.1.10"))
    assert lan["trunk", "endpoint"]["media_address"] == "192.168.1.10"
    six = sections(render_pjsip(TrunkSpec(host="2001:db8::1"), bind_host="::"))
    assert six["transport-udp", "transport"]["bind"] == "[::]:5060"
    for bad in ("", "box.local", "0.0.0.0:5060", "127.0.0.1\nbind=0.0.0.0"):
        with pytest.raises(ValueError, match="bind address"):
            render_pjsip(LAB_TRUNK, bind_host=bad)
