"""A number with recording on leaves a recording of the bridged conversation."""

import array
import math
import stat
import wave

from paivystys.appliance.ringing.rule import CallOutcome


def test_recorded_call_leaves_a_file_with_audio(lab, scenario, handsets, call):
    scenario.directory.change_number(scenario.number, recording=True)
    scenario.group("Nauhoitus", "Puhuja")
    handsets.set(scenario.people["Puhuja"], "human", answer_after=1, confirm_after=1, talk=3)

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["recording"], row
    appliance = lab.appliance()
    path = appliance.instance_dir / "recordings" / row["recording"]
    # Asterisk's, readable and deletable (retention) by the services' group (the state
    # directory's), nothing for others.
    uid, _ = appliance.asterisk_ids
    services = lab.state_dir.stat().st_gid
    assert (path.stat().st_uid, path.stat().st_gid, oct(stat.S_IMODE(path.stat().st_mode))) \
        == (uid, services, oct(0o660))
    for folder in (path.parent, path.parent.parent):
        assert (folder.stat().st_gid, oct(stat.S_IMODE(folder.stat().st_mode))) == (
            services, oct(0o2770)), folder
    with wave.open(str(path)) as recording:
        assert recording.getsampwidth() == 2
        samples = array.array("h", recording.readframes(recording.getnframes()))
        seconds = recording.getnframes() / recording.getframerate()
    # The human's voice (a tone between its identity bursts) for most of its 3 s of talk.
    assert 1.0 <= seconds <= 4.5, seconds
    rms = math.sqrt(sum(sample * sample for sample in samples) / len(samples))
    assert rms > 1000, f"the recording is (nearly) silent: RMS {rms:.0f}"
