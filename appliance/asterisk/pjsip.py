"""The appliance's pjsip.conf: one SIP trunk towards the phone network, and nothing else.

The trunk is IP-authenticated (the operator knows the box by its address: an endpoint whose
contact is the operator), a registration (the box registers with a user name and password and
answers the operator's challenges with them) or a GSM-to-SIP gateway on the LAN (an
IP-authenticated trunk to a small box that turns GSM calls into SIP; it often sends no usable
dialled number, so its calls go to a default on-call number).  Lab mode and tests use
:data:`LAB_TRUNK`, the simulated carrier on loopback; :mod:`paivystys.appliance.trunk` stores
and validates a real operator's trunk.

What the dialplan needs to know of the trunk travels on the trunk's own channels (``set_var``,
see :func:`channel_variables`): a trunk change then reaches the next call with a reload of
pjsip.conf alone.

Who may call in: a request is the trunk's only when it comes from one of the operator's
addresses (the trunk's host and the operator addresses it lists), whatever its From header
says, and, when the operator authenticates its calls, only after answering Asterisk's digest
challenge.  The trunk is the only endpoint and there is no anonymous one, so Asterisk refuses
a request from anywhere else (401, then 401/403 to its answer) before any dialplan runs and
reports it as a security event (see :mod:`paivystys.appliance.sipguard`).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from dataclasses import dataclass, field

from paivystys.appliance.asterisk import variables as v

ENDPOINT = "trunk"  # the endpoint, aor and registration sections' name
MODE_IP = "ip"
MODE_REGISTRATION = "registration"
MODE_GATEWAY = "gateway"  # a GSM-to-SIP gateway on the LAN: IP-authenticated
MODES = (MODE_IP, MODE_REGISTRATION, MODE_GATEWAY)
TRANSPORTS = ("udp", "tcp")
# How the operator sends a pressed key: RTP events (RFC 4733), SIP INFO, as tones in the audio
# (in-band), or auto (RFC 4733 when the peer offers it, else in-band).
DTMF_RFC4733 = "rfc4733"
DTMF_INFO = "info"
DTMF_INBAND = "inband"
DTMF_AUTO = "auto"
DTMF_MODES = (DTMF_RFC4733, DTMF_INFO, DTMF_INBAND, DTMF_AUTO)
# The modes in which a key press may arrive as tones in the audio, which a voicemail greeting
# can play too: the dialplan then takes a digit only once its prompt has ended.
DTMF_MAY_BE_AUDIO = (DTMF_INBAND, DTMF_AUTO)
# Offered in this order on the calls the box places; on a call from the operator the operator's
# order decides.  G.711 A-law first (Finnish networks' own), then mu-law, G.722 (wideband) and
# Opus (Debian's asterisk-modules has the libopus transcoder, codec_opus_open_source).
CODECS = ("alaw", "ulaw", "g722", "opus")
# An on-call number as the trunk settings carry it: E.164.
E164 = re.compile(r"\+[1-9][0-9]{5,14}")

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
    dtmf_mode: str = DTMF_RFC4733
    # The on-call number (E.164) a call goes to when it names no number the box knows: a GSM
    # gateway sends none, or its own port name, or a form nobody configured.  None: such a call
    # is refused (the caller hears that the number is not in use).
    default_number: str | None = None
    # Behind the office router (NAT): the router's public address or host name, given to the
    # operator in SIP and SDP instead of the box's own, and the networks the box reaches
    # directly, which keep hearing the box's own address.
    external_address: str | None = None
    local_networks: tuple[str, ...] = ()
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
# Loopback: the lab's network namespace has nothing else.  The box binds every address
# (render_pjsip's ``bind_host``); the trunk settings do not change it.
APPLIANCE_BIND = SipBind(host="127.0.0.1", port=5060)


def channel_variables(trunk: TrunkSpec) -> dict[str, str]:
    """What the dialplan reads of the trunk, set on each of its channels.  Every value is ours
    and checked: base64, or an E.164 number."""
    variables = {}
    if trunk.mode == MODE_REGISTRATION and trunk.username:
        # The operator calls the registration's contact, sip:<username>@box, and puts the
        # number dialled in To.  Base64: the dialplan compares the request's user, which may
        # hold any text, with it without ever reading either as an expression.
        variables[v.TRUNK_ACCOUNT64] = base64.b64encode(trunk.username.encode()).decode()
    if trunk.default_number:
        variables[v.TRUNK_DEFAULT_NUMBER] = trunk.default_number
    return variables


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


def render_pjsip(trunk: TrunkSpec, bind_host: str = APPLIANCE_BIND.host) -> str:
    """pjsip.conf for ``trunk``, SIP listening on ``bind_host`` (an address; 0.0.0.0 or ::
    for every address of the box) at the appliance's port."""
    for name in ("host", "username", "password", "from_domain", "inbound_username",
                 "inbound_password", "external_address"):
        _check_conf_text(name, getattr(trunk, name))
    for address in trunk.operator_addresses:
        _check_conf_text("operator address", address)
    try:
        bind_address = ipaddress.ip_address(bind_host)
    except ValueError:
        raise ValueError(f"the SIP bind address must be an IP address, not {bind_host!r}") \
            from None
    if trunk.dtmf_mode not in DTMF_MODES:
        raise ValueError(f"trunk DTMF mode must be one of {', '.join(DTMF_MODES)}, "
                         f"not {trunk.dtmf_mode!r}")
    if trunk.default_number is not None and not E164.fullmatch(trunk.default_number):
        raise ValueError(f"trunk default number {trunk.default_number!r} is not an E.164 number")
    if trunk.external_address is not None and (
            not trunk.external_address or any(c == "," or c.isspace()
                                              for c in trunk.external_address)):
        raise ValueError(f"trunk external address {trunk.external_address!r} is not one address "
                         "or name")
    for network in trunk.local_networks:
        try:
            ipaddress.ip_network(network)
        except ValueError:
            raise ValueError(f"trunk local network {network!r} is not a network (CIDR)") \
                from None
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
    bind = SipBind(str(bind_address), APPLIANCE_BIND.port)
    transport = f"transport-{trunk.transport}"
    # Only UDP unless the trunk uses TCP: no listening socket nobody needs.
    transports = [_transport("udp", bind, trunk)]
    if trunk.transport == "tcp":
        transports.append(_transport("tcp", bind, trunk))
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


