"""GET /api/update: the installed version and where the last update is; POST /api/update: an
admin uploads a package the vendor signed, to be installed by root's installer.

The upload is the package itself as the request's body (streamed to a file in the state
directory, never held in memory) with its signature file, base64, in the ``Update-Signature``
header::

    curl --cacert api.crt -H "Authorization: Bearer $TOKEN" \\
         -H "Update-Signature: $(base64 -w0 paivystys_0.2.0_amd64.deb.sig)" \\
         --data-binary @paivystys_0.2.0_amd64.deb https://box:8443/api/update

The signature, the package's name, architecture and version are checked before the body is
read (a package that will not be taken is not uploaded in vain); the body's bytes against the
signature as they arrive.  Answers: 202 with the state "waiting" once the request is dropped;
409 when this switchboard takes no update (lab mode) or one is already on its way; 413 past
the size limit; 422 with the reason for a package refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Header, Request

from paivystys.appliance.api.context import Admin, AdminChanges, Config
from paivystys.appliance.api.update.package import (
    UpdateDir,
    UpdateHost,
    UpdateRefused,
    UpdatesUnavailable,
    accept_signature,
    request_update,
    why_no_updates,
)
from paivystys.appliance.api.update.schemas import UpdateOut
from paivystys.appliance.api.update.signature import (
    MAX_SIGNATURE_BYTES,
    Manifest,
    SignatureRefused,
    check_file,
)
from paivystys.appliance.errors import Conflict, Invalid

router = APIRouter(prefix="/api", tags=["update"], responses={401: {}, 403: {}})

# This machine as updates see it; the tests put a machine of their own here.
HOST = UpdateHost()
SIGNATURE_HEADER = "Update-Signature"
MAX_HEADER_CHARS = 4 * -(-MAX_SIGNATURE_BYTES // 3)  # base64 of the largest signature file


@router.get("/update", response_model=UpdateOut)
def update_status(user: Admin, config: Config) -> UpdateOut:
    return _status(config.state_dir, config.version)


@router.post("/update", status_code=202, response_model=UpdateOut,
             responses={409: {"description": "this switchboard takes no update (lab mode), or "
                                             "one is already waiting or being installed"},
                        413: {"description": "larger than an update may be"},
                        422: {"description": "the package or its signature is refused: the "
                                             "reason says why"}},
             # The body is the package's bytes whatever its Content-Type says.
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {
                     "schema": {"type": "string", "format": "binary"}}}}})
async def upload_update(
        request: Request, changes: AdminChanges, config: Config,
        signature: Annotated[str | None, Header(
            alias=SIGNATURE_HEADER, description="the package's .sig file, base64")] = None,
) -> UpdateOut:
    """Check a package and its signature, keep them, and ask root to install them."""
    host, state_dir = HOST, config.state_dir
    updates = UpdateDir(state_dir)
    why_not = await asyncio.to_thread(why_no_updates, state_dir, host)
    if why_not is not None:
        raise Conflict("package", why_not)
    signature_file = _signature_file(signature)
    with _refusals():
        await asyncio.to_thread(updates.refuse_if_busy, host)
        manifest, installed = await asyncio.to_thread(accept_signature, signature_file, host)
    descriptor, partial = updates.new_partial()
    try:
        with os.fdopen(descriptor, "wb") as file:
            await _receive(request, file, manifest)
        with _refusals():
            await asyncio.to_thread(request_update, updates, host, partial, signature_file,
                                    manifest, installed, changes)
    finally:
        partial.unlink(missing_ok=True)  # once staged, it is renamed away already
    return await asyncio.to_thread(_status, state_dir, config.version)


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """The update's refusals as the API answers them: the signature's at its header, the
    package's as a refused value, "not now" or "not here" as a conflict."""
    try:
        yield
    except SignatureRefused as refused:
        raise Invalid(SIGNATURE_HEADER, str(refused), location="header") from refused
    except UpdateRefused as refused:
        raise Invalid("package", str(refused)) from refused
    except UpdatesUnavailable as busy:
        raise Conflict("package", str(busy)) from busy


def _signature_file(header: str | None) -> bytes:
    if not header:
        raise Invalid(SIGNATURE_HEADER, f"the package's signature file (.sig) goes with it, "
                                        f"base64, in the {SIGNATURE_HEADER} header",
                      location="header")
    if len(header) > MAX_HEADER_CHARS:
        raise Invalid(SIGNATURE_HEADER, f"longer than a signature file: at most "
                                        f"{MAX_SIGNATURE_BYTES} bytes, base64", location="header")
    try:
        return base64.b64decode(header.strip(), validate=True)
    except binascii.Error as error:
        raise Invalid(SIGNATURE_HEADER, "not base64", location="header") from error


async def _receive(request: Request, file: BinaryIO, manifest: Manifest) -> None:
    """The body into ``file``, checked against the signature: no more bytes than it names
    (refused as soon as there are), and its SHA-256.  Larger than any update: the
    application's BodySizeLimit answers 413 as it arrives."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > manifest.size:
            raise Invalid("package", f"the upload is larger than the {manifest.size} bytes its "
                                     "signature names: it is not the signed package")
        digest.update(chunk)
        file.write(chunk)
    try:
        check_file(manifest, size, digest.hexdigest())
    except SignatureRefused as refused:
        raise Invalid("package", str(refused)) from refused


def _status(state_dir: Path, running_version: str) -> UpdateOut:
    host = HOST
    why_not = why_no_updates(state_dir, host)
    status = UpdateDir(state_dir).status(host)
    if why_not is not None:
        return UpdateOut(installed_version=running_version, architecture=None, updates=False,
                         why_not=why_not, **asdict(status))
    return UpdateOut(installed_version=host.installed_version() or running_version,
                     architecture=host.architecture(), updates=True, why_not=None,
                     **asdict(status))
