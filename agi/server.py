"""The persistent FastAGI server: one thread per AGI request, routed by the request's path.

``AGI(agi://127.0.0.1:4573/incoming-call)`` in the dialplan reaches the handler registered as
"incoming-call".  Whatever goes wrong (no handler, garbage, a peer that hangs up or goes quiet,
a handler that raises) is logged, the connection is closed and the variables stay as they are,
so the dialplan's failsafe takes over; the server itself keeps serving.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import socket
import socketserver
import sys
import threading
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from asterisk.agi import AGIHangup

from paivystys.agi import handlers  # noqa: F401  (importing it registers every entry point)
from paivystys.agi.adapter import AgiChannel, AgiEnvironmentTooLong
from paivystys.agi.registry import AgiHandler, HandlerContext, Registry, default_registry
from paivystys.appliance.db.database import database_path, open_database
from paivystys.appliance.db.schema import EXIT_SCHEMA_MISMATCH, SchemaError
from paivystys.appliance.listening import calls
from paivystys.appliance.runtime.systemd import Readiness, configure_logging

log = logging.getLogger(__name__)

DEFAULT_LISTEN = ("127.0.0.1", 4573)
DEFAULT_RECORDINGS_DIR = "/srv/instance/recordings"
# Asterisk sends the environment at once and answers SET/GET VARIABLE at once; a peer quiet for
# this long is not Asterisk doing its job, and must not hold a thread.
REQUEST_TIMEOUT_S = 10.0


def request_route(env: Mapping[str, str]) -> str:
    """"incoming-call" from agi_network_script, or from agi_request's URL path."""
    script = env.get("agi_network_script") or urlsplit(env.get("agi_request", "")).path
    return script.partition("?")[0].strip("/")


class FastAgiServer(socketserver.ThreadingTCPServer):
    daemon_threads = True  # a stuck request must not keep the process alive on SIGTERM
    allow_reuse_address = True  # restart at once, not after TIME_WAIT
    # socketserver's default backlog of 5 drops connections when calls arrive in a burst, and a
    # dropped SYN costs the caller a 1 s retransmit.
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], context: HandlerContext,
                 registry: Registry = default_registry,
                 request_timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.context = context
        self.registry = registry
        self.request_timeout = request_timeout
        super().__init__(address, FastAgiRequestHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        # socketserver's default prints to stderr; ours goes to the log with the rest.
        log.exception("AGI connection from %s failed", client_address)


class FastAgiRequestHandler(socketserver.StreamRequestHandler):
    server: FastAgiServer
    disable_nagle_algorithm = True  # one small command, then wait for its reply

    def setup(self) -> None:
        self.timeout = self.server.request_timeout
        super().setup()

    def handle(self) -> None:
        peer = "{}:{}".format(*self.client_address[:2])
        agi = self.read_environment(peer)
        if agi is None:
            return
        route = request_route(agi.env)
        handler = self.server.registry.get(route)
        if handler is None:
            log.warning("AGI from %s: no handler for %r (request %r); the dialplan's failsafe "
                        "takes over", peer, route, agi.env.get("agi_request", ""))
            return
        self.run_handler(handler, agi, route, peer)

    def read_environment(self, peer: str) -> AgiChannel | None:
        try:
            agi = AgiChannel(self.rfile, self.wfile, self.connection)
        except (OSError, AgiEnvironmentTooLong) as error:  # TimeoutError is an OSError
            log.warning("AGI from %s: no AGI environment: %s", peer, error or type(error).__name__)
            return None
        if agi.env_complete:
            return agi
        if agi.env:
            log.warning("AGI from %s: closed after a partial AGI environment (%d lines)",
                        peer, len(agi.env))
        else:
            log.info("AGI from %s: connected and closed without an AGI environment", peer)
        return None

    def run_handler(self, handler: type[AgiHandler], agi: AgiChannel, route: str,
                    peer: str) -> None:
        context = self.server.context
        try:
            # A connection per request, closed with it: request threads are short-lived and
            # must not leave SQLite connections behind.
            with context.db.connection_context():
                handler(agi, context).execute()
        except AGIHangup as error:
            log.info("AGI %s from %s: channel gone: %s", route, peer, error)
        except OSError as error:
            log.warning("AGI %s from %s: connection lost: %s", route, peer,
                        error or type(error).__name__)
        except Exception:
            log.exception("AGI %s from %s: handler %s failed; the dialplan's failsafe takes over",
                          route, peer, handler.__qualname__)


def parse_listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="paivystys-agi", description=__doc__.split("\n")[0])
    parser.add_argument("--listen", type=parse_listen, default=DEFAULT_LISTEN,
                        metavar="HOST:PORT", help="default: {}:{}".format(*DEFAULT_LISTEN))
    parser.add_argument("--db", default=None, metavar="PATH",
                        help=f"the database (default: $PAIVYSTYS_DB or {database_path()})")
    parser.add_argument("--recordings-dir", default=DEFAULT_RECORDINGS_DIR, metavar="PATH",
                        help="recordings directory as Asterisk sees it (default: %(default)s)")
    parser.add_argument("--instance-dir", type=Path, default=None, metavar="PATH",
                        help="the appliance's instance directory (sounds, recordings) as this "
                             "server reads it (default: the parent of --recordings-dir)")
    parser.add_argument("--ready-file", type=Path, metavar="PATH",
                        help="created once the server accepts requests (for supervisors)")
    parser.add_argument("--debug", action="store_true",
                        help="log every AGI command and reply")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.debug)
    try:
        db = open_database(args.db if args.db is not None else database_path())
    except SchemaError as exc:  # one line in the log: what to run
        log.error("%s", exc)
        return EXIT_SCHEMA_MISMATCH
    with db.connection_context():
        left_open = calls.close_left_open(dt.datetime.now(dt.UTC))
    if left_open:
        log.warning("%d listening-line call(s) left open by the previous run closed",
                    left_open)
    server = FastAgiServer(args.listen, HandlerContext(db, PurePosixPath(args.recordings_dir),
                                                       args.instance_dir))

    def stop(signum: int, _frame: object) -> None:
        log.info("%s: stopping", signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, which runs in this very thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    log.info("FastAGI listening on %s:%d; routes: %s; database: %s", host, port,
             ", ".join(server.registry.routes()), db.database)
    readiness = Readiness(args.ready_file)
    readiness.ready(f"FastAGI on {host}:{port}")
    try:
        with server:
            server.serve_forever()
    finally:
        readiness.stopping()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