def _transport(protocol: str, bind: SipBind, trunk: TrunkSpec) -> str:
    host = _uri_host(bind.host)
    lines = [f"[transport-{protocol}]", "type=transport", f"protocol={protocol}",
             f"bind={host}:{bind.port}"]
    if trunk.external_address:
        # Requests, answers and SDP towards anything outside the local networks carry the
        # router's public address; Asterisk resolves a host name when the file is loaded.
        lines += [f"external_signaling_address={trunk.external_address}",
                  f"external_media_address={trunk.external_address}"]
        lines += [f"local_net={network}" for network in trunk.local_networks]
    return "\n".join(lines) + "\n"


def _is_wildcard(bind: SipBind) -> bool:
    return ipaddress.ip_address(bind.host).is_unspecified


def _endpoint(trunk: TrunkSpec, transport: str, bind: SipBind) -> str:
    lines = [
        f"[{ENDPOINT}]",
        "type=endpoint",
        f"transport={transport}",
        # only the operator's addresses make a request the trunk's: never its From user
        "identify_by=ip",
        f"context={v.CONTEXT_INBOUND}",
        "disallow=all",
        f"allow={','.join(CODECS)}",
        f"dtmf_mode={trunk.dtmf_mode}",
        "direct_media=no",
        "rtp_symmetric=yes",
    ]
    if not _is_wildcard(bind):
        # RTP from the one address SIP listens on; bound to every address, Asterisk says
        # which one the route to the peer leaves from (or the external address, behind NAT).
        lines += [f"media_address={bind.host}", "bind_rtp_to_media_address=yes"]
    lines += [
        "send_pai=yes",
        "trust_id_outbound=yes",
        f"aors={ENDPOINT}",
        # The operator has no business subscribing to the box or moving a call elsewhere.
        "allow_subscribe=no",
        "allow_transfer=no",
    ]
    lines += [f"set_var={name}={value}" for name, value in channel_variables(trunk).items()]
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
