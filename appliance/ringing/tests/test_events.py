"""The UserEvent specs: their names and headers on the wire, and reading AMI events into them."""

from __future__ import annotations

import pytest

from paivystys.appliance.ringing import events

# What the dialplan sends and Asterisk's AMI carries: renaming a class or a field changes it.
WIRE = {
    "PvCallStart": ("CallId", "NumberId", "Dialled", "Caller64", "CallerLength", "Presentation"),
    "PvDecision": ("CallId", "Decision", "Routing", "Recording"),
    "PvStageStart": ("CallId", "Stage"),
    "PvLegRing": ("CallId", "Person", "Group", "Phone", "Stage"),
    "PvLegAnswer": ("CallId", "Person", "Stage", "Channel"),
    "PvLegResult": ("CallId", "Person", "Stage", "Result"),
    "PvLegEnd": ("CallId", "Person", "Stage", "DialStatus", "HangupCause"),
    "PvStageEnd": ("CallId", "Stage", "DialStatus"),
    "PvConfirmed": ("CallId", "Person", "Stage", "Group", "Phone"),
    "PvRecording": ("CallId", "File"),
    "PvCallEnd": ("CallId", "DialStatus"),
}


def test_every_event_names_its_headers_as_on_the_wire() -> None:
    assert {name: spec.header_names() for name, spec in events.SPECS.items()} == WIRE


def test_an_ami_user_event_is_read_into_its_spec() -> None:
    event = events.parse({"Event": "UserEvent", "UserEvent": "PvLegEnd", "CallId": "5.5",
                          "Person": "3", "Stage": "main", "DialStatus": "BUSY",
                          "HangupCause": "17", "Privilege": "user,all", "Extra": "ignored"})
    assert event == events.PvLegEnd("5.5", person="3", stage="main", dial_status="BUSY",
                                    hangup_cause="17")


def test_a_missing_header_reads_as_empty() -> None:
    assert events.parse({"UserEvent": "PvCallEnd"}) == events.PvCallEnd("", dial_status="")


@pytest.mark.parametrize("name", ["", "PvTest", "pvcallend", "UserEvent", "PvCallEnd ",
                                  "LegEvent", "SPECS", "PvCallEnd\r\nEvent: Hangup"])
def test_any_other_event_is_none(name: str) -> None:
    assert events.parse({"Event": "UserEvent", "UserEvent": name, "CallId": "1"}) is None


def test_hostile_values_stay_values() -> None:
    """A value is data: whatever it holds, it lands in its own field and nowhere else."""
    hostile = "1,Person: 9\r\nEvent: Hangup\r\n\r\n"
    event = events.parse({"UserEvent": "PvLegResult", "CallId": "1", "Person": hostile,
                          "Stage": "main", "Result": "confirmed"})
    assert isinstance(event, events.PvLegResult)
    assert (event.person, event.stage, event.result) == (hostile, "main", "confirmed")


def test_a_replayed_event_has_the_ami_form_parse_reads() -> None:
    event = events.PvConfirmed("1.2", person="3", stage="backup", group="4", phone="+3584")
    headers = events.ami_headers(event, "1764100000.500")
    assert (headers["Event"], headers["UserEvent"], headers["Timestamp"]) == (
        "UserEvent", "PvConfirmed", "1764100000.500")
    assert events.parse(headers) == event


def test_a_spec_takes_only_its_own_fields() -> None:
    with pytest.raises(TypeError):
        events.PvStageStart("1", stage="main", person="3")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        events.PvStageEnd("1", stage="main")  # type: ignore[call-arg]
