"""The appliance's LAN API as blocking calls that fail in exactly one way: ApiFailure.

Blocking on purpose: the UI runs these through `worker.BackgroundCalls`, never on its own
thread, and plain calls are easy to test and to reuse outside Qt.  Failures carry a `kind`
rather than a sentence; the UI words each kind in the user's language.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, BinaryIO

import httpx

from paivystys.gui.net.address import ApplianceAddress
from paivystys.gui.net.pinning import FingerprintMismatch, fetch_fingerprint, pinned_httpx_client

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
UPLOAD_CHUNK = 256 * 1024


class FailureKind(StrEnum):
    UNREACHABLE = "unreachable"  # no route, refused, timed out, not TLS: "try again"
    TLS_MISMATCH = "tls_mismatch"  # another certificate than the pinned one
    UNAUTHORIZED = "unauthorized"  # wrong password at login; token expired or revoked after
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    INVALID = "invalid"  # a value was refused; `field` names it
    LOCKED = "locked"  # the user is locked after repeated failures; `retry_after` seconds
    THROTTLED = "throttled"  # too many failures from this PC; `retry_after` seconds
    SERVER_ERROR = "server_error"


class ApiFailure(Exception):
    """Every way a call can fail, as the UI needs it: what kind, which field, how long to wait.

    `message` is the appliance's own (English) explanation or the network error, for the log
    and the details line; it is not what the user reads first.
    """

    def __init__(self, kind: FailureKind, message: str, field: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"ApiFailure({self.kind.value!r}, {self.message!r}, field={self.field!r})"


@dataclass(frozen=True)
class Session:
    """A logged-in user on one pinned appliance: all a window needs to make its own client."""

    base_url: str
    fingerprint: str
    token: str
    username: str
    role: str
    expires_at: str


@dataclass(frozen=True)
class ByteRange:
    """Part of a file the appliance serves: `data` from byte `start`, of `total` in all."""

    data: bytes
    start: int
    total: int


_STATUS_KINDS = {401: FailureKind.UNAUTHORIZED, 403: FailureKind.FORBIDDEN,
                 404: FailureKind.NOT_FOUND, 423: FailureKind.LOCKED,
                 429: FailureKind.THROTTLED}


def _failure_from_response(response: httpx.Response) -> ApiFailure:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    field = None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        # FastAPI's validation shape, which the appliance uses for every refused value.
        location = detail[0].get("loc") or [None]
        field = str(location[-1]) if location[-1] is not None else None
        message = str(detail[0].get("msg", ""))
    else:
        message = str(detail) if detail else response.reason_phrase
    retry_after = response.headers.get("retry-after")
    status = response.status_code
    if status in _STATUS_KINDS:
        kind = _STATUS_KINDS[status]
    elif status >= 500:
        kind = FailureKind.SERVER_ERROR
    else:
        kind = FailureKind.INVALID
    return ApiFailure(kind, message, field=field,
                      retry_after=int(retry_after) if retry_after and retry_after.isdigit()
                      else None)


def probe_fingerprint(address: ApplianceAddress) -> str:
    """The fingerprint the appliance at `address` presents, or ApiFailure(UNREACHABLE)."""
    try:
        return fetch_fingerprint(address.host, address.port)
    except (OSError, ssl.SSLError) as error:  # refused, no route, timeout, not TLS
        raise ApiFailure(FailureKind.UNREACHABLE, f"{address.url}: {error}") from error


class ApplianceClient:
    """One pinned appliance; after `login` (or with a stored token) calls are authorised.

    Thread-safe as httpx.Client is, so background calls may share one instance.
    """

    def __init__(self, base_url: str, fingerprint: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.fingerprint = fingerprint
        self._http = pinned_httpx_client(base_url, fingerprint, timeout=TIMEOUT_S)
        self.token = token

    @classmethod
    def for_session(cls, session: Session) -> ApplianceClient:
        return cls(session.base_url, session.fingerprint, session.token)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApplianceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def login(self, username: str, password: str) -> Session:
        answer = self._request("POST", "/api/login",
                               json={"username": username, "password": password},
                               authorised=False)
        return self._session(answer)

    def is_claimed(self) -> bool:
        """Whether the appliance has its admin; one that does not answers nothing but a claim.
        A switchboard older than the claim has no such route: it was set up on the box."""
        try:
            return bool(self._request("GET", "/api/claim", authorised=False)["claimed"])
        except ApiFailure as failure:
            if failure.kind is FailureKind.NOT_FOUND:
                return True
            raise

    def claim(self, code: str, username: str, password: str) -> Session:
        """Become the first admin of an unclaimed appliance with the set-up code it shows;
        logged in as that admin."""
        answer = self._request("POST", "/api/claim", json={
            "code": code, "username": username, "password": password}, authorised=False)
        return self._session(answer)

    def _session(self, login: dict[str, Any]) -> Session:
        """The session of a login's (or a claim's) answer; this client is logged in with it."""
        self.token = login["token"]
        return Session(self.base_url, self.fingerprint, login["token"],
                       login["user"]["username"], login["user"]["role"], login["expires_at"])

    def logout(self) -> None:
        self._request("POST", "/api/logout")
        self.token = None

    def get(self, path: str, **params: Any) -> Any:
        return self._request("GET", path, params=params or None)

    def post(self, path: str, body: Any = None) -> Any:
        return self._request("POST", path, json=body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._request("PUT", path, json=body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._request("PATCH", path, json=body)

    def delete(self, path: str, **params: Any) -> Any:
        return self._request("DELETE", path, params=params or None)

    def download(self, path: str, target: BinaryIO, **params: Any) -> int:
        """Stream a GET answer (a CSV export of any length) into `target` chunk by chunk, so
        memory stays flat; returns the bytes written.  Network failures are ApiFailure as in
        `_send`; a failing `target` (disk full) raises its own OSError for the caller."""
        written = 0
        with (self._network_failures(),
              self._http.stream("GET", path, params=params or None,
                                headers=self._authorisation(True)) as response):
            if response.is_error:
                response.read()
                raise _failure_from_response(response)
            for chunk in response.iter_bytes():
                written += target.write(chunk)
        return written

    def upload(self, path: str, source: BinaryIO, size: int, headers: dict[str, str],
               progress: Callable[[int], None] | None = None) -> Any:
        """POST the `size` bytes `source` reads as the request's body, streamed a chunk at a
        time (memory stays flat; the appliance can refuse a too large one by its declared
        length), with `progress(bytes sent)` after each chunk; the JSON answer."""
        def chunks() -> Iterator[bytes]:
            sent = 0
            while chunk := source.read(UPLOAD_CHUNK):
                yield chunk
                sent += len(chunk)
                if progress is not None:
                    progress(sent)

        return self._request("POST", path, content=chunks(),
                             headers={**headers, "Content-Length": str(size)})

    def get_range(self, path: str, start: int, length: int) -> ByteRange:
        """`length` bytes of a file from byte `start` (fewer at its end), by an HTTP Range
        request: a recording plays, and seeks, without being downloaded whole."""
        response = self._send("GET", path,
                              headers={"Range": f"bytes={start}-{start + length - 1}"})
        if response.status_code == 206:  # "Content-Range: bytes 0-99/1234"
            total = response.headers["content-range"].rpartition("/")[2]
            return ByteRange(response.content, start, int(total))
        # A server that ignores Range answers the whole file.
        return ByteRange(response.content[start:start + length], start, len(response.content))

    def _authorisation(self, authorised: bool) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if authorised and self.token else {}

    @contextlib.contextmanager
    def _network_failures(self, *also: type[Exception]) -> Iterator[None]:
        """Failures of the connection as ApiFailure; `also` adds more exception types."""
        try:
            yield
        except FingerprintMismatch as error:
            raise ApiFailure(FailureKind.TLS_MISMATCH, str(error)) from error
        except (httpx.TransportError, ssl.SSLError, *also) as error:
            raise ApiFailure(FailureKind.UNREACHABLE,
                             f"{self.base_url}: {error or type(error).__name__}") from error

    def _send(self, method: str, path: str, authorised: bool = True,
              headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """One request and its answer; every way it fails is an ApiFailure."""
        with self._network_failures(OSError):
            response = self._http.request(
                method, path, headers={**(headers or {}), **self._authorisation(authorised)},
                **kwargs)
        if response.is_error:
            failure = _failure_from_response(response)
            log.info("%s %s answered %d: %s", method, path, response.status_code, failure.message)
            raise failure
        return response

    def _request(self, method: str, path: str, authorised: bool = True, **kwargs: Any) -> Any:
        response = self._send(method, path, authorised, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ApiFailure(FailureKind.SERVER_ERROR,
                             f"{method} {path} answered something that is not JSON") from error
