"""Shared by every test: the unit tests' databases have no Asterisk beside them."""

import os

from paivystys.appliance.asterisk.apply import NO_ASTERISK_ENV

# A unit test's change is saved and not applied; anywhere else a database with no Asterisk
# makes a change fail loudly.  Tests that place calls set their Asterisk up (deployment.json)
# and reach it whatever this says; tests of the failure unset it.  Set at import, so the
# servers the tests start as processes inherit it.
os.environ.setdefault(NO_ASTERISK_ENV, "1")
