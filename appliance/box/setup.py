"""`paivystys box setup`: everything the box needs before Asterisk and the services start.

Run as root by ``paivystys-setup.service`` at every boot (and so after every upgrade of the
package), before Debian's Asterisk and the appliance's services.  Idempotent: on a set-up box
it changes nothing but what an upgrade brought (the schema, the generated configuration).

- the state directory, owned by the services' user (``paivystys``), closed to others;
- the database: checked with ``PRAGMA integrity_check`` first (the result recorded for the
  health, which names the last good backup when it failed), then created, or its schema
  migrated, here only (the services refuse another version rather than race each other
  migrating it), owned by the services' user;
- which Asterisk serves this state directory (Debian's: ``deployment.json``);
- Asterisk's instance directory: ``etc/`` written by the services' user and read by
  Asterisk's group, ``recordings/``, ``sounds/`` with the generated voice prompts;
- the AMI secret, made here on first start (never shipped), readable by the services' user
  alone, and the include that gives it to Asterisk;
- Asterisk's configuration, generated from the database.

- SSH host keys, where SSH is installed and a key is missing (an image is built without
  them, so that two boxes flashed from one image do not share them).

The TLS key and certificate are made by the API itself at its first start, as its own user.
"""

from __future__ import annotations

import os
import pwd
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import peewee

from paivystys.appliance.asterisk.apply import write_configs
from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC
from paivystys.appliance.asterisk.site import SystemAsterisk, save_site
from paivystys.appliance.backup import check_at_boot
from paivystys.appliance.db.database import COMPANION_SUFFIXES, migrate_database, open_database
from paivystys.appliance.db.schema import SchemaError
from paivystys.appliance.prompts import generate_prompts
from paivystys.appliance.runtime.host import RuntimeSetupError, require_root, run_checked
from paivystys.appliance.runtime.instance import SECRET_FILE

STATE_DIR = Path("/var/lib/paivystys")
SERVICES_USER = "paivystys"
DATABASE_NAME = "paivystys.db"
SSH_HOST_KEYS = ("ssh_host_ed25519_key", "ssh_host_ecdsa_key", "ssh_host_rsa_key")
# Others may pass through to Asterisk's instance directory (Debian's asterisk user reads its
# configuration there through its group) but list nothing; every file inside has its own mode.
STATE_DIR_MODE = 0o751


@dataclass
class Box:
    state_dir: Path = STATE_DIR
    services_user: str = SERVICES_USER
    # Where Asterisk is installed: the machine's own root (a test gives another).
    host_root: Path = Path("/")
    progress: Callable[[str], None] = field(default=print)

    @property
    def db_path(self) -> Path:
        return self.state_dir / DATABASE_NAME

    @property
    def site(self) -> SystemAsterisk:
        return SystemAsterisk(self.state_dir, APPLIANCE_SPEC, host_root=self.host_root)

    def set_up(self) -> None:
        require_root("Setting the box up")
        uid, gid = self._services_ids()
        self._state_dir(uid, gid)
        existed = self.db_path.exists()
        sound = self._check_database() if existed else True
        self._database(uid, gid, sound)
        if not existed:
            self._check_database()  # new: recorded as checked, for the health
        site = self.site
        save_site(site)
        instance = site.instance
        instance.prepare_dirs()
        # The instance directory is the services' user's, as the state directory is: applying
        # a change, the API and the CLI make sure of its mode, which only its owner may set.
        if instance.instance_dir.stat().st_uid != uid:
            os.chown(instance.instance_dir, uid, gid)
        secret = instance.instance_dir / SECRET_FILE
        fresh = not secret.exists()
        instance.ami_secret()
        os.chown(secret, uid, gid)  # the services log in to AMI with it
        instance.write_secret_include()
        if fresh:
            self.progress("made a new AMI secret")
        generate_prompts(instance.instance_dir, progress=self.progress)
        database = open_database(self.db_path)
        try:
            changed = write_configs(site)
        except peewee.DatabaseError as error:
            if sound:
                raise
            # Asterisk keeps the configuration it has: calls still go where they went.
            self.progress(f"Asterisk's configuration was not regenerated: the damaged "
                          f"database cannot be read ({error}); Asterisk keeps the one it has")
            changed = []
        finally:
            database.close()
        self._give_configs(instance.instance_dir / "etc", uid)
        instance.secure_recordings()
        self._ssh_host_keys()
        self.progress(f"Asterisk's configuration in {instance.instance_dir / 'etc'}"
                      + (f" (changed: {', '.join(changed)})" if changed else " (unchanged)"))

    def _ssh_host_keys(self) -> None:
        ssh_dir = self.host_root / "etc/ssh"
        keygen = shutil.which("ssh-keygen")
        if keygen is None or not (ssh_dir / "sshd_config").exists():
            return  # no SSH server on this box
        if all((ssh_dir / name).exists() for name in SSH_HOST_KEYS):
            return
        # -A makes each missing type of host key, keeping those there are.
        run_checked([keygen, "-A", *(["-f", str(self.host_root)]
                                     if self.host_root != Path("/") else [])],
                    "making the SSH host keys")
        self.progress("made the SSH host keys this box lacked")

    def _services_ids(self) -> tuple[int, int]:
        try:
            entry = pwd.getpwnam(self.services_user)
        except KeyError as error:
            raise RuntimeSetupError(
                f"there is no user '{self.services_user}': the paivystys package makes it "
                "(systemd-sysusers); reinstall the package") from error
        return entry.pw_uid, entry.pw_gid

    def _state_dir(self, uid: int, gid: int) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        status = self.state_dir.stat()
        if (status.st_uid, status.st_gid) != (uid, gid):
            os.chown(self.state_dir, uid, gid)
        self.state_dir.chmod(STATE_DIR_MODE)

    @staticmethod
    def _give_configs(config_dir: Path, uid: int) -> None:
        """The generated files written here as root become the services' user's: the API and
        the CLI read them to see what a change alters, and replace them (Asterisk reads them
        through its group, which they keep)."""
        for path in config_dir.iterdir():
            if path.is_file() and not path.is_symlink() and path.stat().st_uid != uid:
                os.chown(path, uid, -1)

    def _check_database(self) -> bool:
        """``PRAGMA integrity_check``, recorded; a damaged database is said here with the
        last good backup, and the rest of the set-up still runs."""
        damage = check_at_boot(self.db_path)
        if damage is not None:
            self.progress(damage)
        return damage is None

    def _database(self, uid: int, gid: int, sound: bool) -> None:
        try:
            result = migrate_database(self.db_path, actor="system")
        except (peewee.DatabaseError, SchemaError) as error:
            if sound:
                raise
            raise RuntimeSetupError(
                f"the damaged database {self.db_path} cannot be opened or migrated "
                f"({error}), and no service can start on it. Move it aside (with its -wal and "
                "-shm files) and start again: the box comes up with an empty database, "
                "unclaimed; claim it from the console and restore the last good backup "
                f"(Manage, Backups; they are kept in {self.state_dir / 'backups'})."
            ) from error
        if result.created:
            self.progress(f"created the database {self.db_path} "
                          f"(schema version {result.to_version})")
        elif result.steps:
            self.progress(f"migrated the database from schema version {result.from_version} "
                          f"to {result.to_version}")
        # Made or migrated by root: the services' user owns it, as if it had made it.
        for path in (self.db_path, *(self.db_path.with_name(self.db_path.name + suffix)
                                     for suffix in COMPANION_SUFFIXES)):
            if path.exists():
                os.chown(path, uid, gid)
