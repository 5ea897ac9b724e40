"""Five calls at once to five numbers: each caller is bridged to its own number's person."""

from concurrent.futures import ThreadPoolExecutor

from paivystys.appliance.directory import Directory
from paivystys.appliance.ringing.rule import CallOutcome

from conftest import Scenario


def test_five_calls_at_once(lab, handsets, call):
    scenarios = []
    for index in range(5):
        scenario = Scenario(Directory())
        scenario.group(f"Rinnakkain {index}", f"Päivystäjä {index}")
        handsets.set(scenario.people[f"Päivystäjä {index}"], "human", answer_after=1,
                     confirm_after=1 + index * 0.3, talk=3, identity=f"{index}{index}{index}")
        scenarios.append(scenario)

    with ThreadPoolExecutor(max_workers=5) as pool:
        rows = list(pool.map(lambda s: call(s.number), scenarios))

    for index, row in enumerate(rows):
        assert row["outcome"] == CallOutcome.ANSWERED, row
        assert row["answered_by"] == f"Päivystäjä {index}"
        heard = row["caller_heard"]
        assert f"{index}{index}{index}" in heard, (index, heard)
        others = {str(other) for other in range(5)} - {str(index)}
        assert not others & set(heard), (index, heard)
