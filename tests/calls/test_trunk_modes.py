"""Any operator: the simulated carrier set up the way each kind of operator works, and real calls
through the appliance's trunk set up to match.

- A registration: the carrier is the appliance's registrar and calls the contact the appliance
  registered (the request names the account) with the number dialled in To only.
- IP authentication: the carrier calls sip:<number>@appliance from the trunk's address.
- A GSM-to-SIP gateway on the LAN: no number, the national form, or a port name.
- Codecs: G.722, PCMU, Opus and a mix (G.722 from the caller, A-law to the person).
- Keys as RFC 4733 events, SIP INFO, tones in the audio, and auto (tones when the peer offers
  no RFC 4733); with tones, a voicemail greeting's key 1 tone pair confirms nothing.
- Behind NAT: the external address goes only outside the local networks.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from paivystys.appliance.calllog.records import call_to_dict, find_call
from paivystys.appliance.db.database import open_database
from paivystys.appliance.lab.caller import CallerReport, place_call
from paivystys.appliance.lab.carrier import EVENT_HANDSET_ANSWERED, CarrierTrunk, configure
from paivystys.appliance.ringing.rule import CallOutcome, LegResult
from paivystys.appliance.trunk import reset_trunk, set_trunk, trunk_status

from conftest import Scenario, new_mobile, prompt_seconds

ACCOUNT = "vaihde-lab"  # not a number: the account name is not the on-call number
PASSWORD = 'Rek#"isteri 7'
LOG_TIMEOUT_S = 15
# A person who presses after the prompt (tones in the audio): this long after it ends (the
# prompt starts some 0.3-0.5 s after the handset answers, and a key ending within 0.5 s of the
# prompt's end is taken as one that began during it).
PRESS_AFTER_PROMPT_S = 1.5
# A caller bridged to a voicemail hangs up this long after the greeting's tone began (the
# voicemail answers 0.5 s after it rings; its tone lasts 0.8 s and confirms as it ends).
CALLER_STAYS_AFTER_TONE_S = 6.0


@pytest.fixture
def operator(lab) -> Iterator[Callable[..., None]]:
    """Set the carrier up as an operator and the appliance's trunk to match it; afterwards
    both go back to the lab's IP trunk, whatever happened (other tests share the lab)."""
    open_database(lab.db_path)

    def set_up(carrier_trunk: CarrierTrunk, **appliance_trunk: object) -> None:
        configure(lab.carrier(), carrier_trunk)
        set_trunk(**appliance_trunk)  # type: ignore[arg-type]

    yield set_up
    reset_trunk()
    configure(lab.carrier())


class RequestUsers:
    """The request user (the extension) of every call the trunk brings in, from now on."""

    def __init__(self, ami) -> None:
        self.seen: list[str] = []
        ami.add_listener(self._on_event)

    def _on_event(self, headers: dict[str, str]) -> None:
        if (headers.get("Event") == "Newchannel"
                and headers.get("Channel", "").startswith("PJSIP/trunk-")
                and headers.get("ChannelStateDesc") == "Ring"):  # incoming, not a leg
            self.seen.append(headers.get("Exten", ""))


