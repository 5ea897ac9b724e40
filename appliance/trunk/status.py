"""The trunk's state as Asterisk sees it, for the health report.

A registration trunk is healthy when Asterisk's outbound registration is ``Registered``
(AMI ``PJSIPShowRegistrationsOutbound``: one ``OutboundRegistrationDetail`` event per
registration).  An IP trunk has nothing to register; Asterisk would only know whether the
operator answers if it sent OPTIONS pings (qualify), which the trunk does not do, so its
state is "not monitored" (AMI ``PJSIPShowEndpoint``: the contact's ``ContactStatusDetail``
says ``NonQualified``).

Both replies also carry the trunk's ``AuthDetail``, password included: only the events named
above are read, and nothing of a reply is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..asterisk.pjsip import (
    ENDPOINT,
    MODE_REGISTRATION,
    REGISTRATION_REFUSED_RETRY_S,
    REGISTRATION_RETRY_S,
)
from ..monitor.ami import AmiActionError
from .service import get_trunk

if TYPE_CHECKING:
    from ..monitor.ami import AmiClient, Headers

REGISTERED = "Registered"
NOT_MONITORED = "not monitored"
NOT_LOADED = "not loaded"


@dataclass(frozen=True)
class TrunkStatus:
    """``registered``: True / False, or None when Asterisk cannot know (an IP trunk).
    ``state`` is a short word for a list, ``detail`` a sentence for the admin."""

    mode: str
    registered: bool | None
    state: str
    detail: str


def trunk_status(ami: AmiClient) -> TrunkStatus:
    """Ask Asterisk about the configured trunk; an :class:`AmiError` means it could not be
    asked (not running, AMI down)."""
    mode = get_trunk().mode
    if mode == MODE_REGISTRATION:
        return _registration_status(mode, ami.action_list("PJSIPShowRegistrationsOutbound"))
    try:
        events = ami.action_list("PJSIPShowEndpoint", Endpoint=ENDPOINT)
    except AmiActionError:
        # Asterisk answers an unknown endpoint with an error (and no message).
        events = []
    return _contact_status(mode, events)


def _registration_status(mode: str, events: list[Headers]) -> TrunkStatus:
    details = [event for event in events if event.get("Event") == "OutboundRegistrationDetail"
               and event.get("ObjectName") == ENDPOINT]
    if not details:
        return TrunkStatus(mode, False, NOT_LOADED,
                           "Asterisk has no registration for the trunk: the configuration was "
                           "not applied, or Asterisk refused it (see its log)")
    status = details[0].get("Status", "")
    server = details[0].get("ServerUri", "")
    client = details[0].get("ClientUri", "")
    detail = {
        REGISTERED: f"registered at {server} as {client}",
        "Unregistered": f"not registered at {server} yet: an attempt is under way",
        "Rejected": f"{server} did not accept the registration as {client} (wrong user name "
                    "or password, unknown account, or no answer); Asterisk tries again within "
                    f"{max(REGISTRATION_RETRY_S, REGISTRATION_REFUSED_RETRY_S) // 60} minutes",
    }.get(status, f"registration at {server}: {status or 'no status'}")
    return TrunkStatus(mode, status == REGISTERED, status.lower() or "unknown", detail)


def _contact_status(mode: str, events: list[Headers]) -> TrunkStatus:
    contacts = [event for event in events if event.get("Event") == "ContactStatusDetail"
                and event.get("AOR") == ENDPOINT]
    if not contacts:
        return TrunkStatus(mode, False, NOT_LOADED,
                           "Asterisk has no trunk to the operator: the configuration was not "
                           "applied, or Asterisk refused it (see its log)")
    # The trunk's contact is never qualified: Asterisk reports it "NonQualified".
    return TrunkStatus(mode, None, NOT_MONITORED,
                       f"IP-authenticated trunk to {contacts[0].get('URI', '')}: calls go "
                       "there, but Asterisk does not check that the operator answers")
