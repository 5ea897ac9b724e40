"""A number with recording on leaves a recording of the bridged conversation."""

import audioop
import wave

from paivystys.appliance.asterisk import variables as v


def test_recorded_call_leaves_a_file_with_audio(lab, scenario, handsets, call):
    scenario.directory.change_number(scenario.number, recording=True)
    scenario.group("Nauhoitus", "Puhuja")
    handsets.set(scenario.people["Puhuja"], "human", answer_after=1, confirm_after=1, talk=3)

    row = call(scenario.number)

    assert row["outcome"] == v.OUTCOME_ANSWERED
    assert row["recording"], row
    path = lab.appliance().instance_dir / "recordings" / row["recording"]
    with wave.open(str(path)) as recording:
        frames = recording.readframes(recording.getnframes())
        seconds = recording.getnframes() / recording.getframerate()
        width = recording.getsampwidth()
    assert 2 <= seconds <= 5, seconds
    assert audioop.rms(frames, width) > 100, "the recording is silent"
