"""Asterisk's side of a FastAGI conversation, for tests and the benchmark.

Sends an AGI environment, then answers each command the way Asterisk does for the commands the
handlers use: ``GET VARIABLE`` from a dict of channel variables, ``SET VARIABLE`` into it, and
``200 result=1`` to anything else.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

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


def run_agi(address: tuple[str, int], env: Mapping[str, str],
            variables: Mapping[str, str] | None = None, timeout: float = 5.0) -> Conversation:
    """One AGI request: connect, send the environment, answer commands until the server closes."""
    conversation = Conversation(variables=dict(variables or {}))
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        sock.sendall(env_bytes(env))
        replies = sock.makefile("rb")
        while line := replies.readline():
            command = line.decode().strip()
            conversation.commands.append(command)
            sock.sendall(answer(command, conversation).encode())
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
