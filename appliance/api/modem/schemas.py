"""Request and response bodies of /api/modem."""

from __future__ import annotations

from pydantic import BaseModel, Field

from paivystys.appliance.api.auth.schemas import Strict
from paivystys.appliance.api.health.schemas import ModemHealth


class SimPinIn(Strict):
    pin: str = Field(max_length=64, description="the SIM's PIN: 4 to 8 digits (0-9); never "
                                                "shown back")


class SimPinOut(BaseModel):
    has_pin: bool = Field(description="a PIN is stored on the box (it is never shown)")
    refused: bool = Field(description="the SIM refused the stored PIN: it is not entered "
                                      "again, and waits for another")


class ModemOut(BaseModel):
    sim_pin: SimPinOut
    health: ModemHealth = Field(description="as in GET /api/health")
