"""Users and logins.

Passwords are argon2id hashes (argon2-cffi); a token is 32 random bytes of which only the
SHA-256 is stored, valid for ``TOKEN_TTL``.

Guessing is slowed at two levels, neither of which one address can turn against another:

- per username and client address (stored, so a restart does not reset it): after
  ``MAX_FAILURES`` failures in a row, that address is refused for that username for
  ``LOCKOUT``, twice as long after each further ``MAX_FAILURES``, up to ``MAX_LOCKOUT``.  The
  admin at another address logs in as usual; ``paivystys user unlock`` lifts every lock of a
  user.  A wrong old password when changing one's password counts the same, and so does a
  wrong set-up code (:mod:`.claim`), under a name no username can be.
- per client address, whatever the username (in memory: it only has to slow a guesser down):
  ``THROTTLE_ATTEMPTS`` failures a minute are the most one address gets.

An unknown username is counted, locked and answered exactly as a known one, after the same
argon2 work, so neither the answers nor their timing tell which usernames exist.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import argon2

from paivystys.appliance.audit import record
from paivystys.appliance.changes import SYSTEM, Change, Changes
from paivystys.appliance.db.models import (
    ApiToken,
    LoginFailure,
    Person,
    User,
    database_proxy,
    utcnow,
)
from paivystys.appliance.errors import Conflict, Invalid, NotFound

ROLE_ADMIN = "admin"
ROLE_PERSON = "person"
ROLES = (ROLE_ADMIN, ROLE_PERSON)
TOKEN_TTL = dt.timedelta(hours=12)
MAX_FAILURES = 5  # in a row, per username and address, before that address is locked out
LOCKOUT = dt.timedelta(minutes=15)  # the first lock-out; each further one twice as long ...
MAX_LOCKOUT = dt.timedelta(days=1)  # ... up to this
FORGET_FAILURES = dt.timedelta(days=1)  # failures this old, with no lock running, are forgotten
THROTTLE_ATTEMPTS = 10  # per client address ...
THROTTLE_WINDOW_S = 60.0  # ... in this many seconds
PASSWORD_MIN = 10
# zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" against online attacks,
# moderate protection if the hashes leak with a backup).
PASSWORD_MIN_SCORE = 3
SCORED_LENGTH = 72  # zxcvbn refuses longer input; the first 72 characters carry the guessing
# What a guesser tries first against this box, beyond zxcvbn's own (English) lists: the
# product's and the office's words and common Finnish password words.
CONTEXT_WORDS = (
    "paivystys", "päivystys", "paivystysvaihde", "päivystysvaihde", "vaihde", "vaihteen",
    "paivystaja", "päivystäjä", "toimisto", "admin", "huolto", "kiinteisto", "kiinteistö",
    "salasana", "salainen", "tunnus", "puhelin", "suomi", "suomen", "helsinki", "tampere",
    "turku", "oulu", "espoo", "vantaa", "kesa", "kesä", "talvi", "kevat", "kevät", "syksy",
    "kissa", "koira", "perkele", "moikka", "terve", "hyvaa", "hyvää", "rakkaus", "aurinko",
    "kulta", "muru", "mansikka", "joulu", "tervetuloa", "sisu", "sauna",
)
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
# The most a stored hash may ask of a login (ours: argon2-cffi's defaults, m=65536 t=3 p=4).
MAX_HASH_MEMORY_KIB = 262_144
MAX_HASH_TIME = 10
MAX_HASH_LANES = 16

_hasher = argon2.PasswordHasher()
_zxcvbn_lock = threading.Lock()
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class AuthError(Exception):
    """A login or token was refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Login:
    token: str
    expires_at: dt.datetime
    user: User


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- users -------------------------------------------------------------------------------

