"""Unit tests of the carrier's generated configuration and of the handset scripts."""

from __future__ import annotations

import re

import pytest

from paivystys.appliance.lab import carrier
from paivystys.appliance.lab.handsets import Handset, Handsets, normalise, script


def test_carrier_spec_matches_architecture() -> None:
    spec = carrier.CARRIER_SPEC
    assert (spec.name, spec.sip_port, spec.ami_port) == ("carrier", 5070, 5039)
    assert (spec.rtp_start, spec.rtp_end) == (12000, 12999)


def test_carrier_configs_hold_base_files_and_rtp_range() -> None:
    configs = carrier.carrier_configs()
    for name in ("asterisk.conf", "modules.conf", "manager.conf", "rtp.conf", "pjsip.conf",
                 "extensions.conf"):
        assert name in configs
    assert "rtpstart = 12000" in configs["rtp.conf"]
    assert "port = 5039" in configs["manager.conf"]


def _sections(conf: str) -> dict[str, list[dict[str, str]]]:
    sections: dict[str, list[dict[str, str]]] = {}
    current: dict[str, str] = {}
    for raw in conf.splitlines():
        line = raw.split(";", 1)[0].strip()
        if match := re.fullmatch(r"\[(.+)\]", line):
            current = {}
            sections.setdefault(match.group(1), []).append(current)
        elif "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            current[key] = value
    return sections


def test_pjsip_points_at_the_appliance_on_loopback() -> None:
    sections = _sections(carrier.render_pjsip())
    assert sections["transport-udp"][0]["bind"] == "127.0.0.1:5070"
    by_type = {section["type"]: section for section in sections["appliance"]}
    endpoint = by_type["endpoint"]
    assert endpoint["context"] == carrier.CONTEXT_FROM_APPLIANCE
    assert endpoint["allow"] == "ulaw,alaw"
    assert endpoint["dtmf_mode"] == "rfc4733"
    assert endpoint["direct_media"] == "no"
    assert by_type["aor"]["contact"] == "sip:127.0.0.1:5060"
    assert by_type["identify"]["match"] == "127.0.0.1"


def test_the_carrier_answers_the_appliance_s_challenge_only_when_told() -> None:
    plain = {section["type"]: section for section in _sections(carrier.render_pjsip())["appliance"]}
    assert "outbound_auth" not in plain["endpoint"]
    sections = _sections(carrier.render_pjsip(("vaihde", "Sis#aan")))
    endpoint = {section["type"]: section for section in sections["appliance"]}["endpoint"]
    assert endpoint["outbound_auth"] == carrier.AUTH
    assert sections[carrier.AUTH] == [{"type": "auth", "auth_type": "userpass",
                                       "username": "vaihde", "password": "Sis#aan"}]


def test_dialplan_has_every_behaviour_and_both_number_forms() -> None:
    dialplan = carrier.render_extensions()
    assert "exten => _+X.,1," in dialplan
    assert "exten => _X.,1," in dialplan
    for behaviour in carrier.BEHAVIOURS:
        assert f"exten => {behaviour},1," in dialplan
    assert "PJSIPHangup(603)" in dialplan
    assert "Hangup(17)" in dialplan
    for event in (*carrier.HANDSET_EVENTS, carrier.EVENT_CALL_START, carrier.EVENT_CALL_END,
                  carrier.EVENT_CALL_ANSWERED, carrier.EVENT_CALL_DIGIT,
                  carrier.EVENT_CALL_LISTEN_END):
        assert f"UserEvent({event}," in dialplan
    # the labels the Goto()s jump to
    assert "(identity),StopPlayTones()" in dialplan and "(answer),Ringing" in dialplan


def test_dialplan_reads_every_script_field_in_order() -> None:
    dialplan = carrier.render_extensions()
    for index, _name in enumerate(carrier.SPEC_FIELDS, start=1):
        assert f"${{CUT(SPEC,{carrier.SPEC_SEPARATOR},{index})}}" in dialplan


def test_dialplan_lines_are_within_asterisk_limits() -> None:
    # No braces left over from the f-strings, and balanced parentheses on every line.
    for line in carrier.render_extensions().splitlines():
        assert "{{" not in line and "}}" not in line, line
        if line.lstrip().startswith(("exten", "same")):
            assert line.count("(") == line.count(")"), line
            assert line.count("{") == line.count("}"), line


