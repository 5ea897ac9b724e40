"""Errors as the console shows them: a refused value names its field in FastAPI's own
validation shape (``detail[0].loc[-1]``), so every 4xx about a value says which value; a change
saved but not applied to Asterisk is a 503 that says so."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from paivystys.appliance.errors import ApplyFailed, Conflict, FieldError, Invalid, NotFound
from paivystys.appliance.users.service import AuthError

# The first that matches; any other FieldError is a value refused (422).
STATUS = ((Invalid, 422), (NotFound, 404), (Conflict, 409), (ApplyFailed, 503))
DEFAULT_STATUS = 422


def field_error_body(field: str, message: str, kind: str, location: str = "body") -> dict:
    return {"detail": [{"loc": [location, field], "msg": message, "type": kind}]}


def install(app: FastAPI) -> None:
    @app.exception_handler(FieldError)
    async def field_error(request: Request, error: FieldError) -> JSONResponse:
        status = next((code for kind, code in STATUS if isinstance(error, kind)),
                      DEFAULT_STATUS)
        return JSONResponse(field_error_body(error.field, error.message,
                                             type(error).__name__.lower(), error.location),
                            status_code=status)

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, error: AuthError) -> JSONResponse:
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
        return JSONResponse({"detail": error.message}, status_code=error.status,
                            headers=headers)
