from __future__ import annotations

import re

import pytest

from paivystys.appliance.asterisk.base import MODULES, base_configs, entity_id
from paivystys.appliance.runtime.instance import AMI_SECRET_INCLUDE, InstanceSpec

SPEC = InstanceSpec(name="appliance", sip_port=5060, ami_port=5038,
                    rtp_start=10000, rtp_end=10999)


@pytest.fixture
def configs() -> dict[str, str]:
    return base_configs(SPEC)


def _settings(text: str, section: str) -> dict[str, str]:
    """key -> value of one [section] (the `=` and `=>` forms alike)."""
    body = text.split(f"[{section}]\n", 1)[1].split("\n[", 1)[0]
    pairs = (re.split(r"\s*=>?\s*", line, maxsplit=1) for line in body.splitlines()
             if line and not line.startswith((";", "#")))
    return {key: value for key, value in pairs}


def test_every_file_asterisk_reads_at_boot_is_there(configs: dict[str, str]) -> None:
    assert {"asterisk.conf", "modules.conf", "logger.conf", "rtp.conf", "manager.conf",
            "indications.conf", "cdr.conf", "cel.conf", "features.conf", "acl.conf",
            "udptl.conf", "ccss.conf", "pjproject.conf"} <= configs.keys()


def test_everything_asterisk_writes_is_under_the_instance(configs: dict[str, str]) -> None:
    directories = _settings(configs["asterisk.conf"], "directories")
    assert {"astetcdir", "astvarlibdir", "astdbdir", "astspooldir", "astrundir",
            "astlogdir"} <= directories.keys()
    assert all(path.startswith("/srv/instance/") for path in directories.values())
    # Modules and sounds come from the rootfs's own (architecture-specific) defaults.
    assert "astmoddir" not in directories
    assert "astdatadir" not in directories


def test_entity_id_is_set_and_differs_per_instance(configs: dict[str, str]) -> None:
    options = _settings(configs["asterisk.conf"], "options")
    assert options["entityid"] == entity_id("appliance")
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", entity_id("appliance"))
    assert entity_id("appliance") != entity_id("carrier")


def test_modules_are_explicit_with_their_hidden_dependencies(configs: dict[str, str]) -> None:
    text = configs["modules.conf"]
    assert _settings(text, "modules")["autoload"] == "no"
    loads = set(re.findall(r"^load => (\S+)\.so$", text, flags=re.MULTILINE))
    assert loads == set(MODULES)
    assert {"chan_pjsip", "res_pjsip", "res_pjsip_pubsub", "res_pjsip_session",
            "res_rtp_asterisk", "pbx_config", "res_agi", "res_speech", "app_dial",
            "bridge_simple", "bridge_native_rtp", "res_timing_timerfd", "format_wav"} <= loads
    assert "res_musiconhold" not in loads


def test_manager_listens_on_loopback_with_one_user(configs: dict[str, str]) -> None:
    text = configs["manager.conf"]
    general = _settings(text, "general")
    assert general["enabled"] == "yes"
    assert general["webenabled"] == "no"
    assert general["bindaddr"] == "127.0.0.1"
    assert general["port"] == "5038"
    assert general["timestampevents"] == "yes"
    user = _settings(text, "paivystys")
    # the events the monitor and the SIP guard need, not the dialplan's VarSet/Newexten flood
    assert set(user["read"].split(",")) == {"call", "user", "system", "security"}
    # what the monitor and the trunk state send: never all, command or originate
    assert user["write"] == "system"
    assert user["permit"] == "127.0.0.1/255.255.255.255"
    assert f"#include {AMI_SECRET_INCLUDE}" in text


def test_an_instance_playing_the_outside_world_may_be_given_more_classes() -> None:
    text = base_configs(SPEC, ami_write=("system", "originate"))["manager.conf"]
    assert _settings(text, "paivystys")["write"] == "system,originate"


def test_rtp_uses_the_instance_range(configs: dict[str, str]) -> None:
    assert _settings(configs["rtp.conf"], "general") == {"rtpstart": "10000", "rtpend": "10999"}


def test_logger_writes_messages(configs: dict[str, str]) -> None:
    levels = _settings(configs["logger.conf"], "logfiles")["messages"].split(",")
    assert set(levels) == {"notice", "warning", "error", "verbose"}


def test_tones_are_finnish(configs: dict[str, str]) -> None:
    text = configs["indications.conf"]
    assert _settings(text, "general")["country"] == "fi"
    assert _settings(text, "fi")["dial"] == "425"


def test_cdr_and_cel_are_off(configs: dict[str, str]) -> None:
    assert _settings(configs["cdr.conf"], "general")["enable"] == "no"
    assert _settings(configs["cel.conf"], "general")["enable"] == "no"


def test_security_events_go_to_their_own_log(configs: dict[str, str]) -> None:
    assert _settings(configs["logger.conf"], "logfiles")["security"] == "security"
    assert "res_security_log" in MODULES