def test_script_defaults() -> None:
    human = script("040 1234567", "human")
    assert human == Handset("+358401234567", "human", answer_after=1.0, confirm_after=1.5,
                            talk=4.0, identity="4567")
    assert script("+358401234567", "voicemail").answer_after == 3.0
    assert script("+358401234567", "busy") == Handset("+358401234567", "busy")
    assert script("+358401234567", "decline") == Handset("+358401234567", "decline")
    assert script("+358401234567", "decline", answer_after=2) == Handset(
        "+358401234567", "decline", answer_after=2.0, confirm_after=1.5)


def test_script_round_trips_through_the_astdb_value() -> None:
    for handset in (script("+358401234567", "human", answer_after=0.25, identity="*12#"),
                    script("+358401234567", "no-answer"),
                    script("+358401234567", "decline", answer_after=1, confirm_after=0)):
        assert Handset.decode(handset.number, handset.encode()) == handset
    assert script("+358401234567", "human", talk=3).encode() == "human:1.000:1.500:3.000:4567"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"behaviour": "answering-machine"}, "unknown handset behaviour"),
    ({"behaviour": "human", "answer_after": -1}, "answer_after must be 0 or more"),
    ({"behaviour": "human", "confirm_after": -0.5}, "confirm_after must be 0 or more"),
    ({"behaviour": "human", "talk": 0}, "talk must be more than 0"),
    ({"behaviour": "human", "answer_after": float("nan")}, "answer_after must be 0 or more"),
    ({"behaviour": "human", "identity": "12:3"}, "identity must be"),
    ({"behaviour": "human", "identity": ""}, "identity must be"),
    ({"behaviour": "busy", "answer_after": 1}, "does not apply to a 'busy'"),
    ({"behaviour": "voicemail", "talk": 1}, "does not apply to a 'voicemail'"),
    ({"behaviour": "decline", "confirm_after": 1}, "confirm_after needs answer_after"),
])
def test_script_rejects_mistakes(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        script("+358401234567", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("number", ["", "abc", "+3581"])
def test_normalise_rejects_non_numbers(number: str) -> None:
    with pytest.raises(ValueError):
        normalise(number)


class _FakeAmi:
    """Records actions; answers DBGet from what DBPut stored, like Asterisk's AstDB."""

    def __init__(self) -> None:
        self.db: dict[tuple[str, str], str] = {}

    def action(self, name: str, *, check: bool = True, **headers: str) -> dict[str, str]:
        if name == "DBPut":
            self.db[headers["Family"], headers["Key"]] = headers["Val"]
            return {"Response": "Success"}
        assert name == "DBDelTree"
        keys = [key for key in self.db if key[0] == headers["Family"]]
        for key in keys:
            del self.db[key]
        if keys:
            return {"Response": "Success"}
        return {"Response": "Error", "Message": "Database entry not found"}

    def action_list(self, name: str, **headers: str) -> list[dict[str, str]]:
        from paivystys.appliance.ami.client import AmiActionError

        assert name == "DBGet"
        value = self.db.get((headers["Family"], headers["Key"]))
        if value is None:
            raise AmiActionError(name, {"Response": "Error",
                                        "Message": "Database entry not found"})
        return [{"Event": "DBGetResponse", "Val": value}]


def test_handsets_store_scripts_in_the_astdb() -> None:
    ami = _FakeAmi()
    handsets = Handsets(ami)  # type: ignore[arg-type]
    assert handsets.get("0401234567") == Handset("+358401234567", "no-answer")
    stored = handsets.set("0401234567", "human", identity="99")
    assert ami.db == {("handset", "+358401234567"): stored.encode()}
    assert handsets.get("+358 40 1234567") == stored
    handsets.reset_all()
    assert ami.db == {}
    handsets.reset_all()  # nothing left to forget is fine


def test_behaviour_extensions_do_not_collide_with_the_hangup_handler():
    # Asterisk ignores dashes when it matches extension names.
    from paivystys.appliance.lab import carrier

    names = [behaviour.replace("-", "") for behaviour in carrier.BEHAVIOURS]
    assert len(set(names)) == len(names)
    assert "hangup" not in names and "T" not in names
