"""The dialplan and the call monitor speak the same UserEvents: those of appliance.ringing.events.

Renders the real dialplan: every UserEvent() in it is a spec'd event with exactly the spec's
headers in the spec's order, every spec is sent somewhere, and the monitor handles every spec.
"""

from __future__ import annotations

import re

from paivystys.appliance.asterisk.dialplan import (
    PROMPT_NAMES,
    DialplanInput,
    NumberPlan,
    render_extensions,
)
from paivystys.appliance.monitor.call_monitor import CallMonitor
from paivystys.appliance.ringing import events
from paivystys.appliance.ringing.bus import EventBus
from paivystys.appliance.ringing.rule import Leg

USER_EVENT = re.compile(r"UserEvent\((?P<name>[^,)]*)(?P<body>,.*)?\)$")
HEADER = re.compile(r",([A-Za-z0-9]+): ")


def _dialplan() -> str:
    prompts = {language: {name: f"/sounds/{language}/{name}" for name in PROMPT_NAMES.values()}
               for language in ("fi", "en")}
    plan = NumberPlan(number_id=7, e164="+358201234567", main_legs=(Leg(1, 2),),
                      backup_legs=(Leg(3, 4),), recording=True)
    return render_extensions(DialplanInput(
        agi_url="agi://127.0.0.1:4573", recordings_dir="/srv/instance/recordings",
        prompts=prompts, default_language="fi", ring_time=30, confirm_timeout=10,
        phones={1: "+358401000001", 3: "+358401000003"}, numbers=[plan]))


def _user_events(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """(event name, header names, line) of every UserEvent() in the dialplan."""
    found = []
    for line in text.splitlines():
        if "UserEvent(" not in line:
            continue
        call = line[line.index("UserEvent("):]
        match = USER_EVENT.match(call)
        assert match is not None, line
        found.append((match["name"], tuple(HEADER.findall(match["body"] or "")), line))
    return found


def test_every_user_event_in_the_dialplan_is_a_spec_with_exactly_its_headers() -> None:
    sent = _user_events(_dialplan())
    assert sent
    for name, headers, line in sent:
        assert name in events.SPECS, line
        assert headers == events.SPECS[name].header_names(), line


def test_every_spec_is_sent_by_the_dialplan() -> None:
    sent = {name for name, _, _ in _user_events(_dialplan())}
    assert set(events.SPECS) <= sent, set(events.SPECS) - sent


def test_the_monitor_handles_every_spec() -> None:
    handled = CallMonitor(EventBus()).user_event_handlers
    assert set(handled) == set(events.SPECS.values())
