"""Appliance-wide settings stored in the Setting table, with typed defaults."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from paivystys.appliance.db.models import Setting
from paivystys.appliance.languages import PROMPT_LANGUAGES, SMS_LANGUAGES

LANGUAGES = PROMPT_LANGUAGES


def _time_zone(key: str, value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{key}: unknown time zone {value!r} (e.g. Europe/Helsinki)") from None
    return value


@dataclass(frozen=True)
class SettingSpec:
    default: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None
    check: Callable[[str, str], str] | None = None  # for values neither numbers nor choices
    unit: str = "seconds"  # what a number counts, for its error message

    def validate(self, key: str, value: str) -> str:
        if self.check is not None:
            return self.check(key, value)
        if self.choices is not None:
            if value not in self.choices:
                raise ValueError(f"{key}: must be one of {', '.join(self.choices)}, got {value!r}")
            return value
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"{key}: must be a whole number of {self.unit}, "
                             f"got {value!r}") from None
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{key}: must be at least {self.minimum}, got {number}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{key}: must be at most {self.maximum}, got {number}")
        return str(number)


SPECS: dict[str, SettingSpec] = {
    "ring_time": SettingSpec("30", minimum=5, maximum=300),
    "confirm_timeout": SettingSpec("10", minimum=3, maximum=60),
    "prompt_language": SettingSpec("fi", choices=LANGUAGES),
    "sms_language": SettingSpec("fi", choices=SMS_LANGUAGES),
    # SMS texts say the time of the call as people on the box's site read clocks.
    "time_zone": SettingSpec("Europe/Helsinki", check=_time_zone),
    # How many of the nightly configuration backups the box keeps (appliance/backup/stored.py).
    "backups_kept": SettingSpec("14", minimum=1, maximum=365, unit="backups"),
    # Whether a person may delete their own recordings (on the listening line, with 7).
    "own_recordings_deletable": SettingSpec("no", choices=("no", "yes")),
}


def get_setting(key: str) -> str:
    spec = SPECS[key]
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else spec.default


def get_int(key: str) -> int:
    return int(get_setting(key))


def set_setting(key: str, value: str) -> str:
    if key not in SPECS:
        raise KeyError(f"unknown setting {key!r}; known: {', '.join(SPECS)}")
    clean = SPECS[key].validate(key, str(value).strip())
    Setting.insert(key=key, value=clean).on_conflict_replace().execute()
    return clean


def all_settings() -> dict[str, str]:
    return {key: get_setting(key) for key in SPECS}
