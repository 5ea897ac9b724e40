"""The outbox's promises with the real modem service process and the simulated modem:
messages survive a silent modem and kill -9, and none goes twice."""

from __future__ import annotations

import random
import time
from collections import Counter

from paivystys.appliance.db.models import OutboxMessage
from paivystys.appliance.sms.outbox import states
from paivystys.appliance.sms.outbox.store import enqueue

from conftest import Rig, wait_for

FINNISH_200 = ("Päivystäjä Äijälä otti puhelun asiakkaalta, joka soitti lämpökeskuksen häiriöstä. "
               "Hän hoitaa asian ja ilmoittaa, jos tarvitsee apua. Älkää soittako hänelle nyt, "
               "hän on työmaalla Öljymäellä; palaa pian")


def queue(count: int, prefix: str, text: str = "Maija otti puhelun") -> list[str]:
    keys = []
    for index in range(count):
        key = f"{prefix}-{index}"
        enqueue(key=key, recipient=f"+3584012{index:05d}", text=f"{text} ({key})",
                reason="taken")
        keys.append(key)
    return keys


def sent_counts(rig: Rig) -> Counter[str]:
    return Counter(message.text for message in rig.sent())


def test_a_200_character_finnish_text_goes_as_two_gsm7_parts_and_arrives_whole(rig: Rig) -> None:
    assert len(FINNISH_200) == 200
    rig.service.start()
    enqueue(key="long", recipient="+358401234567", text=FINNISH_200, reason="taken")
    row = rig.wait_all_sent(1, timeout=15)[0]
    assert (row.parts, row.encoding) == (2, "gsm7")
    [message] = rig.sent()
    assert message.text == FINNISH_200 and len(message.parts) == 2 and message.complete


def test_an_emoji_goes_as_ucs2_on_a_modem_without_cscs(rig: Rig) -> None:
    rig.service.start()
    enqueue(key="emoji", recipient="+358401234567", text="Kiitos 👍 š", reason="help")
    row = rig.wait_all_sent(1, timeout=15)[0]
    assert row.encoding == "ucs2"
    assert [message.text for message in rig.sent()] == ["Kiitos 👍 š"]


def test_thirty_silent_seconds_lose_nothing_and_send_nothing_twice(rig: Rig) -> None:
    rig.service.start()
    before = queue(3, "before")
    rig.wait_all_sent(3, timeout=15)
    rig.modem.go_silent(30)
    during = queue(5, "during")
    time.sleep(31)
    rows = rig.wait_all_sent(8, timeout=60)
    counts = sent_counts(rig)
    assert sorted(counts.values()) == [1] * 8, counts
    assert {row.key for row in rows} == set(before + during)
    assert "did not answer" in rig.service.log()  # it did notice


def test_kill_9_while_the_modem_holds_the_answer_to_a_send(rig: Rig) -> None:
    """The modem has sent the part; the service dies before it hears the reference.  The
    restarted service finds the part marked sent in the modem's storage and does not resend."""
    rig.service.start()
    rig.modem.stall_next_send(4)
    enqueue(key="stalled", recipient="+358401234567", text="Tämä lähtee kerran", reason="taken")
    wait_for(lambda: rig.sent(), 10, "the modem to take the part")
    row = OutboxMessage.get(OutboxMessage.key == "stalled")
    assert row.state == states.SENDING  # the service has not heard back
    rig.service.kill()
    time.sleep(4.5)  # the stalled answer goes nowhere
    rig.service.start()
    rig.wait_all_sent(1, timeout=15)
    assert [message.text for message in rig.sent()] == ["Tämä lähtee kerran"]
    assert "found_sent=1" in rig.service.log()


def test_repeated_kill_9_at_random_moments_loses_and_repeats_nothing(rig: Rig) -> None:
    chooser = random.Random(20261125)
    keys = queue(60, "killed", text=FINNISH_200[:150])
    keys += queue(20, "long", text=FINNISH_200)  # two parts each: dies between parts too
    kills = 0
    while True:
        rig.service.start()
        time.sleep(chooser.uniform(0.0, 0.15))
        open_messages = OutboxMessage.select().where(
            OutboxMessage.state.in_(states.OPEN_STATES)).count()
        if open_messages == 0:
            break
        rig.service.kill()
        kills += 1
    rig.service.stop()
    assert kills >= 3, "the service finished before it was killed often enough"
    print(f"killed {kills} times; recoveries:", [line.split("recovery: ")[1] for line in
          rig.service.log().splitlines() if "outbox recovery" in line])
    counts = sent_counts(rig)
    assert len(counts) == len(keys)
    assert set(counts.values()) == {1}, [text for text, n in counts.items() if n > 1]
    assert all(message.complete for message in rig.sent())


def test_refusals_from_the_network_are_retried(rig: Rig) -> None:
    rig.modem.fail_next(1, 500)
    rig.service.start()
    enqueue(key="refused", recipient="+358401234567", text="Toisella yrityksellä", reason="taken")
    wait_for(lambda: OutboxMessage.get(OutboxMessage.key == "refused").attempts == 1, 10,
             "the refused attempt")
    # the retry comes after the first back-off (10 s); make it due now
    OutboxMessage.update(next_attempt_at=OutboxMessage.created_at).execute()
    rows = rig.wait_all_sent(1, timeout=10)
    assert rows[0].attempts == 1
    assert [message.text for message in rig.sent()] == ["Toisella yrityksellä"]


def test_no_network_keeps_messages_waiting_without_burning_attempts(rig: Rig) -> None:
    rig.modem.set_network(False)
    rig.service.start()
    enqueue(key="waiting", recipient="+358401234567", text="Odottaa verkkoa", reason="taken")
    time.sleep(2)
    row = OutboxMessage.get(OutboxMessage.key == "waiting")
    assert (row.state, row.attempts) == (states.QUEUED, 0)
    rig.modem.set_network(True)
    rig.wait_all_sent(1, timeout=15)
    assert [message.text for message in rig.sent()] == ["Odottaa verkkoa"]
