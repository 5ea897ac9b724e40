"""The call monitor's events for other local processes (the API's live view): a Unix socket
that sends every bus event as one JSON line to each connected reader.

A reader that falls behind by more than ``BACKLOG`` events is dropped rather than allowed to
slow the monitor down; it reconnects and continues with the next events (the live view is a
view, the call log is the record)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import queue
import socket
import socketserver
import threading
from pathlib import Path
from typing import Any

from paivystys.appliance.ringing.bus import EventBus

log = logging.getLogger(__name__)

BACKLOG = 1000


def event_to_dict(event: Any) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
            return aware.isoformat()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    fields = {field.name: plain(getattr(event, field.name))
              for field in dataclasses.fields(event)}
    return {"type": type(event).__name__, **fields}


class EventFeed:
    def __init__(self, bus: EventBus, path: Path) -> None:
        self._path = path
        self._readers: set[queue.Queue[bytes | None]] = set()
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._unsubscribe = bus.subscribe(self._publish)

    def start(self) -> EventFeed:
        feed = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                feed._serve(self.request)

        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.unlink(missing_ok=True)
        server = socketserver.ThreadingUnixStreamServer(str(self._path), Handler)
        server.daemon_threads = True
        os.chmod(self._path, 0o660)
        self._server = server
        threading.Thread(target=server.serve_forever, name="event-feed", daemon=True).start()
        return self

    def close(self) -> None:
        self._unsubscribe()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            for reader in self._readers:
                reader.put(None)
        self._path.unlink(missing_ok=True)

    def _publish(self, event: Any) -> None:
        line = (json.dumps(event_to_dict(event), ensure_ascii=False) + "\n").encode()
        with self._lock:
            readers = list(self._readers)
        for reader in readers:
            try:
                reader.put_nowait(line)
            except queue.Full:
                log.warning("an event feed reader fell %d events behind; dropping it", BACKLOG)
                self._drop(reader)

    def _drop(self, reader: queue.Queue[bytes | None]) -> None:
        """Forget the reader and make room for the None that ends its connection."""
        with self._lock:
            self._readers.discard(reader)
        while True:
            try:
                reader.get_nowait()
            except queue.Empty:
                break
        reader.put_nowait(None)

    def _serve(self, connection: socket.socket) -> None:
        reader: queue.Queue[bytes | None] = queue.Queue(maxsize=BACKLOG)
        with self._lock:
            self._readers.add(reader)
        try:
            while True:
                line = reader.get()
                if line is None:
                    return
                connection.sendall(line)
        except OSError:
            return
        finally:
            with self._lock:
                self._readers.discard(reader)
