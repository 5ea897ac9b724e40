"""GET /api/modem; PUT and DELETE /api/modem/pin (admin).  The PIN is write-only: answers say
only whether one is stored.  Every change is audited as the admin's, without the PIN."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from paivystys.appliance.api.context import Admin, AdminChanges
from paivystys.appliance.api.health.service import modem_health
from paivystys.appliance.api.modem.schemas import ModemOut, SimPinIn
from paivystys.appliance.db.models import utcnow
from paivystys.appliance.sms import sim_pin

router = APIRouter(prefix="/api", tags=["modem"], responses={401: {}, 403: {}})


def _out(status: sim_pin.PinStatus) -> ModemOut:
    return ModemOut.model_validate({"sim_pin": dataclasses.asdict(status),
                                    "health": modem_health(utcnow())})


@router.get("/modem", response_model=ModemOut)
def show_modem(user: Admin) -> ModemOut:
    return _out(sim_pin.pin_status())


@router.put("/modem/pin", response_model=ModemOut, responses={422: {}})
def store_pin(body: SimPinIn, changes: AdminChanges) -> ModemOut:
    """The modem service enters it the next time the SIM asks, at once if it waits now.  A
    PIN the SIM has refused is refused here (422): it would use up another of its tries."""
    return _out(sim_pin.set_pin(body.pin, changes))


@router.delete("/modem/pin", response_model=ModemOut)
def clear_pin(changes: AdminChanges) -> ModemOut:
    return _out(sim_pin.clear_pin(changes))
