"""Errors as the console shows them: a directory error names its field in FastAPI's own
validation shape (``detail[0].loc[-1]``), so every 4xx about a value says which value."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from paivystys.appliance.errors import (
    ApplyFailed,
    Conflict,
    DirectoryError,
    Invalid,
    NotFound,
)
from paivystys.appliance.users.service import AuthError

STATUS = ((Invalid, 422), (NotFound, 404), (Conflict, 409), (ApplyFailed, 503))


class FieldError(Exception):
    """A request value is wrong, outside the directory (a query's filter, a restore file).
    ``location`` is where the value came from, as FastAPI's own errors name it: "body",
    "query", "path"."""

    def __init__(self, field: str, message: str, status: int = 422,
                 location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status
        self.location = location


def field_error_body(field: str, message: str, kind: str, location: str = "body") -> dict:
    return {"detail": [{"loc": [location, field], "msg": message, "type": kind}]}


def install(app: FastAPI) -> None:
    @app.exception_handler(DirectoryError)
    async def directory_error(request: Request, error: DirectoryError) -> JSONResponse:
        status = next((code for kind, code in STATUS if isinstance(error, kind)), 400)
        return JSONResponse(field_error_body(error.field, error.message,
                                             type(error).__name__.lower()), status_code=status)

    @app.exception_handler(FieldError)
    async def field_error(request: Request, error: FieldError) -> JSONResponse:
        return JSONResponse(field_error_body(error.field, error.message, "invalid",
                                             error.location), status_code=error.status)

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, error: AuthError) -> JSONResponse:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        return JSONResponse({"detail": error.message}, status_code=error.status,
                            headers=headers)
