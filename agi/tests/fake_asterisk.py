"""Asterisk's side of a FastAGI conversation, for tests and the benchmark.

Sends an AGI environment, then answers each command the way Asterisk does for the commands the
handlers use: ``GET VARIABLE`` from a dict of channel variables, ``SET VARIABLE`` into it, and
``200 result=1`` to anything else.  A :class:`Caller` plays the person on the line: it hears
every sound played (``heard``) and presses keys or hangs up where its script says.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# pyst2 quotes every argument and does not escape: "NAME" "value"
QUOTED = re.compile(r'"([^"]*)"')


def agi_env(route: str, address: tuple[str, int] = ("127.0.0.1", 4573),
            **extra: str) -> dict[str, str]:
    host, port = address
    return {
        "agi_network": "yes",
        "agi_network_script": route,
        "agi_request": f"agi://{host}:{port}/{route}",
        "agi_channel": "PJSIP/trunk-00000001",
        "agi_language": "fi",
        "agi_type": "PJSIP",
        "agi_uniqueid": "1700000000.1",
        "agi_callerid": "+358501112222",
        "agi_calleridname": "unknown",
        "agi_context": "pv-inbound",
        "agi_extension": "+358401234567",
        "agi_priority": "3",
        **extra,
    }


def env_bytes(env: Mapping[str, str]) -> bytes:
    return "".join(f"{key}: {value}\n" for key, value in env.items()).encode() + b"\n"


@dataclass
class Conversation:
    commands: list[str] = field(default_factory=list)
    set_order: list[str] = field(default_factory=list)  # names, in the order they were set
    variables: dict[str, str] = field(default_factory=dict)


Responder = Callable[[str, Conversation], "str | None"]


def run_agi(address: tuple[str, int], env: Mapping[str, str],
            variables: Mapping[str, str] | None = None, timeout: float = 5.0,
            respond: Responder | None = None) -> Conversation:
    """One AGI request: connect, send the environment, answer commands until the server
    closes.  ``respond`` answers the commands it knows (None: the default answer)."""
    conversation = Conversation(variables=dict(variables or {}))
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        sock.sendall(env_bytes(env))
        replies = sock.makefile("rb")
        while line := replies.readline():
            command = line.decode().strip()
            conversation.commands.append(command)
            reply = respond(command, conversation) if respond is not None else None
            sock.sendall((reply if reply is not None else answer(command, conversation))
                         .encode())
    return conversation


def answer(command: str, conversation: Conversation) -> str:
    args = QUOTED.findall(command)
    if command.startswith("GET VARIABLE"):
        value = conversation.variables.get(args[0])
        return "200 result=0\n" if value is None else f"200 result=1 ({value})\n"
    if command.startswith("SET VARIABLE"):
        name, value = args
        conversation.variables[name] = value
        conversation.set_order.append(name)
    return "200 result=1\n"


DEAD_CHANNEL = "511 Command Not Permitted on a dead channel or intercept routine\n"
PLAYBACKS = ("STREAM FILE", "CONTROL STREAM FILE", "GET DATA", "WAIT FOR DIGIT")
WAIT = "(wait)"  # what a Caller "hears" while Asterisk waits for a key without a prompt
SILENCE = "(silence)"  # ... and while it reads keys without a prompt
HANG_UP = "hang up"


@dataclass
class Press:
    """At the sound named ``at`` (its file name, or WAIT / SILENCE), press ``keys`` (one key
    stops a playback; a reading gets them all) or HANG_UP."""

    at: str
    keys: str


@dataclass
class Caller:
    """A person on the line, as a ``respond`` for :func:`run_agi`.  Its script is followed in
    order: each press waits for its sound; every sound played before it is heard to its end.
    A sound that starts after the script has run out is heard to its end too."""

    script: list[Press] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)  # every sound's name, in order
    hung_up: bool = False

    def __call__(self, command: str, conversation: Conversation) -> str | None:
        if self.hung_up:
            return DEAD_CHANNEL
        kind = next((kind for kind in PLAYBACKS if command.startswith(kind)), None)
        if kind is None:
            return None
        args = QUOTED.findall(command)
        sound = WAIT if kind == "WAIT FOR DIGIT" else (
            PurePosixPath(args[0]).name if args and args[0] else SILENCE)
        self.heard.append(sound)
        press = self.script[0] if self.script and self.script[0].at == sound else None
        if press is None:
            return "200 result= (timeout)\n" if kind == "GET DATA" else "200 result=0\n"
        self.script.pop(0)
        if press.keys == HANG_UP:
            self.hung_up = True
            return "200 result=-1 endpos=0\nHANGUP\n"
        if kind == "GET DATA":
            return f"200 result={press.keys}\n"
        if kind != "WAIT FOR DIGIT" and press.keys not in args[1]:
            # Not a key that stops it: Asterisk skips on a skip key, ignores any other.
            return "200 result=0 endpos=8000\n"
        return f"200 result={ord(press.keys)} endpos=1000\n"
