"""What a person types as an appliance's address, made into the API's base URL."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORT = 8443


class InvalidAddress(ValueError):
    """The typed text is no host name, IP address or https URL."""


@dataclass(frozen=True)
class ApplianceAddress:
    host: str
    port: int

    @property
    def url(self) -> str:
        """The base URL in one canonical spelling, so one box is one entry in the store."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"


def parse_address(text: str) -> ApplianceAddress:
    """`192.168.1.20`, `box.local:8443`, `https://box.local:8443/api`, `[fe80::1]` ...

    The port defaults to the appliance's 8443; `http://` is refused rather than quietly
    upgraded, since whoever typed it expects something the console will never do.
    """
    text = text.strip()
    if not text:
        raise InvalidAddress("empty address")
    if "://" not in text:
        try:  # a bare IPv6 address has colons that are not a port separator
            return ApplianceAddress(str(ipaddress.IPv6Address(text.strip("[]"))), DEFAULT_PORT)
        except ValueError:
            text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() != "https":
        raise InvalidAddress(f"{parts.scheme}:// is not https")
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError as error:
        raise InvalidAddress(str(error)) from error
    host = (parts.hostname or "").rstrip(".")
    if not host or any(c.isspace() for c in host):
        raise InvalidAddress(f"no host in {text!r}")
    return ApplianceAddress(host.lower(), port)
