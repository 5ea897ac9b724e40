"""POST /api/login, the caller's own account (/api/me...), and users (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response

from paivystys.appliance.api.auth.audit_schemas import AuditEntryOut
from paivystys.appliance.api.auth.schemas import (
    DutyRequest,
    LoginRequest,
    LoginResponse,
    MeOut,
    PasswordChange,
    PinSet,
    UserChange,
    UserCreate,
    UserOut,
)
from paivystys.appliance.api.context import (
    Admin,
    AdminChanges,
    Config,
    CurrentUser,
    Id,
    PersonChanges,
    PersonUser,
    client_address,
)
from paivystys.appliance.audit import entries, record
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import Person, User
from paivystys.appliance.directory import Directory
from paivystys.appliance.directory.views import pin_state
from paivystys.appliance.errors import Conflict
from paivystys.appliance.listening import pins
from paivystys.appliance.users import service

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/login", response_model=LoginResponse,
             responses={401: {}, 423: {"description": "locked after repeated failures"},
                        429: {"description": "too many failures from this address"}})
def login(body: LoginRequest, request: Request, config: Config) -> LoginResponse:
    client = client_address(request)
    done = service.log_in(body.username, body.password, client, config.throttle)
    record(done.user.username, "login", done.user.username, {"client": client})
    return LoginResponse(token=done.token, expires_at=done.expires_at.isoformat(),
                         user=UserOut(**service.user_to_dict(done.user)))


@router.post("/logout", status_code=204, responses={401: {}})
def logout(user: CurrentUser, request: Request) -> Response:
    token = request.headers.get("authorization", "").partition(" ")[2]
    with Changes(user.username).change("logout", user.username, reaches_asterisk=False):
        service.revoke(token)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, responses={401: {}})
def me(user: CurrentUser) -> MeOut:
    person = Person.get_or_none(Person.id == user.person_id) if user.person_id else None
    if person is None:
        return MeOut(**service.user_to_dict(user))
    return MeOut(**service.user_to_dict(user), person_name=person.name,
                 on_duty=person.on_duty, **pin_state(person))


@router.put("/me/duty", response_model=MeOut,
            responses={401: {}, 403: {}, 503: {"description": "saved, but not applied to "
                                                              "Asterisk"}})
def set_my_duty(body: DutyRequest, user: PersonUser, changes: PersonChanges) -> MeOut:
    Directory(changes).set_duty(user.person_id, body.on_duty)
    return me(user)


@router.put("/me/pin", response_model=MeOut,
            responses={401: {}, 409: {"description": "the account is no on-call person's"},
                       422: {}})
def set_my_pin(body: PinSet, user: CurrentUser) -> MeOut:
    """The caller's own PIN for the listening line: only an account that is an on-call
    person's has one, and it sets only its own person's."""
    person = Person.get_or_none(Person.id == user.person_id) if user.person_id else None
    if person is None:
        raise Conflict("person", "person: this account is no on-call person's; PINs are "
                                 "people's, for hearing their own calls by phone")
    pins.set_pin(person, body.pin, user.username)
    return me(user)


@router.put("/me/password", status_code=204,
            responses={401: {}, 422: {}, 423: {"description": "locked after repeated failures"},
                       429: {"description": "too many failures from this address"}})
def change_my_password(body: PasswordChange, user: CurrentUser, request: Request,
                       config: Config) -> Response:
    service.check_old_password(user, body.old_password, client_address(request), config.throttle)
    service.set_password(user, body.new_password, field="new_password",
                         changes=Changes(user.username))
    return Response(status_code=204)


# --- the audit log (admin) -------------------------------------------------------------

@router.get("/audit", response_model=list[AuditEntryOut], responses={401: {}, 403: {}})
def audit_log(user: Admin, limit: int = Query(100, ge=1, le=1000)) -> list[dict[str, Any]]:
    """Who changed what, newest first."""
    return entries(limit)


# --- users (admin) ---------------------------------------------------------------------

@router.get("/users", response_model=list[UserOut], responses={401: {}, 403: {}})
def list_users(user: Admin) -> list[UserOut]:
    return [UserOut(**service.user_to_dict(row)) for row in User.select().order_by(User.id)]


@router.post("/users", response_model=UserOut, status_code=201,
             responses={401: {}, 403: {}, 404: {}, 409: {}})
def add_user(body: UserCreate, changes: AdminChanges) -> UserOut:
    created = service.create_user(body.username, body.password, body.role, body.person_id,
                                  changes=changes)
    return UserOut(**service.user_to_dict(created))


@router.patch("/users/{user_id}", response_model=UserOut,
              responses={401: {}, 403: {}, 404: {}})
def change_user(user_id: Id, body: UserChange, changes: AdminChanges) -> UserOut:
    target = service.find_user(user_id)
    if body.password is not None:
        service.set_password(target, body.password, changes=changes)
    if body.unlock:
        service.unlock(target, changes=changes)
    return UserOut(**service.user_to_dict(service.find_user(user_id)))


@router.delete("/users/{user_id}", status_code=204,
               responses={401: {}, 403: {}, 404: {}, 409: {}})
def remove_user(user_id: Id, changes: AdminChanges) -> Response:
    service.remove_user(service.find_user(user_id), changes=changes)
    return Response(status_code=204)
