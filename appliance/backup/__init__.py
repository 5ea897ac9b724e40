"""Backup and restore of the configuration as one file (not the call log, not recordings),
and the backups the box keeps of it."""

from paivystys.appliance.backup.service import (
    BackupError,
    BackupInfo,
    RestoreSummary,
    check_backup,
    create_backup,
    last_backup_at,
    restore_backup,
)
from paivystys.appliance.backup.stored import (
    DatabaseDamaged,
    SavedBackup,
    StoredBackup,
    check_at_boot,
    last_good_backup,
    list_backups,
    read_backup,
    recheck_after_restore,
    save_backup,
)

__all__ = [
    "BackupError",
    "BackupInfo",
    "DatabaseDamaged",
    "RestoreSummary",
    "SavedBackup",
    "StoredBackup",
    "check_at_boot",
    "check_backup",
    "create_backup",
    "last_backup_at",
    "last_good_backup",
    "list_backups",
    "read_backup",
    "recheck_after_restore",
    "restore_backup",
    "save_backup",
]
