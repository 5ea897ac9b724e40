"""A change made while Asterisk is down is saved, reported as not applied (the CLI exits 1, the
API answers 503, both with the reason) and taken by Asterisk when it starts again: the number
added meanwhile rings its people on the first call after the restart."""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterator

import httpx

from paivystys.appliance.audit import entries
from paivystys.appliance.cli.main import main
from paivystys.appliance.db.models import Group, OnCallNumber, User
from paivystys.appliance.users.service import ROLE_ADMIN, create_user

from conftest import new_mobile, new_on_call_number

PASSWORD = "katkoksen-salasana-7"
NOT_ANSWERING = "Asterisk does not answer on AMI"


@contextlib.contextmanager
def _admin_client(lab) -> Iterator[httpx.Client]:
    if not User.select().where(User.username == "katkos").exists():
        create_user("katkos", PASSWORD, ROLE_ADMIN)
    trust = ssl.create_default_context(cafile=str(lab.state_dir / "tls" / "api.crt"))
    with httpx.Client(base_url=lab.api_url, verify=trust, timeout=30) as client:
        answer = client.post("/api/login", json={"username": "katkos", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        yield client


def test_changes_while_asterisk_is_down_are_refused_kept_and_taken_at_its_start(
        lab, appliance_ami, handsets, call, capsys) -> None:
    appliance = lab.appliance()
    number = new_on_call_number()
    person_phone = new_mobile()
    db = ["--db", str(lab.db_path)]
    with _admin_client(lab) as api:
        appliance.stop()
        try:
            assert main([*db, "person", "add", "Katkon Kalle", person_phone]) == 1
            assert NOT_ANSWERING in capsys.readouterr().err
            # A group alone changes nothing Asterisk reads, but the reload it still owes
            # Asterisk is tried again, and fails again.
            answer = api.post("/api/groups", json={"name": "Katkon aikana"})
            assert answer.status_code == 503, answer.text
            assert NOT_ANSWERING in answer.text
            assert main([*db, "number", "add", number, "Katkonumero"]) == 1
            assert main([*db, "member", "add", "Katkon Kalle", "Katkon aikana"]) == 1
            assert main([*db, "number", "groups", number, "Katkon aikana"]) == 1
            capsys.readouterr()
            configuration = api.get("/api/health").json()["configuration"]
            # The dialplan changed (the trunk did not): its reload is owed.
            assert (configuration["ok"], configuration["owed"]) == (False, ["pbx_config"])
        finally:
            appliance.start()
            appliance.wait_ready(timeout=30)
            appliance_ami.connect()  # the session's AMI client, for the tests after this one

    # Every change stands, each said it was not applied.
    assert Group.select().where(Group.name == "Katkon aikana").exists()
    assert OnCallNumber.select().where(OnCallNumber.number == number).exists()
    failed = [row for row in entries(limit=20) if row["action"] == "apply.failed"]
    assert len(failed) >= 5
    assert NOT_ANSWERING in failed[0]["details"]["error"]

    # Asterisk read the files written while it was down: the new number is in its dialplan.
    assert number in appliance.rx("dialplan show")
    # The call monitor, reconnected, settles what was owed; the health says all is applied.
    owed = lab.state_dir / "asterisk-reload-pending"
    deadline = time.monotonic() + 30
    while owed.exists():
        assert time.monotonic() < deadline, "the monitor did not apply the owed reloads"
        time.sleep(0.2)
    with _admin_client(lab) as api:
        assert api.get("/api/health").json()["configuration"]["ok"] is True
    handsets.set(person_phone, "human", answer_after=1, confirm_after=1, talk=2)
    deadline = time.monotonic() + 15
    row = call(number)
    while row["outcome"] != "answered" and time.monotonic() < deadline:
        time.sleep(1)  # the monitor and the trunk reconnect after Asterisk's restart
        row = call(number)
    assert (row["outcome"], row["answered_by"]) == ("answered", "Katkon Kalle")

    # And the next change is applied as usual.
    assert main([*db, "number", "change", number, "--recording"]) == 0
    assert not owed.exists()
