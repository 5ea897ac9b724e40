"""A raw SIP client that sends INVITEs from any local address: how the lab plays a stranger.

The simulated carrier is the operator and sends from the trunk's address.  Whatever else
knocks on the appliance's SIP port (a scanner, someone forging the operator's From user, a
password guesser) is played by this module: one UDP socket bound to a chosen source address
(all of 127.0.0.0/8 is on ``lo``), hand-built requests, and the answers as they come.  It
answers a digest challenge with whatever credentials it is given, so a test can present the
right or a wrong password.

It never completes a call: a provisional answer (the call was taken for the trunk's) is
followed by CANCEL, a final one by ACK.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import time
from dataclasses import dataclass, field

SIP_VERSION = "SIP/2.0"
# Long enough for Asterisk to answer a request on a loaded 2-core machine.
ANSWER_TIMEOUT_S = 2.0
_STATUS_LINE = re.compile(r"SIP/2\.0 (\d{3}) ([^\r\n]*)")
_CHALLENGE_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')

SDP = (
    "v=0\r\n"
    "o=- 1 1 IN IP4 {address}\r\n"
    "s=probe\r\n"
    "c=IN IP4 {address}\r\n"
    "t=0 0\r\n"
    "m=audio {rtp_port} RTP/AVP 8 0\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
)


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class SipAnswer:
    status: int
    reason: str
    headers: dict[str, str]  # lower-cased names; a repeated header keeps its first value

    @property
    def provisional(self) -> bool:
        return self.status < 200


@dataclass
class InviteOutcome:
    """Every answer to one INVITE attempt (and to its authenticated repeat, if any)."""

    answers: list[SipAnswer] = field(default_factory=list)

    @property
    def statuses(self) -> list[int]:
        return [answer.status for answer in self.answers]

    @property
    def final(self) -> int | None:
        """The last final status, None when no final answer came."""
        finals = [answer.status for answer in self.answers if not answer.provisional]
        return finals[-1] if finals else None

    @property
    def accepted(self) -> bool:
        """Asterisk took the request as a call: it answered with anything but a refusal."""
        return any(answer.provisional or 200 <= answer.status < 300 for answer in self.answers)


class SipProbe:
    """Sends requests to ``target`` from ``source`` (an address of this host; port 0: any)."""

    def __init__(self, source: str, target: tuple[str, int], source_port: int = 0) -> None:
        self.target = target
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((source, source_port))
        self.source, self.source_port = self.socket.getsockname()

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> SipProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- requests --------------------------------------------------------------------------

    def invite(self, dialled: str, from_user: str, *, credentials: Credentials | None = None,
               caller_id: str | None = None, timeout: float = ANSWER_TIMEOUT_S
               ) -> InviteOutcome:
        """One call attempt: INVITE, an authenticated repeat when challenged and ``credentials``
        are given, then CANCEL or ACK so that nothing is left open."""
        dialog = _Dialog.new(self, dialled, from_user, caller_id)
        outcome = InviteOutcome()
        self._send(dialog.invite())
        answer = self._collect(dialog, outcome, timeout)
        if answer is not None and answer.status in (401, 407) and credentials is not None:
            self._send(dialog.ack(answer))
            challenge = answer.headers.get("www-authenticate" if answer.status == 401
                                           else "proxy-authenticate", "")
            dialog.next_transaction()
            self._send(dialog.invite(authorization=(answer.status, digest_answer(
                challenge, credentials, "INVITE", dialog.request_uri))))
            answer = self._collect(dialog, outcome, timeout)
        if answer is None and any(reply.provisional for reply in outcome.answers):
            self._send(dialog.cancel())
            answer = self._collect(dialog, outcome, timeout)
        if answer is not None and answer.status >= 300:
            self._send(dialog.ack(answer))
        elif answer is not None:  # answered: acknowledged and hung up at once
            self._send(dialog.ack(answer))
            dialog.next_transaction()
            self._send(dialog.bye(answer))
            self._collect(dialog, outcome, timeout, method="BYE")
        return outcome

    def flood(self, dialled: str, from_user: str, count: int) -> None:
        """``count`` distinct INVITEs as fast as the socket takes them; answers are not read."""
        for _ in range(count):
            self._send(_Dialog.new(self, dialled, from_user, None).invite())

    def drain(self, quiet_s: float = 0.5) -> list[SipAnswer]:
        """Every answer that arrives until none came for ``quiet_s``."""
        answers = []
        while (answer := self._receive(time.monotonic() + quiet_s)) is not None:
            answers.append(answer)
        return answers

    # --- plumbing --------------------------------------------------------------------------

    def _send(self, message: str) -> None:
        self.socket.sendto(message.encode("utf-8"), self.target)

    def _receive(self, deadline: float) -> SipAnswer | None:
        while (remaining := deadline - time.monotonic()) > 0:
            self.socket.settimeout(remaining)
            try:
                data = self.socket.recv(65535)
            except (TimeoutError, ConnectionRefusedError):
                # ICMP port unreachable arrives as an error on the next receive: nothing there.
                return None
            answer = parse_answer(data)
            if answer is not None:
                return answer
        return None

    def _collect(self, dialog: _Dialog, outcome: InviteOutcome, timeout: float,
                 method: str = "INVITE") -> SipAnswer | None:
        """Answers in the dialog until a final one to ``method`` (returned) or ``timeout``
        seconds without it (None)."""
        deadline = time.monotonic() + timeout
        while (answer := self._receive(deadline)) is not None:
            if answer.headers.get("call-id") != dialog.call_id:
                continue
            outcome.answers.append(answer)
            if not answer.provisional and answer.headers.get("cseq", "").endswith(method):
                return answer
        return None


@dataclass
class _Dialog:
    probe: SipProbe
    request_uri: str
    to_uri: str
    from_header: str
    call_id: str
    cseq: int
    branch: str

    @classmethod
    def new(cls, probe: SipProbe, dialled: str, from_user: str, caller_id: str | None
            ) -> _Dialog:
        host, port = probe.target
        shown = f'"{caller_id}" ' if caller_id is not None else ""
        return cls(probe=probe, request_uri=f"sip:{dialled}@{host}:{port}",
                   to_uri=f"sip:{dialled}@{host}",
                   from_header=f"{shown}<sip:{from_user}@{probe.source}>;tag={_token()}",
                   call_id=f"{_token()}@{probe.source}", cseq=1, branch=_branch())

    def next_transaction(self) -> None:
        self.cseq += 1
        self.branch = _branch()

    def _headers(self, method: str, to_tag: str = "") -> list[str]:
        probe = self.probe
        return [
            f"Via: {SIP_VERSION}/UDP {probe.source}:{probe.source_port};branch={self.branch}"
            ";rport",
            "Max-Forwards: 70",
            f"From: {self.from_header}",
            f"To: <{self.to_uri}>{to_tag}",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} {method}",
        ]

    def invite(self, authorization: tuple[int, str] | None = None) -> str:
        probe = self.probe
        body = SDP.format(address=probe.source, rtp_port=40000)
        headers = [*self._headers("INVITE"),
                   f"Contact: <sip:probe@{probe.source}:{probe.source_port}>"]
        if authorization is not None:
            status, value = authorization
            name = "Authorization" if status == 401 else "Proxy-Authorization"
            headers.append(f"{name}: {value}")
        headers += ["Content-Type: application/sdp", f"Content-Length: {len(body)}"]
        return _message(f"INVITE {self.request_uri} {SIP_VERSION}", headers, body)

    def ack(self, answer: SipAnswer) -> str:
        """The ACK of ``answer``: in the INVITE's transaction for a refusal, a transaction
        of its own (a new branch) for a 2xx."""
        if answer.status < 300:
            self.branch = _branch()
        to_tag = _tag(answer.headers.get("to", ""))
        headers = [*self._headers("ACK", f";tag={to_tag}" if to_tag else ""),
                   "Content-Length: 0"]
        return _message(f"ACK {self.request_uri} {SIP_VERSION}", headers, "")

    def bye(self, answer: SipAnswer) -> str:
        to_tag = _tag(answer.headers.get("to", ""))
        headers = [*self._headers("BYE", f";tag={to_tag}" if to_tag else ""),
                   "Content-Length: 0"]
        return _message(f"BYE {self.request_uri} {SIP_VERSION}", headers, "")

    def cancel(self) -> str:
        headers = [*self._headers("CANCEL"), "Content-Length: 0"]
        return _message(f"CANCEL {self.request_uri} {SIP_VERSION}", headers, "")


def parse_answer(data: bytes) -> SipAnswer | None:
    """A SIP response's status and headers; None for anything else (a request, garbage)."""
    text = data.decode("utf-8", "replace")
    head = text.split("\r\n\r\n", 1)[0]
    lines = head.split("\r\n")
    status = _STATUS_LINE.fullmatch(lines[0])
    if status is None:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, separator, value = line.partition(":")
        if separator:
            headers.setdefault(name.strip().lower(), value.strip())
    return SipAnswer(int(status[1]), status[2], headers)


