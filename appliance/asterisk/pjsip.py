"""The appliance's pjsip.conf: one SIP trunk towards the phone network, and nothing else.

The trunk is either IP-authenticated (the operator knows the box by its address: an endpoint
whose contact is the operator) or a registration (the box registers with a user name and
password and answers the operator's challenges with them).  Lab mode and tests use
:data:`LAB_TRUNK`, the simulated carrier on loopback; :mod:`paivystys.appliance.trunk` stores
and validates a real operator's trunk.

Who may call in: a request is the trunk's only when it comes from one of the operator's
addresses (the trunk's host and the operator addresses it lists), whatever its From header
says, and, when the operator authenticates its calls, only after answering Asterisk's digest
challenge.  The trunk is the only endpoint and there is no anonymous one, so Asterisk refuses
a request from anywhere else (401, then 401/403 to its answer) before any dialplan runs and
reports it as a security event (see :mod:`paivystys.appliance.sipguard`).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

ENDPOINT = "trunk"  # the endpoint, aor and registration sections' name
MODE_IP = "ip"
MODE_REGISTRATION = "registration"
MODES = (MODE_IP, MODE_REGISTRATION)
TRANSPORTS = ("udp", "tcp")

# A failed registration (operator down, network cut, wrong password) is retried for ever: an
# unattended box that gave up would stay unreachable until someone reloads it.  Asterisk's
# defaults stop after 10 attempts and never retry a 403, another final refusal or a rejected
# password.
REGISTRATION_RETRY_S = 60
REGISTRATION_REFUSED_RETRY_S = 300  # after a 403 or another final refusal (404, ...)
REGISTRATION_MAX_RETRIES = 1_000_000  # one a minute: about two years
# Short enough that a restarted operator switch learns the box's contact again within minutes.
REGISTRATION_EXPIRATION_S = 600

# pjsip.conf syntax a value must not hold: ';' starts a comment, '[' and ']' make a section
# header (and a line break ends the value).  The trunk service refuses them with a message
# naming the field; rendering refuses them again, for a database edited by hand.
CONF_SYNTAX = (";", "[", "]")


@dataclass(frozen=True, kw_only=True)
class TrunkSpec:
    """The trunk as pjsip.conf needs it, password included (never in its repr)."""

    mode: str = MODE_IP
    host: str
    port: int = 5060
    transport: str = "udp"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    from_domain: str | None = None
    # Further addresses, networks (CIDR) or host names the operator sends calls from, besides
    # ``host``; calls from them are the trunk's.
    operator_addresses: tuple[str, ...] = ()
    # The user name and password the operator answers our challenge with, when it
    # authenticates its calls to us; None: calls are identified by address alone.
    inbound_username: str | None = None
    inbound_password: str | None = field(default=None, repr=False)
    # Changes whenever the stored trunk is saved.  It names the auth section, so that new
    # credentials make a new registration: a reload registers a changed registration at once
    # but keeps an unchanged one (and its old state) until its next refresh.
    revision: int = 0

    @property
    def auth_name(self) -> str:
        return f"{ENDPOINT}-auth-{self.revision}"

    @property
    def inbound_auth_name(self) -> str:
        return f"{ENDPOINT}-inbound-auth-{self.revision}"

    @property
    def inbound_auth(self) -> bool:
        return bool(self.inbound_username and self.inbound_password)

    @property
    def operator_hosts(self) -> tuple[str, ...]:
        """Every address, network or name calls from the operator come from."""
        return tuple(dict.fromkeys((self.host, *self.operator_addresses)))


@dataclass(frozen=True)
class SipBind:
    """Where the appliance itself listens for SIP (and sends media from)."""

    host: str
    port: int


LAB_TRUNK = TrunkSpec(mode=MODE_IP, host="127.0.0.1", port=5070)
# Loopback: the lab's network namespace has nothing else.  A box on a real LAN needs its own
# address here (and an IPv4 bind cannot reach an IPv6 trunk); the trunk settings do not
# change it.
APPLIANCE_BIND = SipBind(host="127.0.0.1", port=5060)


def _uri_host(host: str) -> str:
    """``host`` as it goes into a SIP URI: an IPv6 literal in brackets."""
    try:
        is_ipv6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        is_ipv6 = False
    return f"[{host}]" if is_ipv6 else host


def _check_conf_text(name: str, value: str | None) -> None:
    if value is not None and any(char in value for char in (*CONF_SYNTAX, "\n", "\r")):
        raise ValueError(f"trunk {name} holds a character pjsip.conf cannot carry")


def render_pjsip(trunk: TrunkSpec, bind: SipBind = APPLIANCE_BIND) -> str:
    for name in ("host", "username", "password", "from_domain", "inbound_username",
                 "inbound_password"):
        _check_conf_text(name, getattr(trunk, name))
    for address in trunk.operator_addresses:
        _check_conf_text("operator address", address)
    for address in trunk.operator_hosts:
        # match= takes a comma-separated list: a comma would let one value name any network
        # (a host "192.0.2.10,0.0.0.0/0" would match every address).
        if not address or any(char == "," or char.isspace() for char in address):
            raise ValueError(f"trunk address {address!r} is not one address, network or name")
    if trunk.mode not in MODES:
        raise ValueError(f"trunk mode must be one of {', '.join(MODES)}, not {trunk.mode!r}")
    if trunk.transport not in TRANSPORTS:
        raise ValueError(f"trunk transport must be one of {', '.join(TRANSPORTS)}, "
                         f"not {trunk.transport!r}")
    registration = trunk.mode == MODE_REGISTRATION
    if registration and not (trunk.username and trunk.password):
        raise ValueError("a registration trunk needs a username and a password")
    if bool(trunk.inbound_username) != bool(trunk.inbound_password):
        raise ValueError("inbound authentication needs both a username and a password")
    transport = f"transport-{trunk.transport}"
    # Only UDP unless the trunk uses TCP: no listening socket nobody needs.
    transports = [_transport("udp", bind)]
    if trunk.transport == "tcp":
        transports.append(_transport("tcp", bind))
    # The URI parameter makes requests (and their replies) go over the TCP connection.
    uri_suffix = ";transport=tcp" if trunk.transport == "tcp" else ""
    server_uri = f"sip:{_uri_host(trunk.host)}:{trunk.port}{uri_suffix}"
    sections = [_HEADER, *transports,
                _endpoint(trunk, transport, bind),
                f"[{ENDPOINT}]\ntype=aor\ncontact={server_uri}\nqualify_frequency=0\n",
                _identify(trunk)]
    if trunk.inbound_auth:
        sections.append(_inbound_auth(trunk))
    if registration:
        sections += [_registration(trunk, transport, server_uri), _auth(trunk)]
    return "\n".join(sections)


_HEADER = """\
; Generated by Päivystysvaihde from its database. Do not edit: changes are lost.
[global]
type=global
user_agent=Paivystysvaihde
; no network card in the namespace: never look anything up
default_realm=paivystysvaihde
; Requests are matched to the trunk by their source address only.  (Identifiers of loaded
; modules that are not named here still run after it; the trunk's identify_by=ip keeps
; them from ever choosing the trunk.)
endpoint_identifier_order=ip
"""


def _transport(protocol: str, bind: SipBind) -> str:
    return (f"[transport-{protocol}]\ntype=transport\nprotocol={protocol}\n"
            f"bind={bind.host}:{bind.port}\n")


def _endpoint(trunk: TrunkSpec, transport: str, bind: SipBind) -> str:
    lines = [
        f"[{ENDPOINT}]",
        "type=endpoint",
        f"transport={transport}",
        # only the operator's addresses make a request the trunk's: never its From user
        "identify_by=ip",
        "context=pv-inbound",
        "disallow=all",
        "allow=alaw,ulaw",
        "dtmf_mode=rfc4733",
        "direct_media=no",
        "rtp_symmetric=yes",
        f"media_address={bind.host}",
        "bind_rtp_to_media_address=yes",
        "send_pai=yes",
        "trust_id_outbound=yes",
        f"aors={ENDPOINT}",
        # The operator has no business subscribing to the box or moving a call elsewhere.
        "allow_subscribe=no",
        "allow_transfer=no",
    ]
    if trunk.inbound_auth:
        # Even from the operator's address, a call is taken only once the operator answered
        # our digest challenge: a forged source address alone gets nowhere.
        lines.append(f"auth={trunk.inbound_auth_name}")
    if trunk.mode == MODE_REGISTRATION:
        # The operator challenges calls as it challenges the registration, and knows the
        # account by the From user (the original caller travels in P-Asserted-Identity).
        lines += [f"outbound_auth={trunk.auth_name}", f"from_user={trunk.username}"]
    from_domain = trunk.from_domain or (trunk.host if trunk.mode == MODE_REGISTRATION else None)
    if from_domain:
        lines.append(f"from_domain={from_domain}")
    return "\n".join(lines) + "\n"


def _registration(trunk: TrunkSpec, transport: str, server_uri: str) -> str:
    domain = _uri_host(trunk.from_domain or trunk.host)
    return f"""\
