from __future__ import annotations

import datetime as dt
import logging

import pytest

from paivystys.appliance.ringing.bus import CallBridged, CallStarted, EventBus

AT = dt.datetime(2025, 11, 25, 19, 46, 40, tzinfo=dt.UTC)


def started(call_id: str = "1.1") -> CallStarted:
    return CallStarted(call_id, AT, 1, "+358401234567", "+358409999999")


def test_subscribers_get_events_in_order() -> None:
    bus = EventBus()
    seen: list[object] = []
    bus.subscribe(seen.append)
    events = [started("1"), CallBridged("1", AT), started("2")]
    for event in events:
        bus.publish(event)
    assert seen == events


def test_subscription_by_type() -> None:
    bus = EventBus()
    bridged: list[object] = []
    bus.subscribe(bridged.append, CallBridged)
    bus.publish(started())
    bus.publish(CallBridged("1.1", AT))
    assert bridged == [CallBridged("1.1", AT)]


def test_a_failing_subscriber_is_logged_and_the_rest_still_run(
        caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[object] = []

    def broken(event: object) -> None:
        raise RuntimeError("consumer bug")

    bus.subscribe(broken)
    bus.subscribe(seen.append)
    with caplog.at_level(logging.ERROR):
        bus.publish(started())
    assert seen == [started()]
    assert "consumer bug" in caplog.text


def test_unsubscribe() -> None:
    bus = EventBus()
    seen: list[object] = []
    unsubscribe = bus.subscribe(seen.append)
    unsubscribe()
    unsubscribe()  # harmless twice
    bus.publish(started())
    assert seen == []
