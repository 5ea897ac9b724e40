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
    sections = _sections(carrier.render_pjsip(carrier.CarrierTrunk(
        credentials=("vaihde", "Sis#aan"))))
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
    assert script("+358401234567", "human", talk=3).encode() == (
        "human:1.000:1.500:3.000:4567:")
    voicemail = script("+358401234567", "voicemail", tone_after=1.25)
    assert voicemail.encode() == "voicemail:3.000::::1.250"
    assert Handset.decode(voicemail.number, voicemail.encode()) == voicemail


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
    ({"behaviour": "human", "tone_after": 1}, "does not apply to a 'human'"),
    ({"behaviour": "voicemail", "tone_after": -1}, "tone_after must be 0 or more"),
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


def test_the_carrier_can_be_the_appliances_registrar_calling_its_contact() -> None:
    trunk = carrier.CarrierTrunk(registration=("vaihde-lab", "Sala#1"))
    sections = _sections(carrier.render_pjsip(trunk))
    endpoint = {section["type"]: section for section in sections["appliance"]}["endpoint"]
    # the appliance's REGISTER and calls are challenged; its registration lands in the aor
    # named after the account
    assert endpoint["auth"] == carrier.REGISTRAR_AUTH
    assert endpoint["aors"] == "appliance,vaihde-lab"
    assert sections[carrier.REGISTRAR_AUTH] == [{"type": "auth", "auth_type": "userpass",
                                                 "username": "vaihde-lab",
                                                 "password": "Sala#1"}]
    assert sections["vaihde-lab"][0]["type"] == "aor"
    # callers go through the registered contact, the number in To only
    registered = sections[carrier.REGISTERED_ENDPOINT][0]
    assert registered["aors"] == "vaihde-lab"
    assert registered["outbound_proxy"] == "sip:vaihde-lab@127.0.0.1:5060"  # no ;lr: strict
    assert f"{carrier.GLOBAL_TRUNK}={carrier.REGISTERED_ENDPOINT}" in carrier.render_extensions(
        trunk)
    assert f"{carrier.GLOBAL_TRUNK}={carrier.ENDPOINT}" in carrier.render_extensions()


def test_the_carriers_codecs_and_keys_are_its_own() -> None:
    trunk = carrier.CarrierTrunk(registration=("vaihde-lab", "x"), codecs=("g722", "ulaw"),
                                 dtmf_mode="inband")
    sections = _sections(carrier.render_pjsip(trunk))
    for name in ("appliance", carrier.REGISTERED_ENDPOINT):
        endpoint = next(s for s in sections[name] if s["type"] == "endpoint")
        assert (endpoint["allow"], endpoint["dtmf_mode"]) == ("g722,ulaw", "inband")


def test_a_caller_may_send_no_number_and_hears_which_codec_answered() -> None:
    dialplan = carrier.render_extensions()
    assert 'GotoIf($["${LABDIALLED}" = ""]?nonumber)' in dialplan
    assert "(nonumber),Dial(PJSIP/${LABTRUNK},," in dialplan
    assert "Dial(PJSIP/${LABDIALLED}@${LABTRUNK},," in dialplan
    assert "UserEvent(LabCallAnswered," in dialplan and "Codec: ${CHANNEL(audionativeformat)}" \
        in dialplan
    # every handset that answers listens for the prompt
    assert dialplan.count("Set(TALK_DETECT(set)=)") == 4
    assert "load => func_talkdetect.so" in carrier.carrier_configs()["modules.conf"]


def test_the_talk_detector_tells_which_answered_handset_heard_the_prompt() -> None:
    from paivystys.appliance.lab.handsets import HandsetEvents

    class _Listeners:
        def add_listener(self, listener) -> None:
            self.listener = listener

    ami = _Listeners()
    events = HandsetEvents(ami)  # type: ignore[arg-type]
    ami.listener({"Event": "ChannelTalkingStart", "Channel": "PJSIP/appliance-00000001"})
    ami.listener({"Event": "UserEvent", "UserEvent": "HandsetAnswered",
                  "Number": "+358401234567", "Behaviour": "human", "Caller": "+358501234567",
                  "Channel": "PJSIP/appliance-00000002"})
    ami.listener({"Event": "ChannelTalkingStart", "Channel": "PJSIP/appliance-00000002"})
    assert events.names("+358401234567") == ["HandsetAnswered", "HandsetHeard"]
    # like every handset event, it names the handset, its behaviour and the call's caller
    assert events.wait_for("040 1234567", "HandsetHeard", timeout=0) == {
        "UserEvent": "HandsetHeard", "Number": "+358401234567", "Behaviour": "human",
        "Caller": "+358501234567", "Channel": "PJSIP/appliance-00000002"}
