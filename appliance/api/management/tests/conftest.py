"""The API's own fixtures: the real server over TLS, with an admin and two people."""

from paivystys.appliance.api.tests.conftest import api, no_failed_logins, site

__all__ = ["api", "no_failed_logins", "site"]
