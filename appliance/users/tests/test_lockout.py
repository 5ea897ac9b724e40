"""Lock-outs per username and address: each one longer, forgotten after a quiet day, and
never reaching another address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import argon2
import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import LoginFailure, User
from paivystys.appliance.users import service
from paivystys.appliance.users.service import (
    LOCKOUT,
    MAX_FAILURES,
    MAX_LOCKOUT,
    ROLE_ADMIN,
    AuthError,
    Throttle,
    create_user,
    log_in,
    unlock,
)

PASSWORD = "toimiston-oma-salasana"
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
GUESSER = "192.168.1.66"


@pytest.fixture(autouse=True)
def cheapest_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock-out rules are under test here, not argon2's cost: the box's parameters take
    about 0.1 s a password on two cores (these tests check about a hundred), argon2-cffi's
    profile for tests next to nothing.  The same verify and the same dummy hash path run."""
    cheapest = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    monkeypatch.setattr(service, "_hasher", cheapest)
    monkeypatch.setattr(service, "_DUMMY_HASH", cheapest.hash("a password nobody has"))


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[User]:
    db = open_database(tmp_path / "paivystys.db")
    yield create_user("toimisto", PASSWORD, ROLE_ADMIN)
    db.close()


def attempt(password: str, now: dt.datetime, client: str = GUESSER,
            username: str = "toimisto") -> int:
    """The status a login answers (200 for a token)."""
    try:
        log_in(username, password, client, Throttle(), now=now)
    except AuthError as error:
        return error.status
    return 200


def fail_until_locked(now: dt.datetime, username: str = "toimisto") -> dt.timedelta:
    """Fail until the guesser's address is locked out; how long the lock-out is."""
    while attempt("arvaus-arvaus", now, username=username) == 401:
        pass
    row = LoginFailure.get(LoginFailure.username == username, LoginFailure.client == GUESSER)
    return row.locked_until - now


def test_each_lock_out_lasts_twice_as_long_up_to_a_day(admin: User) -> None:
    now, lengths = START, []
    for _ in range(10):
        length = fail_until_locked(now)
        lengths.append(length)
        assert attempt(PASSWORD, now) == 423  # even the right password, until it ends
        now += length
    assert lengths[:4] == [LOCKOUT, 2 * LOCKOUT, 4 * LOCKOUT, 8 * LOCKOUT]
    assert lengths[-1] == MAX_LOCKOUT
    assert attempt(PASSWORD, now, client="192.168.1.20") == 200  # the admin, elsewhere
    assert attempt(PASSWORD, now) == 200  # and the guesser's address once it ended


def test_the_lock_out_comes_after_max_failures_in_a_row(admin: User) -> None:
    for _ in range(MAX_FAILURES - 1):
        assert attempt("arvaus-arvaus", START) == 401
    assert attempt(PASSWORD, START) == 200  # a success starts the count again
    for _ in range(MAX_FAILURES - 1):
        assert attempt("arvaus-arvaus", START) == 401
    assert attempt("arvaus-arvaus", START) == 401  # the fifth in a row
    assert attempt(PASSWORD, START) == 423


def test_failures_are_forgotten_after_a_quiet_day(admin: User) -> None:
    for _ in range(MAX_FAILURES - 1):
        assert attempt("arvaus-arvaus", START) == 401
    for _ in range(MAX_FAILURES - 1):  # another name, a day later: the old rows go
        assert attempt("arvaus-arvaus", START + dt.timedelta(days=1, seconds=1),
                       username="nobody") == 401
    assert [row.username for row in LoginFailure.select()] == ["nobody"]


def test_an_unknown_username_is_locked_out_the_same_way(admin: User) -> None:
    assert fail_until_locked(START, username="root") == LOCKOUT
    assert attempt("anything-at-all", START, username="root") == 423


def test_unlock_lifts_every_address(admin: User) -> None:
    fail_until_locked(START)
    assert attempt("arvaus-arvaus", START, client="192.168.1.67") == 401
    unlock(admin)
    assert LoginFailure.select().count() == 0
    assert User.get_by_id(admin.id).locked_until is None
    assert attempt(PASSWORD, START) == 200


def test_the_address_throttle_forgets_quiet_addresses() -> None:
    clock = [0.0]
    throttle = Throttle(attempts=3, window_s=60, clock=lambda: clock[0])
    for _ in range(3):
        throttle.check(GUESSER)
        throttle.failed(GUESSER)
    with pytest.raises(AuthError) as caught:
        throttle.check(GUESSER)
    assert (caught.value.status, caught.value.retry_after) == (429, 61)
    throttle.check("192.168.1.20")  # another address is not slowed
    clock[0] = 61.0
    throttle.check(GUESSER)
    assert throttle._failures == {}  # nothing kept for addresses that stopped failing
