"""The incoming-call entry point end to end: fake Asterisk -> FastAGI server -> database."""

from __future__ import annotations

import pytest

from paivystys.agi.registry import default_registry
from paivystys.agi.server import FastAgiServer
from paivystys.agi.tests.conftest import ServerFactory
from paivystys.agi.tests.fake_asterisk import Conversation, agi_env, run_agi
from paivystys.appliance.ringing.tests.conftest import Directory

ALL_SET = ["PV_MAIN_LEGS", "PV_BACKUP_LEGS", "PV_RING_TIME", "__PV_CONFIRM_TIMEOUT", "__PV_LANG",
           "PV_RECORDING_FILE", "PV_DECISION"]


@pytest.fixture
def server(start_server: ServerFactory) -> FastAgiServer:
    return start_server(default_registry)


def incoming(server: FastAgiServer, number_id: object, dialled: str = "+358401234567",
             ) -> Conversation:
    return run_agi(server.server_address[:2], agi_env("incoming-call"),
                   {"PV_NUMBER_ID": str(number_id), "PV_DIALLED": dialled,
                    "PV_CALL_ID": "1700000000.7"})


def test_ring(server: FastAgiServer, directory: Directory) -> None:
    main, backup = directory.group("main"), directory.group("backup")
    alice = directory.person("Alice", [main])
    bob = directory.person("Bob", [backup])
    number = directory.number(groups=[main], backup=backup, recording=True)
    conversation = incoming(server, number.id)
    assert conversation.set_order == ALL_SET  # PV_DECISION last
    variables = conversation.variables
    assert variables["PV_DECISION"] == "ring"
    assert variables["PV_MAIN_LEGS"] == f"{alice.id}-{main.id}"
    assert variables["PV_BACKUP_LEGS"] == f"{bob.id}-{backup.id}"
    assert (variables["PV_RING_TIME"], variables["__PV_CONFIRM_TIMEOUT"],
            variables["__PV_LANG"]) == ("30", "10", "fi")
    assert variables["PV_RECORDING_FILE"].startswith("/srv/instance/recordings/")
    assert variables["PV_RECORDING_FILE"].endswith("/1700000000.7.wav")


def test_nobody(server: FastAgiServer, directory: Directory) -> None:
    number = directory.number()
    conversation = incoming(server, number.id)
    assert conversation.set_order == ALL_SET
    assert conversation.variables["PV_DECISION"] == "nobody"
    assert conversation.variables["PV_MAIN_LEGS"] == ""


def test_unknown(server: FastAgiServer, directory: Directory) -> None:
    conversation = incoming(server, "", dialled="0409999999")
    assert conversation.set_order == ALL_SET
    assert conversation.variables["PV_DECISION"] == "unknown"


def test_variables_not_set_by_the_dialplan_read_as_empty(server: FastAgiServer,
                                                         directory: Directory) -> None:
    conversation = run_agi(server.server_address[:2], agi_env("incoming-call"))
    assert conversation.variables["PV_DECISION"] == "unknown"
    assert conversation.variables["PV_RECORDING_FILE"] == ""
