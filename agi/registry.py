"""Which handler answers which AGI request: ``agi://host:port/<route>`` -> handler class.

Each module in ``handlers/`` registers one entry point into ``default_registry``; the server
looks the route up per request.  Tests and the benchmark build their own ``Registry``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import peewee

from paivystys.agi.adapter import AgiChannel


@dataclass(frozen=True)
class HandlerContext:
    """What every handler may use besides the channel; shared by all requests."""

    db: peewee.Database
    recordings_dir: PurePosixPath  # as Asterisk sees it (inside its /srv/instance mount)
    # The appliance's instance directory (sounds, recordings) as this server reads it; None:
    # where Asterisk sees it (the box, where nothing is chrooted).
    instance_dir: Path | None = None

    @property
    def instance_seen_as(self) -> PurePosixPath:
        """The instance directory as Asterisk sees it: the recordings' parent."""
        return self.recordings_dir.parent

    @property
    def local_instance_dir(self) -> Path:
        return self.instance_dir if self.instance_dir is not None else Path(self.instance_seen_as)


class AgiHandler(ABC):
    """One AGI request.  ``execute()`` should read as the list of steps the request takes."""

    def __init__(self, agi: AgiChannel, context: HandlerContext) -> None:
        self.agi = agi
        self.context = context

    @abstractmethod
    def execute(self) -> None: ...


class Registry:
    def __init__(self) -> None:
        self._handlers: dict[str, type[AgiHandler]] = {}

    def register(self, route: str, handler: type[AgiHandler]) -> None:
        if route in self._handlers:
            raise ValueError(f"AGI route {route!r} is already handled by "
                             f"{self._handlers[route].__qualname__}")
        self._handlers[route] = handler

    def get(self, route: str) -> type[AgiHandler] | None:
        return self._handlers.get(route)

    def routes(self) -> list[str]:
        return sorted(self._handlers)


default_registry = Registry()
