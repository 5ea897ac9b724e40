"""``paivystys-api``: the LAN API over HTTPS (uvicorn), advertised with mDNS.

The first start makes the appliance's key and certificate (``--tls-dir``); every start logs
the URL and the certificate's SHA-256 fingerprint and writes them to ``api.json`` beside the
database, where ``paivystys status`` reads them for the installer to compare with what the
console shows on first connect.  Until the box is claimed, the log also shows its set-up code,
and ``--setup-code-file`` gets a notice of all three for the box's own screen."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import socket
import sys
import threading
from importlib import metadata
from pathlib import Path

import ifaddr
import uvicorn
from fastapi import FastAPI

from paivystys.appliance.api.app import create_app
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.discovery import (
    Advertiser,
    NoAddressToAdvertise,
    lan_ipv4_addresses,
)
from paivystys.appliance.api.headers import SecurityHeaders
from paivystys.appliance.api.limits import JSON_BODY_LIMIT
from paivystys.appliance.api.tls import ServerIdentity, ensure_certificate
from paivystys.appliance.db.database import database_path, open_database
from paivystys.appliance.db.schema import EXIT_SCHEMA_MISMATCH, SchemaError
from paivystys.appliance.runtime.systemd import configure_logging

log = logging.getLogger("paivystys.api")

DEFAULT_LISTEN = "0.0.0.0:8443"
STATUS_FILE = "api.json"


def setup_notice(data_dir: Path) -> str | None:
    """While the box is unclaimed, what the API's ``--setup-code-file`` shows (or where it is,
    for a user who may not read it); None when there is no such notice."""
    try:
        path = json.loads((data_dir / STATUS_FILE).read_text()).get("setup_code_file")
    except (OSError, ValueError):
        return None
    if not path or not Path(path).exists():
        return None
    try:
        return Path(path).read_text()
    except PermissionError:
        return f"The set-up code is in {path} (readable by the API's user and root).\n"


def parse_listen(text: str) -> tuple[str, int]:
    host, separator, port = text.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def version() -> str:
    try:
        return metadata.version("paivystysvaihde")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def advertised_host(host: str) -> str:
    """The address a console should use: the listen address, or for a wildcard this box's
    outward address (the one a route to the LAN would use; on a LAN without a default route,
    the first address of a network interface)."""
    if host not in ("0.0.0.0", "::"):
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent by connect()
            return probe.getsockname()[0]
        except OSError:
            pass
    return next(iter(lan_addresses()), "127.0.0.1")


def lan_addresses() -> list[str]:
    """This box's IPv4 addresses that a console on the LAN could reach (not loopback, not
    link-local), in the order of its interfaces."""
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):
                address = ipaddress.IPv4Address(ip.ip)
                if not (address.is_loopback or address.is_link_local):
                    found.append(str(address))
    return found


class Announcement:
    """The mDNS announcement, kept true in the background: retried until the box has an
    address (DHCP may not be done at boot), and made again when the box's addresses change
    (a static address kept, a new DHCP lease), so that consoles do not look for the box where
    it was.  The API serves meanwhile at its address."""

    CHECK_S = 30.0

    def __init__(self, port: int, fingerprint: str, version: str, url: str) -> None:
        self._port, self._fingerprint, self._version, self._url = port, fingerprint, version, url
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._advertiser: Advertiser | None = None
        self._announced: list[str] = []  # the addresses the advertiser announced

    def start(self) -> None:
        threading.Thread(target=self._run, name="mdns", daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self.CHECK_S)

    def refresh(self) -> None:
        """Announce, or announce again when the box's addresses are not those announced."""
        addresses = lan_ipv4_addresses()
        with self._lock:
            if self._stop.is_set() or (self._advertiser is not None
                                       and addresses == self._announced):
                return
            if self._advertiser is not None:
                log.info("the box's addresses are now %s (were %s): announcing again",
                         ", ".join(addresses) or "none", ", ".join(self._announced))
                self._advertiser.close()
                self._advertiser = None
            try:
                advertiser = Advertiser(port=self._port, fingerprint=self._fingerprint,
                                        version=self._version, addresses=addresses)
                advertiser.start()
            except (NoAddressToAdvertise, OSError) as error:
                log.warning("mDNS announcement failed (%s); consoles can type %s; trying "
                            "again in %.0f s", error, self._url, self.CHECK_S)
                return
            self._advertiser, self._announced = advertiser, addresses
            log.info("announced with mDNS as %s on %s", advertiser.name, ", ".join(addresses))

    def close(self) -> None:
        with self._lock:
            self._stop.set()
            if self._advertiser is not None:
                self._advertiser.close()
                self._advertiser = None


class ListeningServer(uvicorn.Server):
    """uvicorn's server, which tells systemd (and the ready file) that the API serves once its
    socket listens: uvicorn runs the application's startup before it binds, and a console or
    a unit ordered after the API must find the port open."""

    def __init__(self, config: uvicorn.Config, app: FastAPI, url: str) -> None:
        super().__init__(config)
        self.app = app
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self.app.state.readiness.ready(f"serving {self.url}")


