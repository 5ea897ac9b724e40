"""The systemd-networkd files of the box's network setting, as text.

Two files, both ahead of the image's DHCP file for every wired port
(``/etc/systemd/network/80-paivystys-dhcp.network``): networkd takes, for each link, the first
matching file in the lexical order of their names, whichever directory holds them.

- ``/etc/systemd/network/10-paivystys.network``: the static setting the box keeps (no file:
  DHCP).  Its first lines carry the setting as JSON, from which the applier reads what the box
  keeps; a file without them was written by someone else, and the setting it holds is not
  known.
- ``/run/systemd/network/05-paivystys-trial.network``: a setting on trial.  It comes first,
  and it lives in /run, so a restart ends the trial by itself.  It keeps the link's present
  addresses (and its DHCP lease) beside the new setting, so a console reaches the box at its
  old address until the new one is confirmed; a new static address is checked first for
  another device already using it (IPv4 address conflict detection, RFC 5227).

Every value written is a parsed address or a link name the kernel gave, never typed text.
"""

from __future__ import annotations

import ipaddress
import json
import re

from paivystys.appliance.errors import Invalid
from paivystys.appliance.network.setting import DHCP, NetworkSetting, setting_from_json

KEPT_NAME = "10-paivystys.network"
TRIAL_NAME = "05-paivystys-trial.network"
SETTING_LINE = "# paivystys-setting: "
# A Linux interface name: at most 15 bytes, no slash, no white space; we accept the characters
# the kernel's and udev's names use.
LINK_NAME = re.compile(r"[A-Za-z0-9_.:@-]{1,15}")

KEPT_HEADER = """\
# The box's network setting, as an admin set it and then confirmed it through its new address.
# Written by paivystys-network.service ('paivystys box network-apply'); change it from the
# console (Manage, Network) or with 'paivystys network'.  Without this file the box takes its
# address by DHCP.
"""
TRIAL_HEADER = """\
# A network setting on trial, written by paivystys-network.service: given up unless an admin
# confirms it through its new address in time, and at the next restart (it is in /run).  The
# link's present addresses are kept meanwhile.
"""


def check_link(name: str) -> str:
    if LINK_NAME.fullmatch(name) is None:
        raise Invalid("interface", f"interface: {name!r} is not a network interface's name")
    return name


def _file(header: str, setting: NetworkSetting, *sections: list[str]) -> str:
    """The header, the setting's line, then each section's lines, a blank line between."""
    head = header + SETTING_LINE + json.dumps(setting.to_json()) + "\n"
    return head + "\n".join("".join(f"{line}\n" for line in lines) for lines in sections)


def render_kept(link: str, setting: NetworkSetting) -> str:
    """The file the box keeps for a static ``setting`` on ``link`` (DHCP has none)."""
    if not setting.is_static:
        raise ValueError("DHCP is the image's own file: nothing to keep")
    return _file(KEPT_HEADER, setting, ["[Match]", f"Name={check_link(link)}"],
                 ["[Network]", f"Address={setting.address}", f"Gateway={setting.gateway}",
                  *(f"DNS={server}" for server in setting.dns)])


def render_trial(link: str, setting: NetworkSetting, kept: list[ipaddress.IPv4Interface],
                 keep_dhcp: bool, check_conflict: bool) -> str:
    """``setting`` on trial on ``link``, keeping the static addresses ``kept`` and, with
    ``keep_dhcp``, the DHCP lease the link has now.  With ``check_conflict`` a new static
    address is taken only once no other device answers for it (not for an address the link
    already has: the box would hear itself)."""
    network = ["[Network]"]
    if keep_dhcp or not setting.is_static:
        network.append("DHCP=yes")
    if setting.is_static:
        network += [f"Gateway={setting.gateway}", *(f"DNS={server}" for server in setting.dns)]
        if not check_conflict:
            network.append(f"Address={setting.address}")
    network += [f"Address={address}" for address in kept if address != setting.address]
    sections = [["[Match]", f"Name={check_link(link)}"], network]
    if setting.is_static and check_conflict:
        sections.append(["[Address]", f"Address={setting.address}",
                         "DuplicateAddressDetection=ipv4"])
    return _file(TRIAL_HEADER, setting, *sections)


def kept_setting(text: str | None) -> NetworkSetting | None:
    """The setting a kept file holds: DHCP without one (None for ``text``), None when the
    file is not one of ours (its setting is not known)."""
    if text is None:
        return DHCP
    for line in text.splitlines():
        if line.startswith(SETTING_LINE):
            try:
                return setting_from_json(json.loads(line[len(SETTING_LINE):]))
            except (ValueError, Invalid):
                return None
    return None
