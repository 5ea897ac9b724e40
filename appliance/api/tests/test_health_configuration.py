"""The health says whether every saved change has reached Asterisk."""

from __future__ import annotations

import json

from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.asterisk.apply import PENDING_FILE


def test_changes_owed_to_asterisk_show_in_the_health(api: RunningApi, site: Site) -> None:
    owed = api.state_dir / PENDING_FILE
    with api.client(site.admin_token) as admin:
        assert admin.get("/api/health").json()["configuration"]["ok"] is True
        owed.write_text(json.dumps(["res_pjsip.so", "pbx_config"]))
        try:
            configuration = admin.get("/api/health").json()["configuration"]
        finally:
            owed.unlink()
        assert configuration["ok"] is False
        assert configuration["owed"] == ["res_pjsip.so", "pbx_config"]
        assert "not yet applied to Asterisk" in configuration["state"]
        assert admin.get("/api/health").json()["configuration"] == {
            "ok": True, "owed": [], "state": "every saved change is applied to Asterisk"}
