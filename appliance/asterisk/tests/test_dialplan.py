import re

import pytest

from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.asterisk.dialplan import (
    PROMPT_NAMES,
    DialplanInput,
    ListeningPlan,
    NumberPlan,
    _event,
    render_extensions,
)
from paivystys.appliance.ringing import events
from paivystys.appliance.ringing.rule import Leg, LegResult

PLAN = NumberPlan(number_id=7, e164="+358201234567", main_legs=(Leg(1, 2), Leg(3, 2)),
                  backup_legs=(Leg(4, 5),), recording=True)


def _input(**overrides) -> DialplanInput:
    prompts = {lang: {name: f"/srv/instance/sounds/generated/{lang}/{name}"
                      for name in PROMPT_NAMES.values()} for lang in ("fi", "en")}
    values = dict(agi_url="agi://127.0.0.1:4573", recordings_dir="/srv/instance/recordings",
                  prompts=prompts, default_language="fi", ring_time=30, confirm_timeout=10,
                  phones={1: "+358401000001", 3: "+358401000003", 4: "+358401000004"},
                  numbers=[PLAN])
    values.update(overrides)
    return DialplanInput(**values)


def _contexts(text: str) -> dict[str, str]:
    parts = re.split(r"^\[([^\]]+)\]\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_form_of_the_number_reaches_the_call_logic():
    contexts = _contexts(render_extensions(_input()))
    numbers = contexts[v.CONTEXT_NUMBER]
    for form in ("+358201234567", "358201234567", "00358201234567", "0201234567"):
        assert f"exten => {form},1,Set({v.NUMBER_ID}=7)\n same => n,Goto(pv-call,s,1)" in numbers
    # every request user, and a request without one, is routed; what is no known number is
    # still asked of the AGI, which answers "unknown"
    inbound = contexts[v.CONTEXT_INBOUND]
    for pattern in ("_[!-~]", "_[!-~].", "s"):
        assert f"exten => {pattern},1,Set({v.REQUEST_USER}=" in inbound
    assert inbound.count(f"Goto({v.CONTEXT_ROUTE},s,1)") == 3
    route = contexts[v.CONTEXT_ROUTE]
    assert route.index(f"Set({v.NUMBER_ID}=)") < route.index("Goto(pv-call,s,1)")


def test_a_registrations_number_is_read_from_to_only_when_the_request_names_the_account():
    route = _contexts(render_extensions(_input()))[v.CONTEXT_ROUTE]
    # the account travels base64-encoded on the channel (pjsip.conf set_var): compared as
    # base64, neither value is ever read as an expression
    compare = (f'"${{{v.TRUNK_ACCOUNT64}}}" = "" | "${{BASE64_ENCODE(${{{v.REQUEST_USER}}})}}"'
               f' != "${{{v.TRUNK_ACCOUNT64}}}"]?check)')
    assert compare in route
    to_user = route.index("PJSIP_PARSE_URI_FROM(PV_TO_URI,user)")
    assert route.index(compare) < route.index("${CHANNEL(pjsip,local_uri)}") < to_user
    assert to_user < route.index("(check)")


def test_what_names_no_known_number_goes_to_the_trunks_default_number():
    route = _contexts(render_extensions(_input()))[v.CONTEXT_ROUTE]
    # not a number at all (a gateway's port name, a hostile To): nothing is dialled
    assert f"(nonumber),Set({v.DIALLED}=)" in route
    default = route[route.index("(unknown)"):]
    assert f"${{FILTER(0-9+,${{{v.TRUNK_DEFAULT_NUMBER}}})}}" in default
    # only while it is still an on-call number; otherwise "unknown" as before
    assert ("${DIALPLAN_EXISTS(pv-number,${PV_DEFAULT},1)}]?pv-number,${PV_DEFAULT},1)"
            in default)
    assert default.index("DIALPLAN_EXISTS") < default.index(f"Set({v.NUMBER_ID}=)")


def test_failsafe_legs_and_phones_are_globals():
    globals_ = _contexts(render_extensions(_input()))["globals"]
    assert "PV_FS_MAIN_7=1-2&3-2" in globals_
    assert "PV_FS_BACKUP_7=4-5" in globals_
    assert "PV_FS_RECORD_7=yes" in globals_
    assert f"{v.GLOBAL_PHONE_PREFIX}4=+358401000004" in globals_
    assert "PV_DEFAULT_RING_TIME=30" in globals_


def test_every_prompt_of_every_language_is_defined():
    globals_ = _contexts(render_extensions(_input()))["globals"]
    for lang in ("FI", "EN"):
        for key in PROMPT_NAMES:
            assert re.search(rf"^PV_SND_{lang}_{key}=/srv/instance/sounds/", globals_, re.M)


def test_every_context_the_dialplan_jumps_to_exists():
    text = render_extensions(_input())
    contexts = set(_contexts(text))
    targets = set(re.findall(r"(?:Goto|Gosub)\(([a-z-]+),", text))
    targets |= set(re.findall(r"hangup_handler_push\)=([a-z-]+),", text))
    targets |= set(re.findall(r"ChannelRedirect\([^,]+,([a-z-]+),", text))
    targets |= set(re.findall(r"Originate\([^,]+,exten,([a-z-]+),", text))
    targets |= set(re.findall(r"b\(([a-z-]+)\^", text))
    assert targets <= contexts, targets - contexts


def test_agi_failure_falls_back_to_failsafe_before_ringing():
    call = _contexts(render_extensions(_input()))["pv-call"]
    agi = call.index(f"AGI(${{{v.GLOBAL_AGI_URL}}}/{v.AGI_INCOMING_CALL})")
    failsafe = call.index("Gosub(pv-failsafe,s,1)")
    first_dial = call.index("Gosub(pv-stage,s,1(main")
    assert agi < failsafe < first_dial
    assert 'GotoIf($["${PV_DECISION}" != ""]?decided)' in call


def test_recordings_path_is_reported_relative():
    call = _contexts(render_extensions(_input()))["pv-call"]
    prefix = len("/srv/instance/recordings/")
    assert f"PV_RECORDING_REL=${{{v.RECORDING_FILE}:{prefix}}}" in call


def test_only_the_claim_winner_connects():
    person = _contexts(render_extensions(_input()))[v.CONTEXT_PERSON]
    claim = person[person.index("(claim)"):]
    # the winner checks the stage is still open under the lock, then closes it for the others
    assert claim.index("LOCK(pv-") < claim.index("?:late)") < claim.index(
        "Set(SHARED(PV_OPEN,${PV_CALLER_CHAN})=)") < claim.index("UNLOCK(pv-")
    assert "Gosub(pv-dismiss-legs,s,1(${PV_LEGS},${CHANNEL},taken))" in claim
    # only the winner has its Local channel answer; everyone else hears why and hangs up
    assert person.count("ChannelRedirect(${PV_LOCAL},pv-leg-connect,s,1)") == 1
    assert "Bridge(" not in person and "Answer(" not in person


def test_the_calls_state_survives_a_reload():
    """`dialplan reload` clears globals (clearglobalvars): per-call state lives on the caller's
    channel (SHARED), never in a global."""
    text = render_extensions(_input())
    assert "GLOBAL(" not in text
    for name in (v.STATE_OPEN, v.STATE_TAKEN, v.STATE_LEGS, v.STATE_ENDED):
        assert f"SHARED({name},${{{v.CALLER_CHANNEL}}})" in text or \
            f"SHARED({name},${{ARG3}})" in text


def _uses(text: str, expression: str) -> list[str]:
    return [line for line in text.splitlines() if expression in line]


def test_the_network_caller_id_is_only_ever_read_as_data():
    """LEN, BASE64_ENCODE and FILTER take their last argument whole; nothing else may see the
    caller ID as the network sent it (it would become argument or expression syntax)."""
    contexts = _contexts(render_extensions(_input()))
    for name, body in contexts.items():
        for line in _uses(body, "${CALLERID(num"):
            assert name == "pv-caller-id", (name, line)
            assert any(f"{function}${{CALLERID(num" in line
                       for function in ("LEN(", "BASE64_ENCODE(", "FILTER(0-9+,")), line
        assert "${CALLERID(name" not in body and "${CALLERID(all" not in body
    caller_id = contexts["pv-caller-id"]
    # the channel's own caller ID becomes the clean one before anything reports the call
    assert f"Set(CALLERID(num)=${{{v.CALLER}}})" in caller_id
    assert "Set(CALLERID(name)=)" in caller_id
    call = contexts["pv-call"]
    assert call.index("Gosub(pv-caller-id,s,1)") < call.index("UserEvent(")


def test_the_dialled_number_is_only_ever_read_as_data():
    """The request user and To user may hold anything: they are kept by Set (the value is
    everything after its first '='), and read only by LEN, BASE64_ENCODE and FILTER (which
    take their argument whole) or PJSIP_PARSE_URI_FROM (which takes a variable's name)."""
    contexts = _contexts(render_extensions(_input()))
    for name, body in contexts.items():
        for line in _uses(body, "${EXTEN}"):
            assert name == v.CONTEXT_INBOUND, (name, line)
            assert line.endswith(f"Set({v.REQUEST_USER}=${{EXTEN}})"), line
    route = contexts[v.CONTEXT_ROUTE]
    for raw in (f"${{{v.REQUEST_USER}}}", f"${{{v.WANTED}}}"):
        for line in _uses(render_extensions(_input()), raw):
            assert raw not in line.replace(f"LEN({raw})", "").replace(
                f"BASE64_ENCODE({raw})", "").replace(f"FILTER(0-9+*#,{raw})", "").replace(
                f"Set({v.WANTED}={raw})", ""), line
    assert "Set(PV_TO_URI=${CHANNEL(pjsip,local_uri)})" in route
    # only the filtered digits (nothing else) are dialled, jumped to or reported
    assert f"Set({v.DIALLED}=${{PV_DIGITS}})" in route
    assert "GotoIf($[${DIALPLAN_EXISTS(pv-number,${PV_DIGITS},1)}]?pv-number,${PV_DIGITS},1)" \
        in route
    is_number = ("${LEN(${PV_DIGITS})} > 0 & ${LEN(${PV_DIGITS})} = "
                 f"${{LEN(${{{v.WANTED}}})}}]?:nonumber)")
    assert route.index(is_number) < route.index("DIALPLAN_EXISTS(pv-number,${PV_DIGITS}")


def test_keys_that_may_come_as_audio_count_only_after_the_prompt_and_a_guard():
    person = _contexts(render_extensions(_input()))[v.CONTEXT_PERSON]
    assert ('Set(PV_KEY_AFTER_PROMPT=${IF($["${PJSIP_DTMF_MODE()}" = "inband" | '
            '"${PJSIP_DTMF_MODE()}" = "auto"]?yes:)})') in person
    # otherwise a key may interrupt the prompt, as before
    assert "Read(PV_DIGIT,${PV_PROMPT},1,,1,2)" in person
    after = person[person.index("(after)"):person.index("(claim)")]
    # a key that ends in the first half second after the prompt is read into PV_EARLY, which
    # nothing looks at: only the next key counts
    steps = ["Playback(${PV_PROMPT})", "Read(PV_EARLY,,1,,1,0.5)", "Read(PV_DIGIT,,1,,1,2)",
             "Goto(heard)"]
    assert "${PV_EARLY}" not in person
    assert [after.index(step) for step in steps] == sorted(after.index(step) for step in steps)


def test_events_and_arguments_carry_no_network_text():
    text = render_extensions(_input())
    for line in _uses(text, "UserEvent(") + _uses(text, "Originate("):
        for raw in ("${CALLERID(", "${EXTEN}", "${CONNECTEDLINE(", "${REDIRECTING(",
                    "${PJSIP_HEADER("):
            assert raw not in line, line
    call_start = next(line for line in _uses(text, "UserEvent(") if events.PvCallStart.NAME in line)
    assert f"Caller64: ${{{v.CALLER_RAW64}}}" in call_start
    originate = _uses(text, "Originate(")[0]
    assert f"c(${{{v.CALLER}}})" in originate


def test_people_who_answered_are_told_why_they_did_not_get_the_call():
    contexts = _contexts(render_extensions(_input()))
    farewell = contexts[v.CONTEXT_FAREWELL]
    for reason, prompt in ((v.FAREWELL_TAKEN, "TAKEN"), (v.FAREWELL_CALLER_GONE, "CALLER_GONE"),
                           (v.FAREWELL_TIME_UP, "TIME_UP")):
        assert f"exten => {reason},1," in farewell
        assert f"_{prompt}}}" in farewell
    assert LegResult.NOT_CONFIRMED in farewell and LegResult.TOO_LATE in farewell
    assert "pv-close-stage,s,1(gone)" in contexts["pv-call-end"]
    assert "pv-close-stage,s,1(timeup)" in contexts["pv-stage"]


def test_each_person_is_a_call_of_its_own():
    contexts = _contexts(render_extensions(_input()))
    leg = contexts[v.CONTEXT_LEG]
    assert "Originate(PJSIP/${PV_PHONE}@trunk,exten,pv-person,s,1," in leg
    # the Local channel the caller's Dial rings is answered in pv-leg-connect only
    answering = [name for name, body in contexts.items() if "Answer()" in body]
    assert answering == ["pv-leg-connect"]
    assert "U(" not in render_extensions(_input())


@pytest.mark.parametrize("number", ["+358201234567", "+3584012345678"])
def test_dialled_forms_start_with_e164(number):
    plan = NumberPlan(1, number, (), (), False)
    forms = plan.dialled_forms()
    assert forms[0] == number
    assert len(forms) == len(set(forms))


def test_an_event_renders_only_with_exactly_its_specs_fields():
    assert _event(events.PvStageStart, stage="${ARG1}") == (
        "UserEvent(PvStageStart,CallId: ${PV_CALL_ID},Stage: ${ARG1})")
    with pytest.raises(TypeError):
        _event(events.PvStageStart, stage="${ARG1}", person="${PV_PERSON}")  # not its field
    with pytest.raises(TypeError):
        _event(events.PvStageEnd, stage="${ARG1}")  # DialStatus left out
    with pytest.raises(TypeError):
        _event(events.PvStageEnd, stage="${ARG1}", dialstatus="${DIALSTATUS}")  # misspelt


LISTENING = ListeningPlan(number_id=3, e164="+358209876543")


def test_every_form_of_a_listening_number_reaches_the_listening_line():
    contexts = _contexts(render_extensions(_input(listening_numbers=[LISTENING])))
    numbers = contexts[v.CONTEXT_NUMBER]
    for form in ("+358209876543", "358209876543", "00358209876543", "0209876543"):
        assert (f"exten => {form},1,Set({v.LISTENING_NUMBER_ID}=3)\n"
                f" same => n,Goto({v.CONTEXT_LISTEN},s,1)") in numbers
    # the on-call number's forms still reach the call logic
    assert "exten => 0201234567,1,Set(PV_NUMBER_ID=7)" in numbers


def test_a_number_both_on_call_and_listening_has_one_extension_per_form():
    both = ListeningPlan(number_id=3, e164=PLAN.e164)
    numbers = _contexts(render_extensions(_input(listening_numbers=[both])))[v.CONTEXT_NUMBER]
    for form in PLAN.dialled_forms():
        assert numbers.count(f"exten => {form},1,") == 1
    assert v.LISTENING_NUMBER_ID not in numbers


def test_the_listening_line_is_no_on_call_call():
    """Its caller ID is cleaned as an on-call call's is, then the FastAGI handler has the
    call; it never reports an on-call call (no events, no journal, nobody rung)."""
    listen = _contexts(render_extensions(_input(listening_numbers=[LISTENING])))[
        v.CONTEXT_LISTEN]
    agi = f"AGI(${{{v.GLOBAL_AGI_URL}}}/{v.AGI_LISTENING_LINE})"
    assert listen.index("Gosub(pv-caller-id,s,1)") < listen.index(agi)
    for on_call in ("UserEvent(", "DB(", "Dial(", "pv-call,", "MixMonitor(", "AGISIGHUP"):
        assert on_call not in listen, on_call
    # the handler answers; without it the call is refused unanswered, and the log says why
    assert "Answer(" not in listen
    assert 'GotoIf($["${AGISTATUS}" = "FAILURE"]?failed)' in listen
    assert listen.index("(failed),Log(ERROR,") < listen.index("Hangup(41)")
    assert "${CALLERID(" not in listen and "${EXTEN}" not in listen