def digest_answer(challenge: str, credentials: Credentials, method: str, uri: str,
                  cnonce: str | None = None) -> str:
    """The Authorization value answering a Digest challenge (RFC 2617, MD5, qop auth)."""
    params = {match[1].lower(): match[2] or match[3]
              for match in _CHALLENGE_PARAM.finditer(challenge)}
    realm, nonce = params.get("realm", ""), params.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1 = md5(f"{credentials.username}:{realm}:{credentials.password}")
    ha2 = md5(f"{method}:{uri}")
    parts = [f'username="{credentials.username}"', f'realm="{realm}"', f'nonce="{nonce}"',
             f'uri="{uri}"', "algorithm=MD5"]
    if "auth" in params.get("qop", "").split(","):
        cnonce, count = cnonce or _token(), "00000001"
        response = md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
        parts += [f'cnonce="{cnonce}"', f"nc={count}", "qop=auth"]
    else:
        response = md5(f"{ha1}:{nonce}:{ha2}")
    parts.append(f'response="{response}"')
    if "opaque" in params:
        parts.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(parts)


def _message(start_line: str, headers: list[str], body: str) -> str:
    return "\r\n".join([start_line, *headers, "", body])


def _tag(header: str) -> str:
    match = re.search(r";tag=([^;>\s]+)", header)
    return match[1] if match else ""


def _token() -> str:
    return secrets.token_hex(8)


def _branch() -> str:
    return f"z9hG4bK{_token()}"
