"""Request and response bodies of logging in, the caller's own account, and users."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Unknown fields are refused by name rather than ignored."""

    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginResponse(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str
    user: UserOut


class UserOut(BaseModel):
    id: int
    username: str
    role: Literal["admin", "person"]
    person_id: int | None
    locked_until: str | None = Field(description="until when the latest lock-out after failed "
                                                 "logins holds some address out of this user "
                                                 "(other addresses still log in); null: none")


class MeOut(UserOut):
    person_name: str | None = None
    on_duty: bool | None = None
    # The listening line (null for an account that is no on-call person's).
    personal_number: str | None = None
    has_pin: bool | None = None
    pin_locked_until: str | None = None


class PinSet(Strict):
    pin: str = Field(max_length=100, description="4-8 digits, for the listening line")


class DutyRequest(Strict):
    on_duty: bool


class PasswordChange(Strict):
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class UserCreate(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    role: Literal["admin", "person"]
    person_id: int | None = Field(default=None, ge=1, le=2**53)


class UserChange(Strict):
    password: str | None = Field(default=None, min_length=1, max_length=256)
    unlock: bool | None = None


LoginResponse.model_rebuild()
