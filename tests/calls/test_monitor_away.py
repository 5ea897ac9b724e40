"""The call monitor is killed: calls go on, and the ones it missed are logged when it is back."""

import time
from datetime import UTC, datetime, timedelta

from paivystys.appliance.calllog import call_to_dict, find_call
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.ringing.rule import CallOutcome

from conftest import new_mobile


def test_calls_while_the_monitor_is_down_are_logged_afterwards(lab, scenario, handsets,
                                                                carrier_ami):
    scenario.group("Muisti", "Muistaja")
    handsets.set(scenario.people["Muistaja"], "human", answer_after=1, confirm_after=1,
                 talk=3, identity="7777")
    monitor = lab.services()["monitor"]
    monitor.stop(kill=True)
    caller = new_mobile()
    since = datetime.now(UTC) - timedelta(seconds=1)
    try:
        report = place_call(carrier_ami, caller, scenario.number)
        assert "7777" in report.heard_digits  # the call itself never needed the monitor
        assert find_call(caller, since) is None
    finally:
        monitor.start()
        lab.wait_services_ready()

    deadline = time.monotonic() + 10
    while (call := find_call(caller, since)) is None or call.ended_at is None:
        assert time.monotonic() < deadline, "the missed call was never logged"
        time.sleep(0.1)
    row = call_to_dict(call)
    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["answered_by"] == "Muistaja"
    assert abs(row["wait_s"] - 2) <= 0.5, row
    assert abs(row["talk_s"] - 3) <= 0.7, row
