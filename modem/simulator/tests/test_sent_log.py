"""The sent log: one JSON line per accepted part, read back as whole messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from paivystys.modem.simulator.sent_log import SentLog, SentMessage, SentPart, read_sent_messages

START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def part(text: str, reference: int, concat: tuple[int, int, int] | None = None,
         recipient: str = "+358401234567") -> SentPart:
    return SentPart(at=START + timedelta(seconds=reference), recipient=recipient,
                    reference=reference, concat=concat, encoding="gsm7", text=text, pdu="00")


def write(path: Path, *parts: SentPart) -> None:
    log = SentLog(path)
    for each in parts:
        log.append(each)


def test_each_part_is_one_json_line_with_the_agreed_fields(tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    write(path, part("Hä", 7, (3, 2, 1)))

    [record] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert record == {"at": "2025-01-02T03:04:12+00:00", "recipient": "+358401234567",
                      "reference": 7, "concat": [3, 2, 1], "encoding": "gsm7", "text": "Hä",
                      "pdu": "00"}


def test_parts_reassemble_in_sequence_and_messages_stay_in_send_order(tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    write(path, part("B", 1, (9, 2, 2)), part("single", 2), part("A", 3, (9, 2, 1)),
          part("other", 4, (9, 2, 1), recipient="+358409999999"))

    messages = read_sent_messages(path)

    assert [(m.recipient, m.text, m.references, m.complete) for m in messages] == [
        ("+358401234567", "AB", (3, 1), True),
        ("+358401234567", "single", (2,), True),
        ("+358409999999", "other", (4,), False),  # part 2 never went out
    ]
    assert messages[0].at == START + timedelta(seconds=1)


def test_a_resent_message_shows_twice(tmp_path: Path) -> None:
    path = tmp_path / "sent.jsonl"
    write(path, part("A", 1, (5, 2, 1)), part("B", 2, (5, 2, 2)), part("A", 3, (5, 2, 1)),
          part("B", 4, (5, 2, 2)))

    assert [message.references for message in read_sent_messages(path)] == [(1, 2), (3, 4)]


def test_a_missing_log_is_no_messages(tmp_path: Path) -> None:
    assert read_sent_messages(tmp_path / "never-written.jsonl") == []


def test_messages_survive_a_dict_round_trip() -> None:
    message = SentMessage.from_parts([part("B", 2, (1, 2, 2)), part("A", 1, (1, 2, 1))])
    assert SentMessage.from_dict(json.loads(json.dumps(message.to_dict()))) == message
