"""The SIP trunk's settings: read, validated change, reset.

One row (``Trunk``, id 1).  Without it the appliance uses the lab's trunk: IP-authenticated,
the simulated carrier at 127.0.0.1:5070 over UDP.  On a real box that address is nothing: a
fresh box reaches no phone network until an admin sets the operator's trunk, which is why
:class:`TrunkSettings` says whether a trunk was ``configured``.

Every change is checked completely before anything is written (an :class:`Invalid` names the
field and says what was wrong), written in one transaction with its audit row, then applied:
pjsip.conf is regenerated and res_pjsip reloaded, which calls in progress survive.  The
passwords are never returned, logged or repeated in an error message (nor audited).

Calls are the trunk's only when they come from the operator: from ``host`` or one of the
``operator_addresses`` (addresses, networks, host names), and, with ``inbound_username`` set,
only once the operator answered the box's digest challenge with it and ``inbound_password``.

Any operator: a registration's calls are matched by the number dialled (the request's user,
or To's user when the request names the account), a GSM-to-SIP gateway on the LAN (mode
"gateway", an address of the LAN) sends its calls to ``default_number``, keys arrive as the
operator sends them (``dtmf_mode``), and behind the office router the box gives the operator
``external_address`` instead of its own, except towards its ``local_networks``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import unicodedata
from dataclasses import dataclass

from paivystys.appliance.asterisk.pjsip import (
    CONF_SYNTAX,
    DTMF_MODES,
    DTMF_RFC4733,
    LAB_TRUNK,
    MODE_GATEWAY,
    MODE_REGISTRATION,
    MODES,
    TRANSPORTS,
)
from paivystys.appliance.asterisk.stored_trunk import (
    OPERATOR_ADDRESS_SEPARATOR,
    TRUNK_ID,
    stored_addresses,
)
from paivystys.appliance.changes import SYSTEM, Changes
from paivystys.appliance.db.models import OnCallNumber, Trunk, utcnow
from paivystys.appliance.errors import Invalid
from paivystys.appliance.phones import parse_on_call_number

log = logging.getLogger(__name__)

DEFAULT_PORT = 5060
MAX_HOST = 253  # a DNS name's limit
MAX_USERNAME = 128
MAX_PASSWORD = 128
MAX_OPERATOR_ADDRESSES = 16
MAX_LOCAL_NETWORKS = 16
# Where a box on the office LAN can be: private (RFC 1918), unique local (fc00::/7), link-local
# and loopback addresses (the lab's gateway is the simulated carrier on 127.0.0.1).
LAN_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8",
    "fc00::/7", "fe80::/10", "::1/128"))
# A network wider than this would let a large part of the Internet call as the operator.
MIN_PREFIX = {4: 16, 6: 32}
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_HOST_AND_PORT = re.compile(r"([^:]+):(\d+)")
_BRACKETED_IPV6 = re.compile(r"\[[0-9A-Fa-f:.]+\](?::\d+)?")
# RFC 3261's user part without ';' (pjsip.conf), '?' and '/' (read as URI headers and paths)
# and '%' escapes: what operators' account names and phone numbers use, and nothing that could
# make the URIs built from it mean something else.
_USERNAME = re.compile(r"[A-Za-z0-9\-_.!~*'()&=+$,]+")
_USERNAME_CHARS = "letters, digits and - _ . ! ~ * ' ( ) & = + $ ,"


@dataclass(frozen=True)
class TrunkSettings:
    """The trunk as an admin sees it: everything but the password, of which only whether one
    is stored.  ``configured`` is false while no trunk was set (the lab's carrier is used)."""

    mode: str
    host: str
    port: int
    transport: str
    username: str | None
    from_domain: str | None
    has_password: bool
    configured: bool
    updated_at: dt.datetime | None
    operator_addresses: tuple[str, ...] = ()
    inbound_username: str | None = None
    has_inbound_password: bool = False
    dtmf_mode: str = DTMF_RFC4733
    default_number: str | None = None
    external_address: str | None = None
    local_networks: tuple[str, ...] = ()


# --- reading ---------------------------------------------------------------------------------

def get_trunk() -> TrunkSettings:
    row = Trunk.get_or_none(Trunk.id == TRUNK_ID)
    if row is None:
        return TrunkSettings(mode=LAB_TRUNK.mode, host=LAB_TRUNK.host, port=LAB_TRUNK.port,
                             transport=LAB_TRUNK.transport, username=None, from_domain=None,
                             has_password=False, configured=False, updated_at=None)
    return TrunkSettings(mode=row.mode, host=row.host, port=row.port, transport=row.transport,
                         username=row.username, from_domain=row.from_domain,
                         has_password=bool(row.password), configured=True,
                         updated_at=row.updated_at,
                         operator_addresses=stored_addresses(row.operator_addresses),
                         inbound_username=row.inbound_username,
                         has_inbound_password=bool(row.inbound_password),
                         dtmf_mode=row.dtmf_mode, default_number=row.default_number,
                         external_address=row.external_address,
                         local_networks=stored_addresses(row.local_networks))


# --- value validation ------------------------------------------------------------------------

def _text(field: str, value: object, *, secret: bool = False) -> str:
    """``value`` as text that pjsip.conf can carry; a secret is never repeated in the error."""
    shown = "" if secret else f", got {value!r}"
    if not isinstance(value, str):
        raise Invalid(field, f"{field}: must be text{shown}")
    if any(unicodedata.category(char).startswith("C") for char in value):
        raise Invalid(field, f"{field}: contains a line break or another control character"
                             f"{shown}")
    if any(char in value for char in CONF_SYNTAX):
        raise Invalid(field, f"{field}: must not contain ';', '[' or ']' (Asterisk's "
                             f"configuration cannot hold them){shown}")
    return value


def _choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    text = _text(field, value).strip().lower()
    if text not in choices:
        listed = f"{', '.join(choices[:-1])} or {choices[-1]}"
        raise Invalid(field, f"{field}: must be {listed}, got {value!r}")
    return text


def _host(field: str, value: object) -> str:
    """A host name or an IPv4 / IPv6 address, alone: no scheme, user, port or path."""
    if isinstance(value, str) and _BRACKETED_IPV6.fullmatch(value.strip()):
        raise Invalid(field, f"{field}: write an IPv6 address without '[' and ']' (and the "
                             f"port in its own field), got {value!r}")
    text = _text(field, value).strip()
    if not text:
        raise Invalid(field, f"{field}: must not be empty")
    if any(char.isspace() for char in text):
        raise Invalid(field, f"{field}: must not contain spaces, got {text!r}")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        if address.is_unspecified or address.is_multicast or "%" in text:
            raise Invalid(field, f"{field}: {text!r} is not the address of one host")
        return str(address)
    if "://" in text or text.lower().startswith(("sip:", "sips:")):
        raise Invalid(field, f"{field}: give the host alone, without 'sip:' or another "
                             f"scheme, got {text!r}")
    if "@" in text:
        raise Invalid(field, f"{field}: give the host alone, without a user name, got {text!r}")
    if with_port := _HOST_AND_PORT.fullmatch(text):
        raise Invalid(field, f"{field}: give the port in its own field (host "
                             f"{with_port[1]!r}, port {with_port[2]}), got {text!r}")
    if ":" in text:
        raise Invalid(field, f"{field}: {text!r} is not a valid IPv6 address")
    name = text.lower().removesuffix(".")
    labels = name.split(".")
    if all(label.isdigit() for label in labels):
        raise Invalid(field, f"{field}: {text!r} is not a valid IPv4 address")
    if len(name) > MAX_HOST or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise Invalid(field, f"{field}: {text!r} is not a host name or an IP address (a name "
                             "holds letters, digits, '-' and '.')")
    return name


def _port(value: object) -> int:
    field = "port"
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(field, f"{field}: must be a whole number, got {value!r}")
    if not 1 <= value <= 65535:
        raise Invalid(field, f"{field}: must be 1..65535, got {value}")
    return value


def _username(value: object) -> str:
    field = "username"
    if value is None:
        raise Invalid(field, f"{field}: a registration trunk needs the operator's user name")
    text = _text(field, value).strip()
    if not text:
        raise Invalid(field, f"{field}: a registration trunk needs the operator's user name")
    if len(text) > MAX_USERNAME:
        raise Invalid(field, f"{field}: is longer than {MAX_USERNAME} characters")
    if not _USERNAME.fullmatch(text):
        raise Invalid(field, f"{field}: {text!r} holds characters a SIP user name cannot; "
                             f"allowed are {_USERNAME_CHARS}")
    return text


def _password(value: object, field: str = "password") -> str:
    text = _text(field, value, secret=True)
    if not text:
        raise Invalid(field, f"{field}: must not be empty")
    if text != text.strip():
        raise Invalid(field, f"{field}: must not begin or end with a space (Asterisk would "
                             "drop it)")
    if len(text) > MAX_PASSWORD:
        raise Invalid(field, f"{field}: is longer than {MAX_PASSWORD} characters")
    return text


def _inbound_username(value: object) -> str | None:
    field = "inbound_username"
    if value is None:
        return None
    text = _text(field, value).strip()
    if not text:
        return None
    if len(text) > MAX_USERNAME:
        raise Invalid(field, f"{field}: is longer than {MAX_USERNAME} characters")
    if not _USERNAME.fullmatch(text):
        raise Invalid(field, f"{field}: {text!r} holds characters a SIP user name cannot; "
                             f"allowed are {_USERNAME_CHARS}")
    return text


def _network(field: str, text: str, what: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``text`` as a CIDR network; ``what`` says what else it may be, for the refusal."""
    try:
        return ipaddress.ip_network(text)
    except ValueError:
        try:
            wider = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise Invalid(field, f"{field}: {text!r} is not {what}") from None
        raise Invalid(field, f"{field}: {text!r} has bits set past its prefix: the network "
                             f"is {wider}") from None


def _operator_address(field: str, value: object) -> str:
    """An address, a CIDR network (no wider than MIN_PREFIX) or a host name."""
    text = _text(field, value).strip()
    if "/" not in text:
        return _host(field, text)
    network = _network(field, text, "an address, a network (e.g. 192.0.2.0/24) or a host name")
    if network.is_multicast:
        raise Invalid(field, f"{field}: {text!r} is a multicast network, not a sender's")
    if network.prefixlen < MIN_PREFIX[network.version]:
        raise Invalid(field, f"{field}: {text!r} is wider than /{MIN_PREFIX[network.version]}: "
                             "it would let a large part of the Internet call as the operator")
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def _items(field: str, value: object, limit: int) -> list[object]:
    """A list, or one text with the items separated by commas or spaces."""
    if isinstance(value, str):
        items: list[object] = [item for item in re.split(r"[,\s]+", value) if item]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise Invalid(field, f"{field}: must be a list, got {value!r}")
    if len(items) > limit:
        raise Invalid(field, f"{field}: at most {limit}, got {len(items)}")
    return items


def _operator_addresses(value: object) -> str | None:
    """The operator's further addresses, in the form stored (comma-separated), or None."""
    field = "operator_addresses"
    if value is None:
        return None
    clean = [_operator_address(field, item)
             for item in _items(field, value, MAX_OPERATOR_ADDRESSES)]
    return OPERATOR_ADDRESS_SEPARATOR.join(dict.fromkeys(clean)) or None


def _local_network(field: str, value: object) -> str:
    """A network the box reaches directly, in CIDR (an address alone: that host)."""
    text = _text(field, value).strip()
    network = _network(field, text, "a network (e.g. 192.168.1.0/24)")
    if network.is_multicast or network.is_unspecified:
        raise Invalid(field, f"{field}: {text!r} is not a network of hosts")
    return str(network)


def _local_networks(value: object) -> str | None:
    """The local networks in the form stored (comma-separated), or None."""
    field = "local_networks"
    if value is None:
        return None
    clean = [_local_network(field, item) for item in _items(field, value, MAX_LOCAL_NETWORKS)]
    return OPERATOR_ADDRESS_SEPARATOR.join(dict.fromkeys(clean)) or None


def _optional_host(field: str, value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _host(field, value)


def _default_number(value: object) -> str | None:
    field = "default_number"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_on_call_number(_text(field, value), field)


def _gateway_host(host: str) -> str:
    """A GSM gateway is a box on the LAN: its address, not a name the Internet resolves."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise Invalid("host", f"host: give the gateway's LAN address (e.g. 192.168.1.20), "
                              f"not a name, got {host!r}") from None
    if not any(address in network for network in LAN_NETWORKS):
        raise Invalid("host", f"host: {host} is not a LAN address; a GSM gateway sits on the "
                              "office network (10.x, 172.16-31.x, 192.168.x, fd00::/8 ...)")
    return host


def _from_domain(value: object) -> str | None:
    return _optional_host("from_domain", value)


def _check_modes_needs(values: dict[str, object]) -> None:
    if values["mode"] == MODE_GATEWAY:
        _gateway_host(str(values["host"]))
        if values["default_number"] is None:
            raise Invalid("default_number", "default_number: a GSM gateway sends no number the "
                                            "box can go by: give the on-call number its calls "
                                            "are for")
    if values["external_address"] is not None and values["local_networks"] is None:
        raise Invalid("local_networks", "local_networks: with an external address, give the "
                                        "office networks (e.g. 192.168.1.0/24): without them "
                                        "the box gives its public address to the LAN too")


# --- changes ---------------------------------------------------------------------------------

def check_trunk(mode: object, host: object, port: object = DEFAULT_PORT,
                transport: object = "udp", username: object = None, password: object = None,
                from_domain: object = None, operator_addresses: object = None,
                inbound_username: object = None, inbound_password: object = None,
                dtmf_mode: object = DTMF_RFC4733, default_number: object = None,
                external_address: object = None, local_networks: object = None
                ) -> dict[str, object]:
    """Every value of a trunk checked and put in the form stored: the one validation of
    :func:`set_trunk` (the API, the CLI) and of a restored backup's trunk row.

    An IP trunk keeps neither user name nor password (None in the result); a registration
    trunk's ``password`` None stays None, for the caller to keep the stored one or refuse.
    Without an ``inbound_username`` there is no inbound password either; with one, an
    ``inbound_password`` None stays None, likewise.  A gateway is at a LAN address and needs
    a ``default_number``; an ``external_address`` needs the ``local_networks``."""
    clean_mode = _choice("mode", mode, MODES)
    values: dict[str, object] = {
        "mode": clean_mode, "host": _host("host", host), "port": _port(port),
        "transport": _choice("transport", transport, TRANSPORTS),
        "username": None, "password": None, "from_domain": _from_domain(from_domain),
        "operator_addresses": _operator_addresses(operator_addresses),
        "inbound_username": _inbound_username(inbound_username), "inbound_password": None,
        "dtmf_mode": _choice("dtmf_mode", dtmf_mode, DTMF_MODES),
        "default_number": _default_number(default_number),
        "external_address": _optional_host("external_address", external_address),
        "local_networks": _local_networks(local_networks)}
    _check_modes_needs(values)
    if clean_mode == MODE_REGISTRATION:
        values["username"] = _username(username)
        if password is not None:
            values["password"] = _password(password)
    if values["inbound_username"] is not None and inbound_password is not None:
        values["inbound_password"] = _password(inbound_password, "inbound_password")
    return values


def set_trunk(mode: str, host: str, port: int | str = DEFAULT_PORT, transport: str = "udp",
              username: str | None = None, password: str | None = None,
              from_domain: str | None = None, *,
              operator_addresses: list[str] | str | None = None,
              inbound_username: str | None = None, inbound_password: str | None = None,
              dtmf_mode: str | None = None, default_number: str | None = None,
              external_address: str | None = None,
              local_networks: list[str] | str | None = None,
              changes: Changes | None = None) -> TrunkSettings:
    """Replace the trunk and apply it.

    A registration trunk needs ``username`` and a password; ``password=None`` keeps the stored
    one (so a form need not show it).  An IP trunk stores neither: the operator knows the box
    by its address.  ``from_domain`` (empty: none) is the domain in From headers; a
    registration trunk without one uses ``host``.  The change is ``changes``' (audited as
    theirs, then applied); None: the appliance's own.

    ``operator_addresses`` (empty: none) are where else the operator's calls come from;
    ``inbound_username`` (empty: none) makes the box challenge the operator's calls, which
    must answer with it and ``inbound_password``.  ``dtmf_mode`` is how the operator sends
    keys; ``default_number`` (an on-call number; empty: none) is where calls that name no
    number the box knows go; ``external_address`` (empty: none) and ``local_networks`` are for
    a box behind the office router.  None keeps what is stored for each of these, so a client
    that does not know them changes nothing of them.
    """
    shown = {"mode": mode, "host": host, "port": port, "transport": transport,
             "username": username, "from_domain": from_domain,
             "operator_addresses": operator_addresses, "inbound_username": inbound_username,
             "dtmf_mode": dtmf_mode, "default_number": default_number,
             "external_address": external_address, "local_networks": local_networks,
             "password_changed": password is not None,
             "inbound_password_changed": inbound_password is not None}
    with (changes or Changes(SYSTEM)).change("trunk.set", _host("host", host), shown):
        row = Trunk.get_or_none(Trunk.id == TRUNK_ID)
        given = {"operator_addresses": operator_addresses, "inbound_username": inbound_username,
                 "dtmf_mode": dtmf_mode, "default_number": default_number,
                 "external_address": external_address, "local_networks": local_networks}
        kept = {name: value if value is not None
                else getattr(row, name) if row is not None
                else getattr(Trunk, name).default
                for name, value in given.items()}
        values = check_trunk(mode, host, port, transport, username, password, from_domain,
                             inbound_password=inbound_password, **kept)
        if values["default_number"] is not None and not OnCallNumber.select().where(
                OnCallNumber.number == values["default_number"]).exists():
            raise Invalid("default_number", f"default_number: {values['default_number']} is "
                                            "not an on-call number of this box: add it first")
        if values["mode"] == MODE_REGISTRATION and values["password"] is None:
            if row is None or not row.password:
                raise Invalid("password", "password: a registration trunk needs the "
                                          "operator's password (none is stored yet)")
            values["password"] = row.password
        if values["inbound_username"] and values["inbound_password"] is None:
            if row is None or not row.inbound_password:
                raise Invalid("inbound_password", "inbound_password: checking the operator's "
                                                  "calls needs the password it answers with "
                                                  "(none is stored yet)")
            values["inbound_password"] = row.inbound_password
        values["updated_at"] = utcnow()
        Trunk.insert(id=TRUNK_ID, **values).on_conflict(
            conflict_target=[Trunk.id], update=values).execute()
    log.info("trunk set: %s, %s port %d over %s, keys by %s%s%s%s%s%s", values["mode"],
             values["host"], values["port"], values["transport"], values["dtmf_mode"],
             f", user {values['username']}" if values["username"] else "",
             f", also from {values['operator_addresses']}"
             if values["operator_addresses"] else "",
             f", operator authenticated as {values['inbound_username']}"
             if values["inbound_username"] else "",
             f", calls naming no known number to {values['default_number']}"
             if values["default_number"] else "",
             f", behind NAT as {values['external_address']}"
             if values["external_address"] else "")
    return get_trunk()


def reset_trunk(*, changes: Changes | None = None) -> TrunkSettings:
    """Forget the trunk (password included): the lab's default applies again."""
    with (changes or Changes(SYSTEM)).change("trunk.reset"):
        Trunk.delete().where(Trunk.id == TRUNK_ID).execute()
    log.info("trunk reset to the lab default (%s port %d)", LAB_TRUNK.host, LAB_TRUNK.port)
    return get_trunk()