def check_password_quality(password: str, username: str, field: str = "password",
                           names: Sequence[str] = ()) -> None:
    """Refuse a password that is short or easy to guess: common passwords, words and names,
    keyboard runs, repeats, dates, the username or the person's name (zxcvbn's estimate,
    which knows all of these, must reach :data:`PASSWORD_MIN_SCORE`)."""
    if len(password) < PASSWORD_MIN:
        raise Invalid(field, f"{field}: at least {PASSWORD_MIN} characters, please")
    if password.strip().casefold() == username.casefold():
        raise Invalid(field, f"{field}: must not be the username")
    import zxcvbn  # here: its word lists take 12 MB, needed only when a password is set

    context = [username, *CONTEXT_WORDS]
    for name in names:
        context += [name, "".join(name.split()), *name.split()]
    with _zxcvbn_lock:  # zxcvbn keeps the words of the current call in a module global
        estimate = zxcvbn.zxcvbn(password[:SCORED_LENGTH], user_inputs=context)
    if estimate["score"] < PASSWORD_MIN_SCORE:
        feedback = estimate["feedback"]
        why = (feedback["warning"] or "it is made of common words, names or patterns").rstrip(".")
        advice = " ".join(feedback["suggestions"]) or "Add another word or two."
        raise Invalid(field, f"{field}: too easy to guess: {why}. {advice}")


def check_user(username: object, role: object, person_id: int | None) -> dict[str, object]:
    """A user's name, role and person link checked, in the form stored: the validation of
    :func:`create_user` and of a restored backup's user rows."""
    name = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME.fullmatch(name):
        raise Invalid("username", "username: 3-64 characters: a-z, 0-9, '.', '_', '-', "
                                  f"starting with a letter or digit; got {username!r}")
    if role not in ROLES:
        raise Invalid("role", f"role: one of {', '.join(ROLES)}, got {role!r}")
    if role == ROLE_PERSON and person_id is None:
        raise Invalid("person_id", "person_id: an on-call person's account names the person")
    return {"username": name, "role": role, "person": person_id}


def check_password_hash(value: str, field: str = "password_hash", secret: str = "password",
                        check: str = "a login") -> str:
    """A stored password hash (a restored backup's): argon2id with parameters this box can
    verify; a hash asking for gigabytes of memory would make every login a denial of service.
    The same holds for a PIN's hash (``secret`` and ``check`` name them in the messages)."""
    try:
        parameters = argon2.extract_parameters(value)
    except argon2.exceptions.InvalidHashError:
        raise Invalid(field, f"{field}: not an argon2id {secret} hash") from None
    if parameters.type is not argon2.Type.ID:
        raise Invalid(field, f"{field}: not an argon2id {secret} hash")
    if (parameters.memory_cost > MAX_HASH_MEMORY_KIB or parameters.time_cost > MAX_HASH_TIME
            or parameters.parallelism > MAX_HASH_LANES):
        raise Invalid(field, f"{field}: asks for more work than {check} may take (at most "
                             f"m={MAX_HASH_MEMORY_KIB}, t={MAX_HASH_TIME}, "
                             f"p={MAX_HASH_LANES})")
    return value


def _account_change(changes: Changes | None, action: str, target: str,
                    details: dict[str, object] | None = None) -> AbstractContextManager[Change]:
    """A change of the accounts, audited as ``changes``' (None: the appliance's own).  Asterisk
    reads nothing of them: nothing is applied."""
    return (changes or Changes(SYSTEM)).change(action, target, details, reaches_asterisk=False)


def check_new_user(username: str, password: str, role: str,
                   person_id: int | None = None) -> dict[str, object]:
    """A new account's name, role, person link and password checked (the password against
    the person's name too); the values in the form stored, for :func:`insert_user`."""
    values = check_user(username, role, person_id)
    person = Person.get_or_none(Person.id == person_id) if person_id is not None else None
    check_password_quality(password, str(values["username"]),
                           names=[person.name] if person else [])
    return values


def hash_password(password: str) -> str:
    """The argon2id hash stored for ``password`` (about 0.1 s of work: done before a
    transaction, not inside it)."""
    return _hasher.hash(password)


def insert_user(values: dict[str, object], password_hash: str) -> User:
    """The account of :func:`check_new_user`'s ``values``, inside the caller's change, unless
    its name or person is taken meanwhile."""
    name, person_id = values["username"], values["person"]
    if User.get_or_none(User.username == name) is not None:
        raise Conflict("username", f"username: {name!r} is taken")
    if person_id is not None:
        if Person.get_or_none(Person.id == person_id) is None:
            raise NotFound("person_id", f"person_id: no person with id {person_id}")
        if User.get_or_none(User.person == person_id) is not None:
            raise Conflict("person_id", f"person_id: person {person_id} has an account")
    return User.create(password_hash=password_hash, **values)