# How long a stopping API waits for its connections.  A console's idle keep-alive TLS
# connection holds a stop for asyncio's 30 s TLS-shutdown wait for the console's close_notify,
# which it does not send: a restart (an update) took 30 s longer with a console open.
GRACEFUL_SHUTDOWN_S = 5
GRACE_EXCEEDED = "timeout graceful shutdown exceeded"


class GraceExceededIsNoError(logging.Filter):
    """uvicorn reports connections still open after the grace period as an ERROR; here that is
    an idle console's connection, closed as designed: a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and GRACE_EXCEEDED in record.getMessage():
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def uvicorn_config(app: FastAPI, identity: ServerIdentity, host: str = "127.0.0.1",
                   port: int = 8443) -> uvicorn.Config:
    """How the API is served, here and in its tests.

    Forwarded headers (X-Forwarded-For, X-Forwarded-Proto, Forwarded) are never believed: the
    API is reached directly, with no proxy in front, so such a header is whatever the client
    wrote, and the throttling and the audit log must see the real peer address.  uvicorn would
    otherwise believe them from 127.0.0.1.

    The security headers wrap the whole application, outside FastAPI's own error middleware,
    so that even an unexpected 500 carries them.  A WebSocket message may be no larger than a
    request body: the live view's client sends nothing the API reads (uvicorn's default would
    take 16 MiB messages)."""
    config = uvicorn.Config(SecurityHeaders(app), ssl_certfile=str(identity.cert_path),
                            ssl_keyfile=str(identity.key_path), log_level="warning",
                            server_header=False, proxy_headers=False, forwarded_allow_ips=[],
                            ws_max_size=JSON_BODY_LIMIT, host=host, port=port,
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
    # After the Config: it sets uvicorn's logging up.
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(known, GraceExceededIsNoError) for known in uvicorn_log.filters):
        uvicorn_log.addFilter(GraceExceededIsNoError())
    return config


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="paivystys-api", description=__doc__)
    parser.add_argument("--db", type=Path, default=None,
                        help=f"database file (default: $PAIVYSTYS_DB or {database_path()})")
    parser.add_argument("--listen", type=parse_listen, default=DEFAULT_LISTEN,
                        metavar="HOST:PORT", help=f"default {DEFAULT_LISTEN}")
    parser.add_argument("--tls-dir", type=Path, metavar="DIR",
                        help="the key and certificate (default: tls/ beside the database)")
    parser.add_argument("--recordings-dir", type=Path, metavar="DIR",
                        help="where the call recordings are on this host")
    parser.add_argument("--events-socket", type=Path, metavar="PATH",
                        help="the call monitor's event feed (paivystys-monitor --events-socket)")
    parser.add_argument("--no-advertise", action="store_true",
                        help="do not announce the API with mDNS")
    parser.add_argument("--ready-file", type=Path, metavar="PATH",
                        help="written (our pid) once the API serves, removed on exit")
    parser.add_argument("--setup-code-file", type=Path, metavar="PATH",
                        help="while nobody has claimed the box: a notice for its screen with "
                             "the set-up code, the address and the certificate's fingerprint "
                             "(mode 0600); removed once the box is claimed")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    configure_logging(args.verbose)
    db_path = (args.db or database_path()).resolve()
    try:
        # The application opens the database once it serves; a schema it cannot use is found
        # here first, so that the service exits with one line, not uvicorn's traceback.
        open_database(db_path).close()
    except SchemaError as exc:
        log.error("%s", exc)
        return EXIT_SCHEMA_MISMATCH
    host, port = args.listen
    public_host = advertised_host(host)
    identity = ensure_certificate(args.tls_dir or db_path.parent / "tls",
                                  addresses=[public_host])
    url = f"https://{public_host}:{port}"
    log.info("API at %s, certificate SHA-256 fingerprint %s", url, identity.fingerprint)
    setup_code_file = args.setup_code_file.resolve() if args.setup_code_file else None
    status_file = db_path.parent / STATUS_FILE
    status_file.write_text(json.dumps({
        "api_url": url, "api_fingerprint": identity.fingerprint, "pid": os.getpid(),
        "setup_code_file": str(setup_code_file) if setup_code_file else None}) + "\n")
    config = ApiConfig(db_path=db_path, recordings_dir=args.recordings_dir,
                       events_socket=args.events_socket, version=version(),
                       ready_file=args.ready_file, setup_code_file=setup_code_file,
                       fingerprint=identity.fingerprint,
                       api_url=lambda: f"https://{advertised_host(host)}:{port}")
    app = create_app(config)

    advertiser = Announcement(port, identity.fingerprint, config.version, url)
    if not args.no_advertise:
        advertiser.start()
    try:
        ListeningServer(uvicorn_config(app, identity, host=host, port=port), app,
                        config.api_url()).run()
    finally:
        advertiser.close()
        status_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
