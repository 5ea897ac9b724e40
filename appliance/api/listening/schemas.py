"""The response body of GET /api/listening-calls (times ISO 8601 in UTC, to the
millisecond, as the call log's)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from paivystys.appliance.listening.outcomes import ListeningAction, ListeningOutcome


class ListeningEventOut(BaseModel):
    """A recording played or deleted on the call, in the order it happened."""

    at: str
    action: str = Field(description=" or ".join(f'"{action}"' for action in ListeningAction))
    call_id: int | None = Field(description="the call whose recording it was (its id in "
                                            "/api/calls); null once that call is gone")
    call_arrived_at: str | None = Field(description="when that call arrived")
    call_caller: str | None = Field(description='who called then ("" withheld)')


class ListeningCallOut(BaseModel):
    id: int
    arrived_at: str
    ended_at: str | None = Field(description="null while the call is in progress")
    caller: str = Field(description='"" for a withheld caller')
    dialled: str = Field(description="the listening number as the trunk sent it")
    number_name: str | None = Field(description="the listening number's name; null once "
                                                "it is removed")
    person_id: int | None = Field(description="whom the line identified; null: nobody")
    person_name: str | None
    outcome: str | None = Field(description=" or ".join(
        f'"{outcome}"' for outcome in ListeningOutcome) + "; null while in progress")
    events: list[ListeningEventOut]


class ListeningCallPage(BaseModel):
    items: list[ListeningCallOut]
    next_cursor: str | None = Field(description="give it as cursor for the next page; null: "
                                                "this was the last")
    total: int | None = Field(description="every visible listening call, when asked "
                                          "with_total")