def create_user(username: str, password: str, role: str,
                person_id: int | None = None, *, changes: Changes | None = None) -> User:
    values = check_new_user(username, password, role, person_id)
    password_hash = hash_password(password)
    with _account_change(changes, "user.add", str(values["username"]),
                         {"role": role, "person_id": person_id}):
        return insert_user(values, password_hash)


def set_password(user: User, password: str, field: str = "password", *,
                 changes: Changes | None = None) -> None:
    """A new password (the user's own, or one an admin gives); every login of the user ends."""
    person = Person.get_or_none(Person.id == user.person_id) if user.person_id else None
    check_password_quality(password, user.username, field, [person.name] if person else [])
    with _account_change(changes, "user.password", user.username):
        user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.locked_until = None
        user.save()
        revoke_all(user)


def find_user(ref: int | str) -> User:
    user = (User.get_or_none(User.id == int(ref)) if str(ref).isdigit()
            else User.get_or_none(User.username == str(ref).strip().lower()))
    if user is None:
        raise NotFound("user", f"user: no user {ref!r}")
    return user


def unlock(user: User, *, changes: Changes | None = None) -> None:
    """Lift every lock-out of ``user``, from every address, and forget its failures."""
    with _account_change(changes, "user.unlock", user.username):
        LoginFailure.delete().where(LoginFailure.username == user.username).execute()
        User.update(failed_logins=0, locked_until=None).where(User.id == user.id).execute()


def remove_user(user: User, *, changes: Changes | None = None) -> None:
    with _account_change(changes, "user.remove", user.username):
        if user.role == ROLE_ADMIN and User.select().where(User.role == ROLE_ADMIN).count() == 1:
            raise Conflict("user", "user: the last admin cannot be removed")
        user.delete_instance()


def admin_exists() -> bool:
    return User.select().where(User.role == ROLE_ADMIN).exists()


def user_to_dict(user: User) -> dict[str, object]:
    return {"id": user.id, "username": user.username, "role": user.role,
            "person_id": user.person_id,
            "locked_until": (_aware(user.locked_until).isoformat(timespec="seconds")
                             if user.locked_until else None)}


# --- logging in ----------------------------------------------------------------------------

class Throttle:
    """Failed logins per client address in a sliding window."""

    def __init__(self, attempts: int = THROTTLE_ATTEMPTS, window_s: float = THROTTLE_WINDOW_S,
                 clock=time.monotonic) -> None:
        self._attempts = attempts
        self._window = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        with self._lock:
            recent = self._recent(client)
            if not recent:  # only addresses that failed lately are kept
                del self._failures[client]
            elif len(recent) >= self._attempts:
                wait = int(recent[0] + self._window - self._clock()) + 1
                raise AuthError(429, f"too many failed logins from {client}; wait {wait} s",
                                retry_after=wait)

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self._clock())

    def _recent(self, client: str) -> deque[float]:
        recent = self._failures[client]
        while recent and recent[0] <= self._clock() - self._window:
            recent.popleft()
        return recent


def log_in(username: str, password: str, client: str, throttle: Throttle,
           now: dt.datetime | None = None) -> Login:
    now = now or utcnow()
    name = username.strip().lower()
    refuse_if_guessing(name, client, throttle, now)
    user = User.get_or_none(User.username == name)
    if user is None:
        _verify_dummy(password)
        record_failure(name, client, throttle, now)
        raise AuthError(401, "wrong username or password")
    try:
        _hasher.verify(user.password_hash, password)
    except argon2.exceptions.VerificationError:
        record_failure(name, client, throttle, now)
        raise AuthError(401, "wrong username or password") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins, user.last_login_at = 0, now
    user.save()
    forget_failures(name, client)
    return start_session(user, now)


def start_session(user: User, now: dt.datetime) -> Login:
    """A new token of ``user``'s, valid for :data:`TOKEN_TTL` from ``now``."""
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_TTL
    ApiToken.create(token_hash=_token_hash(token), user=user, created_at=now, expires_at=expires)
    return Login(token, expires, user)


