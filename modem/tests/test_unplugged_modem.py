"""A box whose modem is not plugged in: the service waits for it, saying so once, not at
every try."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.modem import service
from paivystys.modem.service import ModemService


def test_an_absent_modem_is_reported_once_while_the_service_keeps_looking(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "RECONNECT_MAX_S", 0.2)  # many tries in a short test
    monkeypatch.setattr(service, "RECONNECT_FIRST_S", 0.05)
    database = open_database(tmp_path / "paivystys.db")
    stop = threading.Event()
    runner = threading.Thread(target=ModemService(str(tmp_path / "no-modem"), 115200, None,
                                                  stop).run, daemon=True)
    with caplog.at_level(logging.DEBUG, logger=service.log.name):
        runner.start()
        time.sleep(1.5)
        stop.set()
        runner.join(timeout=5)
    database.close()
    tries = [r for r in caplog.records if "no-modem" in r.getMessage()
             and "retrying" in r.getMessage()]
    assert len(tries) >= 4  # it kept looking
    assert [r.levelno for r in tries].count(logging.WARNING) == 1