def place(carrier_ami, dialled: str, caller: str | None = None, **options: object
          ) -> tuple[CallerReport, dict]:
    """A call from the carrier; what the caller saw and the appliance's log row of it."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    report = place_call(carrier_ami, caller or new_mobile(), dialled, **options)  # type: ignore[arg-type]
    deadline = time.monotonic() + LOG_TIMEOUT_S
    while time.monotonic() < deadline:
        call = find_call(report.caller, since)
        if call is not None and call.ended_at is not None:
            return report, call_to_dict(call)
        time.sleep(0.1)
    raise AssertionError(f"no finished call from {report.caller} in the log")


def place_at_once(carrier_ami, calls: list[tuple[str, dict[str, object]]]
                  ) -> list[tuple[CallerReport, dict]]:
    """Calls placed together, each from a caller of its own: (dialled, options) each; what
    each caller saw and its log row, in the order given."""
    with ThreadPoolExecutor(len(calls)) as pool:
        placed = [pool.submit(place, carrier_ami, dialled, **options)
                  for dialled, options in calls]
        return [call.result() for call in placed]


def human(handsets, phone: str, identity: str, **timing: float) -> None:
    handsets.set(phone, "human", identity=identity, talk=3, **timing)


def assert_answered_by(report: CallerReport, row: dict, name: str, identity: str) -> None:
    assert row["outcome"] == CallOutcome.ANSWERED, row
    assert row["answered_by"] == name, row
    assert identity in report.heard_digits, report  # the caller was bridged to that person


# --- a registration -----------------------------------------------------------------------

def wait_registered(appliance_ami, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while (status := trunk_status(appliance_ami)).registered is not True:
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def test_a_registrations_calls_ring_the_number_dialled_in_to(
        lab, operator, scenario, handsets, carrier_ami, appliance_ami) -> None:
    first = scenario
    first.group("Rekisteröinti A", "Tilin Aino")
    second = Scenario(scenario.directory)  # a second number on the same registration
    second.group("Rekisteröinti B", "Tilin Bertta")
    human(handsets, first.people["Tilin Aino"], "2101")
    human(handsets, second.people["Tilin Bertta"], "2102")
    operator(CarrierTrunk(registration=(ACCOUNT, PASSWORD)), mode="registration",
             host="127.0.0.1", port=5070, username=ACCOUNT, password=PASSWORD)
    wait_registered(appliance_ami)
    requests = RequestUsers(appliance_ami)

    # The two numbers of the registration, and a To user that is no number ('"', ',' and '('
    # as the network may send them), all at once.
    (first_report, first_row), (second_report, second_row), (report, row) = place_at_once(
        carrier_ami, [(first.number, {}), (second.number, {}),
                      ("0201234%22%2C%28x", {"any_dialled": True})])
    assert_answered_by(first_report, first_row, "Tilin Aino", "2101")
    assert first_row["dialled"] == first.number
    assert_answered_by(second_report, second_row, "Tilin Bertta", "2102")
    assert second_row["dialled"] == second.number
    # The number that is none is refused as a number not in use: nobody rings, it is logged.
    assert (row["outcome"], row["dialled"], row["legs"]) == (CallOutcome.UNKNOWN_NUMBER, "",
                                                             []), row
    assert "404" in report.sip_cause, report
    # Every request named the account, not the number: the number came from To alone.
    assert requests.seen == [ACCOUNT] * 3


# --- IP authentication --------------------------------------------------------------------

def test_an_ip_trunk_rings_the_number_in_the_request_in_any_form(
        lab, operator, scenario, handsets, carrier_ami) -> None:
    scenario.group("Osoitteella", "Osoitteen Olli")
    human(handsets, scenario.people["Osoitteen Olli"], "2201")
    operator(CarrierTrunk(), mode="ip", host="127.0.0.1", port=5070)
    national = "0" + scenario.number.removeprefix("+358")
    # the number in both forms, and a request user that is no number (dialplan and AMI
    # syntax in it), all at once
    *answered, (report, row) = place_at_once(carrier_ami, [
        (scenario.number, {}), (national, {}),
        ("0201234567%29B%28pv-leg-connect%5Es%5E1%2C", {"any_dialled": True})])
    for dialled, (answered_report, answered_row) in zip((scenario.number, national), answered,
                                                        strict=True):
        assert_answered_by(answered_report, answered_row, "Osoitteen Olli", "2201")
        assert (answered_row["number"], answered_row["dialled"]) == (scenario.number, dialled)
    # The one that is no number reaches the dialplan as data only: refused as a number not in
    # use, nobody rings, the call is logged.
    assert (row["outcome"], row["dialled"], row["legs"]) == (CallOutcome.UNKNOWN_NUMBER, "",
                                                             []), row
    assert "404" in report.sip_cause, report


# --- a GSM gateway on the LAN -------------------------------------------------------------

def test_a_gsm_gateways_calls_go_to_the_default_number(
        lab, operator, scenario, handsets, carrier_ami) -> None:
    scenario.group("Gateway", "Gsm Gunnar")
    human(handsets, scenario.people["Gsm Gunnar"], "2301")
    operator(CarrierTrunk(), mode="gateway", host="127.0.0.1", port=5070,
             default_number=scenario.number)
    national = "0" + scenario.number.removeprefix("+358")
    cases = [("", {}, ""),  # no user in the request at all
             (national, {}, national),  # the number in national form
             ("gsm-port1", {"any_dialled": True}, ""),  # the gateway's port name
             ("0401230000", {}, "0401230000")]  # the SIM's own number, unknown to the box
    results = place_at_once(carrier_ami, [(dialled, options) for dialled, options, _ in cases])
    for (_dialled, _options, logged), (report, row) in zip(cases, results, strict=True):
        assert_answered_by(report, row, "Gsm Gunnar", "2301")
        assert (row["number"], row["dialled"]) == (scenario.number, logged), row


# --- codecs -------------------------------------------------------------------------------

@pytest.mark.parametrize(("offered", "caller_codec", "person_codec"), [
    (("g722",), "g722", "g722"),
    (("ulaw",), "ulaw", "ulaw"),
    (("opus",), "opus", "opus"),
    # the caller's offer puts G.722 first; the appliance's offer to the person puts A-law
    # first: the bridge transcodes between them
    (("g722", "ulaw", "alaw"), "g722", "alaw"),
], ids=["g722", "pcmu", "opus", "mix"])
def test_each_codec_bridges_and_the_prompt_is_heard(
        lab, operator, scenario, handsets, handset_events, carrier_ami,
        offered: tuple[str, ...], caller_codec: str, person_codec: str) -> None:
    name = f"Koodekki {'-'.join(offered)}"
    scenario.group(f"Koodekit {'-'.join(offered)}", name)
    phone = scenario.people[name]
    human(handsets, phone, "2401")
    operator(CarrierTrunk(codecs=offered), mode="ip", host="127.0.0.1", port=5070)
    report, row = place(carrier_ami, scenario.number)
    assert_answered_by(report, row, name, "2401")
    assert report.codec == f"({caller_codec})", report
    answered = handset_events.wait_for(phone, EVENT_HANDSET_ANSWERED)
    assert answered["Codec"] == f"({person_codec})", answered
    # the person's phone heard sound (the prompt) on its line
    handset_events.wait_for(phone, "HandsetHeard", timeout=0)


# --- keys -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("appliance_mode", "carrier_mode"), [
    ("rfc4733", "rfc4733"), ("info", "info"), ("inband", "inband"),
    # auto: RFC 4733 when the peer offers it; this carrier offers none, so tones
    ("auto", "inband"),
])
def test_keys_arrive_the_operators_way(lab, operator, scenario, handsets, carrier_ami,
                                       ring_time, appliance_mode: str,
                                       carrier_mode: str) -> None:
    name = f"Näppäin {appliance_mode}"
    scenario.group(f"Näppäimet {appliance_mode}", name)
    caller = new_mobile()
    answer_after = 1.0
    if appliance_mode in ("inband", "auto"):
        # A key sent as a tone counts only once the prompt has ended: a real person presses
        # after hearing "press 1"; one ring round must hold the prompt and the press.
        ring_time(20)
        confirm_after = prompt_seconds(lab, caller) + PRESS_AFTER_PROMPT_S
    else:
        confirm_after = 1.0  # during the prompt, as people do
    human(handsets, scenario.people[name], "2501", answer_after=answer_after,
          confirm_after=confirm_after)
    operator(CarrierTrunk(dtmf_mode=carrier_mode), mode="ip", host="127.0.0.1", port=5070,
             dtmf_mode=appliance_mode)
    report, row = place(carrier_ami, scenario.number, caller)
    # the 1 confirmed the call; the identity keys went on through the bridge to the caller
    assert_answered_by(report, row, name, "2501")


@pytest.mark.parametrize(("tone", "confirms"), [
    ("during the prompt", False),
    ("from the prompt into the wait for a key", False),
    ("after the prompt", True),  # indistinguishable from a person pressing 1
])
def test_a_greetings_key_tone_confirms_nothing_while_the_prompt_plays(
        lab, operator, scenario, handsets, handset_events, carrier_ami, ring_time,
        tone: str, confirms: bool) -> None:
    name = f"Vastaaja {tone}"
    scenario.group(f"Sävelvastaajat {tone}", name)
    phone = scenario.people[name]
    caller = new_mobile()
    prompt = prompt_seconds(lab, caller)
    # The greeting's 0.8 s tone: within the prompt; begun 0.1-0.5 s before it ends (its end
    # falls in the half second after the prompt); begun well after the prompt.
    tone_after = {"during the prompt": 1.0,
                  "from the prompt into the wait for a key": prompt - 0.6,
                  "after the prompt": prompt + 1.0}[tone]
    ring_time(20)
    handsets.set(phone, "voicemail", answer_after=0.5, tone_after=tone_after)
    operator(CarrierTrunk(dtmf_mode="inband"), mode="ip", host="127.0.0.1", port=5070,
             dtmf_mode="inband")
    # A confirmed voicemail is bridged to the caller and records for a minute: the caller hangs
    # up some seconds after the tone instead (the confirmation comes within a second of it).
    hangup_after = tone_after + CALLER_STAYS_AFTER_TONE_S if confirms else None
    _report, row = place(carrier_ami, scenario.number, caller, hangup_after=hangup_after)
    handset_events.wait_for(phone, "HandsetTone", timeout=0)
    [leg] = row["legs"]
    if confirms:
        assert (row["outcome"], leg["result"]) == (CallOutcome.ANSWERED, LegResult.CONFIRMED)
    else:
        assert row["outcome"] == CallOutcome.MISSED, row
        assert leg["result"] == LegResult.VOICEMAIL_SUSPECTED, row


# --- behind NAT ---------------------------------------------------------------------------

def test_behind_nat_the_external_address_goes_only_outside_the_local_networks(
        lab, operator, scenario, handsets, handset_events, carrier_ami) -> None:
    scenario.group("Nat-ryhmä", "Nat Niina")
    phone = scenario.people["Nat Niina"]
    human(handsets, phone, "2601")
    # the carrier is on a local network: it hears the box's own address, and calls work
    operator(CarrierTrunk(), mode="ip", host="127.0.0.1", port=5070,
             external_address="203.0.113.5", local_networks=["127.0.0.0/8"])
    transport = lab.appliance().rx("pjsip show transport transport-udp")
    assert "203.0.113.5" in transport, transport
    report, row = place(carrier_ami, scenario.number)
    assert_answered_by(report, row, "Nat Niina", "2601")
    assert handset_events.wait_for(phone, "HandsetRinging")["ContactHost"] == "127.0.0.1"

    # outside the local networks, the box says it is at the router's public address
    handsets.set(phone, "no-answer")
    set_trunk("ip", "127.0.0.1", 5070, local_networks=["192.168.1.0/24"])
    place(carrier_ami, scenario.number, hangup_after=3)
    rung = [event for event in handset_events.of(phone) if event["UserEvent"] == "HandsetRinging"]
    assert [event["ContactHost"] for event in rung] == ["127.0.0.1", "203.0.113.5"]
