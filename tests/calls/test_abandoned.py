"""The caller hangs up while it rings: every leg stops, the call is logged abandoned."""

import time

from paivystys.appliance.asterisk import variables as v


def _channel_count(ami) -> int:
    output = ami.action("Command", Command="core show channels count")
    text = output.get("Output", "") if isinstance(output, dict) else str(output)
    for line in str(text).splitlines():
        if "active channel" in line:
            return int(line.split()[0])
    raise AssertionError(f"no channel count in {output!r}")


def test_caller_hangs_up_while_ringing(scenario, handsets, call, appliance_ami, carrier_ami):
    scenario.group("Hylätty", "Soi", "Kuuntelee")
    handsets.set(scenario.people["Soi"], "no-answer")
    # In the prompt when the caller gives up: that leg must be dropped as well.
    handsets.set(scenario.people["Kuuntelee"], "voicemail", answer_after=0.5)

    row = call(scenario.number, hangup_after=3)

    assert row["outcome"] == v.OUTCOME_ABANDONED
    assert row["answered_by"] is None
    assert abs(row["wait_s"] - 3) <= 0.5, row
    deadline = time.monotonic() + 2
    while _channel_count(appliance_ami) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _channel_count(appliance_ami) == 0
    assert _channel_count(carrier_ami) == 0
