"""The trunk's state as Asterisk sees it, for the health report.

A registration trunk is healthy when Asterisk's outbound registration is ``Registered``
(AMI ``PJSIPShowRegistrationsOutbound``: one ``OutboundRegistrationDetail`` event per
registration).  An IP trunk has nothing to register; Asterisk would only know whether the
operator answers if it sent OPTIONS pings (qualify), which the trunk does not do, so its
state is "not monitored" (AMI ``PJSIPShowEndpoint``: the contact's ``ContactStatusDetail``
says ``NonQualified``).

Either way, calls are the trunk's only from the operator's addresses, one identify object
each in Asterisk (``IdentifyDetail`` in the ``PJSIPShowEndpoint`` reply).  A host name that
did not resolve when pjsip.conf was loaded has none: calls from it are refused, and the status
says so (with none at all, every call is refused and the trunk is not healthy).

A default number (where calls go that name no number the box knows) that is no longer an
on-call number is named too; for a GSM gateway, whose calls name none, that is every call.

Both replies also carry the trunk's ``AuthDetail``, password included: only the events named
above are read, and nothing of a reply is logged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from paivystys.appliance.ami.client import AmiActionError
from paivystys.appliance.asterisk.pjsip import (
    ENDPOINT,
    MODE_GATEWAY,
    MODE_REGISTRATION,
    REGISTRATION_REFUSED_RETRY_S,
    REGISTRATION_RETRY_S,
    identify_name,
)
from paivystys.appliance.db.models import OnCallNumber
from paivystys.appliance.trunk.service import TrunkSettings, get_trunk

if TYPE_CHECKING:
    from paivystys.appliance.ami.client import AmiClient, Headers

REGISTERED = "Registered"
NOT_MONITORED = "not monitored"
NOT_LOADED = "not loaded"
NO_CALLERS = "no caller address"
NO_DEFAULT_NUMBER = "no default number"


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
    trunk = get_trunk()
    try:
        endpoint = ami.action_list("PJSIPShowEndpoint", Endpoint=ENDPOINT)
    except AmiActionError:
        # Asterisk answers an unknown endpoint with an error (and no message).
        endpoint = []
    if trunk.mode == MODE_REGISTRATION:
        status = _registration_status(trunk.mode,
                                      ami.action_list("PJSIPShowRegistrationsOutbound"))
    else:
        status = _contact_status(trunk.mode, endpoint)
    hosts = tuple(dict.fromkeys((trunk.host, *trunk.operator_addresses)))
    return _with_default_number(_with_callers(status, hosts, endpoint), trunk)


def _with_default_number(status: TrunkStatus, trunk: TrunkSettings) -> TrunkStatus:
    """``status``, told when the default number is no on-call number any more (it was
    removed since): the calls meant for it are refused as numbers not in use."""
    if status.state == NOT_LOADED or trunk.default_number is None or OnCallNumber.select().where(
            OnCallNumber.number == trunk.default_number).exists():
        return status
    words = (f"the default number {trunk.default_number} is no on-call number any more, so "
             "calls that name no number of this box are refused")
    if trunk.mode == MODE_GATEWAY:
        return TrunkStatus(status.mode, False, NO_DEFAULT_NUMBER,
                           f"{status.detail}; but {words}: that is every call of the gateway")
    return replace(status, detail=f"{status.detail}; {words}")


def _with_callers(status: TrunkStatus, hosts: tuple[str, ...], endpoint: list[Headers]
                  ) -> TrunkStatus:
    """``status``, told which of the operator's addresses Asterisk takes no calls from."""
    if status.state == NOT_LOADED:
        return status
    identified = {event.get("ObjectName") for event in endpoint
                  if event.get("Event") == "IdentifyDetail"
                  and event.get("EndpointName") == ENDPOINT}
    missing = [host for host in hosts if identify_name(host) not in identified]
    if not missing:
        return status
    names = ", ".join(missing)
    if len(missing) == len(hosts):
        return TrunkStatus(status.mode, False, NO_CALLERS,
                           f"{status.detail}; but Asterisk takes calls from none of the "
                           f"operator's addresses ({names}): a host name that does not "
                           "resolve when the configuration is loaded matches nothing (see "
                           "Asterisk's log), so every call is refused")
    return replace(status, detail=f"{status.detail}; calls from {names} are refused: Asterisk "
                                  "could not resolve it when the configuration was loaded "
                                  "(see its log)")


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
    what = "GSM gateway" if mode == MODE_GATEWAY else "IP-authenticated trunk"
    return TrunkStatus(mode, None, NOT_MONITORED,
                       f"{what} at {contacts[0].get('URI', '')}: calls go there, but Asterisk "
                       "does not check that it answers")
