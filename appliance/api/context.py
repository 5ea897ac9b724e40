"""What every request handler may need: the running API's configuration and shared state,
who is asking, and the changes they make (audited as theirs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import database_path
from paivystys.appliance.db.models import User
from paivystys.appliance.users.service import ROLE_ADMIN, ROLE_PERSON, Throttle, user_for_token


@dataclass
class ApiConfig:
    db_path: Path | None
    recordings_dir: Path | None = None  # where Asterisk's MixMonitor files are, on this host
    events_socket: Path | None = None  # the call monitor's event feed
    version: str = "0"
    ready_file: Path | None = None  # written (our pid) once serving, removed at shutdown
    throttle: Throttle = field(default_factory=Throttle)
    # While the box is unclaimed: the notice for its screen (set-up code, address,
    # fingerprint), the certificate's fingerprint, and where consoles reach the API now (a
    # wildcard listen address: this box's outward address, which DHCP may give it late).
    setup_code_file: Path | None = None
    fingerprint: str = ""
    api_url: Callable[[], str] = field(default=lambda: "")

    @property
    def state_dir(self) -> Path:
        """The directory of the database, the TLS key and the set-up code."""
        return (self.db_path or database_path()).resolve().parent


MAX_ID = 2**53  # what a JSON number holds exactly
_bearer = HTTPBearer(auto_error=False, description="the token from POST /api/login")


def config(request: Request) -> ApiConfig:
    return request.app.state.config


def client_address(request: Request) -> str:
    """The peer's address: the TCP connection's, never a forwarded header's."""
    return request.client.host if request.client else "unknown"


def current_user(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                        Depends(_bearer)]) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "log in first (POST /api/login)",
                            headers={"WWW-Authenticate": "Bearer"})
    user = user_for_token(credentials.credentials)
    if user is None:
        raise HTTPException(401, "the token is unknown, revoked or expired: log in again",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


def admin(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != ROLE_ADMIN:
        raise HTTPException(403, "only an admin may do this")
    return user


def person(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != ROLE_PERSON or user.person_id is None:
        raise HTTPException(403, "only an on-call person's account may do this")
    return user


def admin_changes(user: Annotated[User, Depends(admin)]) -> Changes:
    return Changes(user.username)


def person_changes(user: Annotated[User, Depends(person)]) -> Changes:
    return Changes(user.username)


# Row ids in paths: SQLite's integers are 64-bit; anything larger can only be "not found".
Id = Annotated[int, PathParam(ge=1, le=MAX_ID, description="a row id")]
CurrentUser = Annotated[User, Depends(current_user)]
Admin = Annotated[User, Depends(admin)]
PersonUser = Annotated[User, Depends(person)]
AdminChanges = Annotated[Changes, Depends(admin_changes)]  # an admin's, who must be one
PersonChanges = Annotated[Changes, Depends(person_changes)]
Config = Annotated[ApiConfig, Depends(config)]
