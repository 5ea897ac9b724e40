"""Claiming the box: until it has an admin it answers only the claim and the health; the set-up
code it logs and shows on its screen claims it once, survives restarts until then, and cannot
be guessed faster than a password."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from paivystys.appliance.api.app import create_app
from paivystys.appliance.api.claim import notice
from paivystys.appliance.api.claim.http import NOT_SET_UP
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.server import setup_notice
from paivystys.appliance.api.tests.conftest import RunningApi, serve
from paivystys.appliance.api.tests.test_authorization_matrix import concrete
from paivystys.appliance.api.tls import CERT_FILE, fingerprint
from paivystys.appliance.audit import entries
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import User, utcnow
from paivystys.appliance.directory import Directory
from paivystys.appliance.users import claim
from paivystys.appliance.users.service import (
    MAX_FAILURES,
    ROLE_ADMIN,
    ROLE_PERSON,
    THROTTLE_ATTEMPTS,
    create_user,
    start_session,
)

PASSWORD = "toimiston-salasana-9"
CODE_IN_LOG = re.compile(r"set-up code ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3});")
OPEN_BEFORE_CLAIM = {"/api/claim", "/api/health"}


@dataclass
class Unclaimed:
    """A running API on a box with no admin yet (an on-call person has an account)."""

    api: RunningApi
    notice_file: Path

    @property
    def code(self) -> str:
        return claim.kept_code(self.api.state_dir) or ""

    def claim(self, source: str = "127.0.0.1", **body: Any) -> httpx.Response:
        with self.api.client(source=source) as client:
            return client.post("/api/claim", json={"code": self.code, "username": "toimisto",
                                                   "password": PASSWORD} | body)


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Unclaimed]:
    monkeypatch.setattr(notice, "CHECK_EVERY_S", 0.1)
    database = open_database(tmp_path / "paivystys.db")
    maija = Directory().add_person("Maija Virtanen", "040 100 0001")
    create_user("maija", "maijan-salasana-9", ROLE_PERSON, maija.id)
    notice_file = tmp_path / "run" / "setup-code"
    config = ApiConfig(db_path=tmp_path / "paivystys.db", setup_code_file=notice_file)
    for api in serve(config, tmp_path):
        yield Unclaimed(api, notice_file)
    database.close()


def refused_as_unclaimed(answer: httpx.Response) -> bool:
    return answer.status_code == 403 and answer.json()["detail"] == NOT_SET_UP


def routes() -> set[tuple[str, str]]:
    paths = create_app(ApiConfig(db_path=None)).openapi()["paths"]
    return {(method.upper(), path) for path, methods in paths.items() for method in methods}


def wait_for(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


# --- an unclaimed box --------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "person"])
def test_an_unclaimed_box_answers_only_the_claim_and_the_health(box: Unclaimed,
                                                                who: str) -> None:
    # A person's account may exist before the admin (the CLI makes it), and a token of it
    # (from a box that lost its admin): neither opens anything.
    token = start_session(User.get(User.username == "maija"), utcnow()).token \
        if who == "person" else None
    wrong = []
    with box.api.client(token) as client:
        for method, path in sorted(routes()):
            body = {} if method in ("POST", "PUT", "PATCH") else None
            answer = client.request(method, concrete(path), json=body)
            if path in OPEN_BEFORE_CLAIM:
                ok = not refused_as_unclaimed(answer)
            else:
                ok = refused_as_unclaimed(answer)
            if not ok:
                wrong.append(f"{method} {path}: {answer.status_code} {answer.text[:80]}")
        assert client.get("/api/claim").json() == {"claimed": False}
        # The health keeps its own rule: an admin's, and there is none yet.
        assert client.get("/api/health").status_code == (401 if token is None else 403)
        assert client.post("/api/login", json={"username": "maija",
                                               "password": "maijan-salasana-9"}).json()[
            "detail"] == NOT_SET_UP
        assert client.get("/api/openapi.json").status_code == 200  # the public document
    assert wrong == []
    assert {path for _method, path in routes()} > OPEN_BEFORE_CLAIM


def test_an_unclaimed_box_refuses_the_live_view_saying_why(box: Unclaimed) -> None:
    context = ssl.create_default_context(cafile=str(box.api.cert_path))
    url = box.api.base_url.replace("https://", "wss://") + "/api/events"

    async def attempt() -> None:
        async with websockets.connect(url, ssl=context, open_timeout=10) as socket:
            await socket.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(attempt())
    assert refused.value.response.status_code == 403
    assert json.loads(refused.value.response.body)["detail"] == NOT_SET_UP


def test_the_notice_shows_the_code_the_address_and_the_fingerprint(box: Unclaimed) -> None:
    text = box.notice_file.read_text()
    pinned = fingerprint((box.api.state_dir / "tls" / CERT_FILE).read_bytes())
    pairs = pinned.split(":")
    assert f"Set-up code:   {box.code}\n" in text
    assert f"Address:       {box.api.base_url}\n" in text
    for line in range(4):  # as the console shows it, line by line
        assert f"  {':'.join(pairs[8 * line:8 * line + 8])}\n" in text
    assert "\\" not in text  # the login prompt would read a backslash as an escape
    assert max(len(line) for line in text.splitlines()) <= 80
    for secret in (box.notice_file, box.api.state_dir / claim.CODE_FILE):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600


# --- claiming ------------------------------------------------------------------------------

def test_the_code_claims_the_box_once_and_is_gone(box: Unclaimed) -> None:
    code = box.code
    answer = box.claim(code=code.lower().replace("-", " "))  # as a person may type it
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["user"]["username"] == "toimisto" and body["user"]["role"] == "admin"
    with box.api.client(body["token"]) as admin:
        assert admin.get("/api/me").json()["username"] == "toimisto"
        assert admin.get("/api/users").status_code == 200  # logged in, and the box answers
    assert not box.notice_file.exists()
    assert claim.kept_code(box.api.state_dir) is None
    last = entries(1)[0]
    assert (last["actor"], last["action"], last["target"]) == ("toimisto", "box.claim",
                                                               "toimisto")
    assert code not in str(entries(100))

    for again in (code, "0000-0000-0000-0000"):
        second = box.claim(code=again, username="toinen")
        assert second.status_code == 409
        assert second.json()["detail"][0]["loc"][-1] == "code"
        assert "already set up" in second.json()["detail"][0]["msg"]
    with box.api.client() as client:
        assert client.get("/api/claim").json() == {"claimed": True}
    assert [user.username for user in User.select().where(User.role == ROLE_ADMIN)] == [
        "toimisto"]


def test_two_claims_at_once_make_one_admin(box: Unclaimed) -> None:
    answers: list[httpx.Response] = []
    start = threading.Barrier(2)

    def claim_as(name: str, source: str) -> None:
        start.wait()
        answers.append(box.claim(source=source, username=name))

    threads = [threading.Thread(target=claim_as, args=(name, source))
               for name, source in (("eka", "127.0.0.2"), ("toka", "127.0.0.3"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert User.select().where(User.role == ROLE_ADMIN).count() == 1


def test_an_admin_made_on_the_box_withdraws_the_code(box: Unclaimed) -> None:
    code = box.code
    create_user("huolto", PASSWORD, ROLE_ADMIN)  # as `paivystys user add huolto --admin`
    wait_for(lambda: not box.notice_file.exists())
    assert claim.kept_code(box.api.state_dir) is None
    assert box.claim(code=code).status_code == 409


def test_a_box_left_without_an_admin_gets_a_new_code(box: Unclaimed) -> None:
    first = box.code
    assert box.claim().status_code == 201
    User.delete().where(User.role == ROLE_ADMIN).execute()  # e.g. a backup with no admin
    wait_for(box.notice_file.exists)
    assert box.code != first and box.code in box.notice_file.read_text()
    assert box.claim(code=first).status_code == 422
    assert box.claim().status_code == 201


# --- guessing -----------------------------------------------------------------------------

def test_a_wrong_code_is_a_failed_login_and_locks_its_address_out(box: Unclaimed) -> None:
    wrong = "ABCD-EFGH-JKMN-PQRS"
    assert wrong != box.code
    for _ in range(MAX_FAILURES):
        answer = box.claim(source="127.0.0.5", code=wrong)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"][-1] == "code"
        assert "not this switchboard's set-up code" in answer.json()["detail"][0]["msg"]
    locked = box.claim(source="127.0.0.5")  # even the right code: no answer about it
    assert locked.status_code == 423 and "retry-after" in locked.headers
    assert entries(1)[0]["action"] == "login.locked"
    assert box.notice_file.exists()
    assert box.claim(source="127.0.0.6").status_code == 201  # another address: claimed


def test_wrong_codes_and_failed_logins_share_the_addresss_throttle(box: Unclaimed) -> None:
    """Wrong codes from one address count in its throttle with its failed logins (made, say,
    before the box lost its admin): a throttled address gets no answer about the code."""
    guesser = "127.0.0.7"
    for _ in range(MAX_FAILURES - 1):
        assert box.claim(source=guesser, code="ABCD-EFGH-JKMN-PQRS").status_code == 422
    for _ in range(THROTTLE_ATTEMPTS - (MAX_FAILURES - 1)):
        box.api.config.throttle.failed(guesser)  # failed logins
    throttled = box.claim(source=guesser)
    assert throttled.status_code == 429 and "retry-after" in throttled.headers
    assert not User.select().where(User.role == ROLE_ADMIN).exists()


@pytest.mark.parametrize(("field", "value"), [
    ("code", ""), ("code", "A" * 65), ("code", 1234_5678), ("code", None), ("code", ["A"]),
    ("code", {"code": "x"}),
    ("username", ""), ("username", "a" * 65), ("username", "ad\x00min"), ("username", "ad min"),
    ("username", "<script>"), ("username", "x"), ("username", 7), ("username", None),
    ("password", ""), ("password", "p" * 257), ("password", "lyhyt"), ("password", "salasana123"),
    ("password", "toimisto"), ("password", 1234567890), ("password", None),
])
def test_hostile_values_are_refused_by_field_and_claim_nothing(box: Unclaimed, field: str,
                                                               value: Any) -> None:
    answer = box.claim(**{field: value})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] == field
    assert not User.select().where(User.role == ROLE_ADMIN).exists()
    assert box.notice_file.exists()


@pytest.mark.parametrize("code", [
    "\x00" * 19, "ABCD-EFGH-JKMN-PQR\n", "ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ-ＰＱＲＳ",
    "' OR 1=1 --", "%s%s%s%s",
    "\u202eSRQP-NMKJ-HGFE-DCBA"])
def test_a_code_with_control_or_lookalike_characters_is_a_wrong_code(box: Unclaimed,
                                                                     code: str) -> None:
    answer = box.claim(source="127.0.0.8", code=code)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "code"
    assert not User.select().where(User.role == ROLE_ADMIN).exists()


def test_unknown_fields_are_refused_by_name(box: Unclaimed) -> None:
    answer = box.claim(role="person")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == "role"


# --- the API process: its log, its notice file, its restarts ---------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_api(state_dir: Path, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    ready = state_dir / "api.ready"
    ready.unlink(missing_ok=True)
    with log_path.open("ab") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "paivystys.appliance.api.server", "--db",
             str(state_dir / "paivystys.db"), "--listen", f"127.0.0.1:{port}",
             "--no-advertise", "--ready-file", str(ready),
             "--setup-code-file", str(state_dir / "run" / "setup-code")],
            stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert server.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        time.sleep(0.05)
    return server


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=15)


def test_the_logged_code_survives_restarts_and_claims_the_box(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "api.log"
    notice_file = tmp_path / "run" / "setup-code"
    codes = []
    for _start in range(2):
        server = _start_api(tmp_path, port, log_path)
        try:
            codes.append(notice_file.read_text())
        finally:
            _stop(server)
    logged = CODE_IN_LOG.findall(log_path.read_text())
    assert len(logged) == 2 and logged[0] == logged[1], log_path.read_text()
    assert codes[0] == codes[1] and logged[0] in codes[0]
    line = next(line for line in log_path.read_text().splitlines() if logged[0] in line)
    pinned = fingerprint((tmp_path / "tls" / CERT_FILE).read_bytes())
    assert f"fingerprint {pinned}" in line and f"https://127.0.0.1:{port}" in line
    assert setup_notice(tmp_path) == codes[0]  # what `paivystys status` shows

    server = _start_api(tmp_path, port, log_path)
    try:
        context = ssl.create_default_context(cafile=str(tmp_path / "tls" / CERT_FILE))
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=context) as client:
            answer = client.post("/api/claim", json={"code": logged[0], "username": "toimisto",
                                                     "password": PASSWORD})
            assert answer.status_code == 201, answer.text
        assert not notice_file.exists()
        assert setup_notice(tmp_path) is None
    finally:
        _stop(server)
    assert "the switchboard is claimed" in log_path.read_text()
