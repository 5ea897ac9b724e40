"""Backup and restore of the configuration as one file (not the call log, not recordings)."""

from paivystys.appliance.backup.service import (
    BackupError,
    BackupInfo,
    RestoreSummary,
    check_backup,
    create_backup,
    last_backup_at,
    restore_backup,
)

__all__ = [
    "BackupError",
    "BackupInfo",
    "RestoreSummary",
    "check_backup",
    "create_backup",
    "last_backup_at",
    "restore_backup",
]
