"""The response bodies of GET /api/calls and /api/calls/{call_id}: the call log's rows as
``calllog.records.call_to_dict`` writes them (times ISO 8601 in UTC, to the millisecond)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LegOut(BaseModel):
    """One person rung for the call, in ring order."""

    person: str = Field(description="the person's name when rung")
    phone: str
    group: str | None = Field(description="the group they were rung through")
    stage: str = Field(description='"main" or "backup"')
    rung_at: str
    answered_at: str | None
    ended_at: str | None
    result: str | None = Field(description="null while the leg is in progress")


class CallOut(BaseModel):
    id: int
    call_id: str = Field(description="the caller channel's Asterisk UNIQUEID")
    number: str = Field(description="the on-call number (E.164), or what the trunk sent when "
                                    "it matched none (or the number was removed since)")
    number_name: str | None
    dialled: str
    caller: str = Field(description='"" for a withheld caller')
    arrived_at: str
    answered_at: str | None
    ended_at: str | None = Field(description="null while the call is in progress")
    wait_s: float | None
    talk_s: float | None
    outcome: str | None = Field(description="null while the call is in progress")
    answered_by: str | None = Field(description="the name of who took the call")
    answered_stage: str | None
    recording: str | None = Field(description="the recording's path under the recordings "
                                              "directory; null: none")
    routing: str = Field(description='"agi", or "failsafe" when the dialplan rang everyone '
                                     "without the decision service")
    legs: list[LegOut]


class CallPage(BaseModel):
    items: list[CallOut]
    next_cursor: str | None = Field(description="give it as cursor for the next page; null: "
                                                "this was the last")
    total: int | None = Field(description="every matching call, when asked with_total")
