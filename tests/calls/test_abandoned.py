"""The caller hangs up while it rings: every leg stops, the call is logged abandoned."""

import time

from paivystys.appliance.ringing.rule import CallOutcome

from conftest import sound_seconds


def _channels(ami) -> list[str]:
    # CoreShowChannels, not Command: the appliance's AMI user may not run CLI commands.
    return [f"{event.get('Channel')} {event.get('Application')}({event.get('ApplicationData')})"
            for event in ami.action_list("CoreShowChannels")]


def test_caller_hangs_up_while_ringing(lab, scenario, handsets, call, appliance_ami,
                                       carrier_ami):
    scenario.group("Hylätty", "Soi", "Kuuntelee")
    handsets.set(scenario.people["Soi"], "no-answer")
    # In the prompt when the caller gives up: that leg is told so, then dropped as well.
    handsets.set(scenario.people["Kuuntelee"], "voicemail", answer_after=0.5)

    row = call(scenario.number, hangup_after=3)

    assert row["outcome"] == CallOutcome.ABANDONED
    assert row["answered_by"] is None
    assert abs(row["wait_s"] - 3) <= 0.5, row
    deadline = time.monotonic() + 2 + sound_seconds(lab, "pv-caller-hung-up")
    while _channels(appliance_ami) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _channels(appliance_ami) == []
    assert _channels(carrier_ami) == []
