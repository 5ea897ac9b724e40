"""Request and response bodies of claiming the box (a claim answers as a login does)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from paivystys.appliance.api.auth.schemas import Strict


class ClaimStatus(BaseModel):
    claimed: bool = Field(description="false: the box has no admin yet, and answers nothing "
                                      "but POST /api/claim and GET /api/health")


class ClaimRequest(Strict):
    code: str = Field(min_length=1, max_length=64,
                      description="the set-up code the box shows, e.g. 7KQ2-M9XD-3FRT-HB8W "
                                  "(letter case, spaces and dashes as typed)")
    username: str = Field(min_length=1, max_length=64, description="the first admin's")
    password: str = Field(min_length=1, max_length=256, description="the first admin's")
