"""Schemathesis against the real server over TLS: generated requests for every operation of
the OpenAPI document, as an admin; no answer may be a 500.

Logout and password change are left out (they would end the run's own login), and so are
the restores (covered by their own tests: a generated body can only be refused anyway, and a
stored backup's restore, reached by the name a save answers, would end the login too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paivystys.appliance.api.tests.conftest import RunningApi, Site

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_no_generated_request_gets_a_server_error(api: RunningApi, site: Site,
                                                  tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{api.base_url}/api/openapi.json",
         "--checks", "not_a_server_error", "--tls-verify", str(api.cert_path),
         "-H", f"Authorization: Bearer {site.admin_token}",
         "--exclude-path", "/api/logout", "--exclude-path", "/api/me/password",
         "--exclude-path", "/api/restore", "--exclude-path", "/api/backups/{name}/restore",
         "--max-examples", "25", "--seed", "20261125", "--workers", "1",
         "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
