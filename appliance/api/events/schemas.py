"""The messages of the live view's WebSocket (WS /api/events), as pydantic models, so that the
OpenAPI document describes them (a WebSocket is no operation of its own there).  The call
events inside ``call`` messages are the monitor's feed messages, declared in
``paivystys.appliance.monitor.feed``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from paivystys.appliance.api.health.schemas import Health
from paivystys.appliance.monitor.feed import FeedMessage


class _Message(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class HelloMessage(_Message):
    """The first message of every connection; calls in progress before it are in the call
    log (``GET /api/calls``)."""

    kind: Literal["hello"] = "hello"
    health: Health


class HealthMessage(_Message):
    """The appliance's health changed (timestamps aside)."""

    kind: Literal["health"] = "health"
    health: Health


class CallMessage(_Message):
    """One call event from the call monitor."""

    kind: Literal["call"] = "call"
    event: FeedMessage


class LiveViewMessage(RootModel[Annotated[HelloMessage | HealthMessage | CallMessage,
                                          Field(discriminator="kind")]]):
    """One message of the live view's WebSocket."""