def check_old_password(user: User, password: str, client: str, throttle: Throttle,
                       now: dt.datetime | None = None) -> None:
    """The caller's own password, asked before changing it: a wrong one is a failed login
    (a stolen token must not become a way to guess the password)."""
    now = now or utcnow()
    refuse_if_guessing(user.username, client, throttle, now)
    try:
        _hasher.verify(user.password_hash, password)
    except argon2.exceptions.VerificationError:
        record_failure(user.username, client, throttle, now)
        raise Invalid("old_password", "old_password: that is not your password") from None
    forget_failures(user.username, client)


def _verify_dummy(password: str) -> None:
    with contextlib.suppress(argon2.exceptions.VerificationError):
        _hasher.verify(_DUMMY_HASH, password)


def refuse_if_guessing(name: str, client: str, throttle: Throttle, now: dt.datetime) -> None:
    """Refuse an attempt at ``name``'s secret (a password, or the set-up code) from
    ``client`` while that address is throttled (429) or locked out of ``name`` (423)."""
    throttle.check(client)
    row = LoginFailure.get_or_none(LoginFailure.username == name, LoginFailure.client == client)
    locked_until = _aware(row.locked_until) if row is not None else None
    if locked_until is not None and locked_until > now:
        raise AuthError(423, "too many failed logins: this username is locked for this "
                             f"address until {locked_until.isoformat(timespec='minutes')}; "
                             "an admin can unlock it sooner",
                        retry_after=int((locked_until - now).total_seconds()) + 1)


def _lockout(failures: int) -> dt.timedelta:
    """How long the ``failures``-th failure in a row locks its address out, if at all."""
    if failures < MAX_FAILURES or failures % MAX_FAILURES:
        return dt.timedelta(0)
    return min(LOCKOUT * 2 ** (failures // MAX_FAILURES - 1), MAX_LOCKOUT)


def record_failure(name: str, client: str, throttle: Throttle, now: dt.datetime) -> None:
    """A wrong secret for ``name`` from ``client``: counted, and locked out at each
    :data:`MAX_FAILURES` in a row."""
    throttle.failed(client)
    with database_proxy.atomic():
        # One statement per step, so two concurrent failures both count.
        LoginFailure.insert(username=name, client=client, failures=1,
                            last_failed_at=now).on_conflict(
            conflict_target=[LoginFailure.username, LoginFailure.client],
            update={LoginFailure.failures: LoginFailure.failures + 1,
                    LoginFailure.last_failed_at: now}).execute()
        User.update(failed_logins=User.failed_logins + 1).where(User.username == name).execute()
        failures = LoginFailure.get(LoginFailure.username == name,
                                    LoginFailure.client == client).failures
        lockout = _lockout(failures)
        if lockout:
            until = now + lockout
            LoginFailure.update(locked_until=until).where(
                LoginFailure.username == name, LoginFailure.client == client).execute()
            User.update(locked_until=until).where(User.username == name).execute()
            record("system", "login.locked", name, {"client": client, "failures": failures,
                                                    "minutes": int(lockout.total_seconds() // 60)})
        LoginFailure.delete().where(
            LoginFailure.last_failed_at < now - FORGET_FAILURES,
            LoginFailure.locked_until.is_null() | (LoginFailure.locked_until < now)).execute()


def forget_failures(name: str, client: str) -> None:
    """The right secret for ``name`` from ``client``: its failures in a row end."""
    LoginFailure.delete().where(LoginFailure.username == name,
                                LoginFailure.client == client).execute()


def user_for_token(token: str, now: dt.datetime | None = None) -> User | None:
    now = now or utcnow()
    row = (ApiToken.select(ApiToken, User).join(User)
           .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked == False)  # noqa: E712
           .first())
    if row is None or _aware(row.expires_at) <= now:
        return None
    return row.user


def revoke(token: str) -> None:
    ApiToken.update(revoked=True).where(ApiToken.token_hash == _token_hash(token)).execute()


def revoke_all(user: User) -> None:
    ApiToken.update(revoked=True).where(ApiToken.user == user).execute()
