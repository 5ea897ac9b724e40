"""A configuration change regenerates and reloads Asterisk's dialplan without dropping calls."""

import threading
import time

from paivystys.appliance.ringing.rule import CallOutcome

from conftest import new_mobile


def test_a_change_during_a_call_does_not_drop_it(lab, scenario, handsets, call):
    scenario.group("Jatkuva", "Jatkopuhuja")
    handsets.set(scenario.people["Jatkopuhuja"], "human", answer_after=1, confirm_after=1, talk=5,
                 identity="6060")
    extensions = lab.appliance().instance_dir / "etc" / "extensions.conf"
    before = extensions.read_text()
    rows = []
    caller = threading.Thread(target=lambda: rows.append(call(scenario.number)))
    caller.start()
    time.sleep(3.5)  # bridged at about 2 s; the person talks until about 7 s
    scenario.directory.add_person("Uusi Päivystäjä", new_mobile())
    scenario.directory.add_member("Uusi Päivystäjä", "Jatkuva")
    caller.join(timeout=30)

    assert extensions.read_text() != before  # regenerated (and reloaded) mid-call
    [row] = rows
    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["talk_s"] >= 4.5, row
    assert "6060" in row["caller_heard"]