[{ENDPOINT}]
type=registration
transport={transport}
outbound_auth={trunk.auth_name}
server_uri={server_uri}
client_uri=sip:{trunk.username}@{domain}
; calls come to sip:<username>@<this box>: the dialplan gets the account (often the number)
contact_user={trunk.username}
retry_interval={REGISTRATION_RETRY_S}
forbidden_retry_interval={REGISTRATION_REFUSED_RETRY_S}
fatal_retry_interval={REGISTRATION_REFUSED_RETRY_S}
auth_rejection_permanent=no
max_retries={REGISTRATION_MAX_RETRIES}
expiration={REGISTRATION_EXPIRATION_S}
; one registration: nothing to spread out, and the admin sees the result at once
max_random_initial_delay=0
; Neither line=yes nor endpoint=: with them Asterisk takes a request for the trunk's from
; any address that puts the registration's line parameter in it (that identifier runs before
; all others and ignores identify_by).  Calls are the trunk's by address only.
"""


def identify_name(host: str) -> str:
    """The identify section of one operator address, named by the address itself: a changed
    address is a new section, never an old one kept under the same name."""
    return f"{ENDPOINT}-from-{hashlib.sha256(host.encode()).hexdigest()[:12]}"


def _identify(trunk: TrunkSpec) -> str:
    # One section per address.  A host name is resolved (A, AAAA, SRV) when pjsip.conf is
    # loaded; one that does not resolve fails its whole section (Asterisk then keeps the
    # section's previous version, or has none), so it must not take the others with it.
    return "\n".join(f"; {host}\n[{identify_name(host)}]\ntype=identify\nendpoint={ENDPOINT}\n"
                     f"match={host}\n" for host in trunk.operator_hosts)


def _inbound_auth(trunk: TrunkSpec) -> str:
    return f"""\
[{trunk.inbound_auth_name}]
type=auth
auth_type=userpass
username={trunk.inbound_username}
password={trunk.inbound_password}
"""


def _auth(trunk: TrunkSpec) -> str:
    return f"""\
[{trunk.auth_name}]
type=auth
auth_type=userpass
username={trunk.username}
password={trunk.password}
"""
