"""Validated changes to the configuration: on-call numbers, listening numbers, groups,
people, memberships, ringing and backup groups, settings."""

from paivystys.appliance.directory.demo import seed_demo
from paivystys.appliance.directory.service import Directory
from paivystys.appliance.directory.views import (
    group_to_dict,
    listening_number_to_dict,
    number_to_dict,
    person_to_dict,
    settings_to_dicts,
)
from paivystys.appliance.errors import (
    ApplyFailed,
    Conflict,
    FieldError,
    InUse,
    Invalid,
    NotFound,
)

__all__ = [
    "ApplyFailed",
    "Conflict",
    "Directory",
    "FieldError",
    "InUse",
    "Invalid",
    "NotFound",
    "group_to_dict",
    "listening_number_to_dict",
    "number_to_dict",
    "person_to_dict",
    "seed_demo",
    "settings_to_dicts",
]
