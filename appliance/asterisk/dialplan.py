"""The appliance's dialplan (extensions.conf), generated from the database.

The call logic proper is decided by the FastAGI "incoming-call" handler; the dialplan carries
it out and keeps working without Python: every number's extension knows its failsafe legs.
Ring all, first human wins: the caller's Dial() rings one Local channel per person (Dial
starts them in parallel: 100 legs in about 0.1 s). Each Local channel originates the person's
call and waits, unanswered. A person who answers hears the prompt on their own channel; only
the one whose 1 wins the claim redirects its Local channel to answer, which is what Dial
bridges the caller to. Nothing that happens on a person's channel (a voicemail, a hang-up in
the prompt, a late 1) can answer a Local channel, so the caller only ever reaches the winner.
(Dial's U() prompt on the person's leg, as TELEPHONY-NOTES suggests, bridges a leg whose
person hung up inside the prompt: the caller is answered by a dead leg. See README.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers

from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.asterisk.pjsip import DTMF_MAY_BE_AUDIO
from paivystys.appliance.phones import DEFAULT_REGION
from paivystys.appliance.ringing.events import (
    PvCallEnd,
    PvCallStart,
    PvConfirmed,
    PvDecision,
    PvLegAnswer,
    PvLegEnd,
    PvLegResult,
    PvLegRing,
    PvRecording,
    PvStageEnd,
    PvStageStart,
    UserEvent,
)
from paivystys.appliance.ringing.rule import (
    CALL_KEY_CHARACTERS,
    RECORDING_FILE,
    RECORDING_MONTH,
    Leg,
    LegResult,
    Routing,
    Stage,
    Verdict,
    leg_list,
)

PROMPT_NAMES = {
    "ONCALL_FROM": "pv-oncall-call-from",
    "ONCALL": "pv-oncall-call",  # the caller ID is no number: nothing to read out
    "ONCALL_WITHHELD": "pv-oncall-call-withheld",
    "PRESS_1": "pv-press-1",
    "TAKEN": "pv-already-taken",
    "CALLER_GONE": "pv-caller-hung-up",
    "TIME_UP": "pv-ring-time-over",
    "NOBODY": "pv-nobody-available",
    "NOT_IN_USE": "pv-number-not-in-use",
    **{f"DIGIT_{d}": f"digit-{d}" for d in "0123456789"},
}


def dialled_forms(e164: str) -> list[str]:
    """The forms a trunk may send the number ``e164`` in: E.164, without '+', 00..., national
    (with the country's own trunk prefix, e.g. 0 in Finland)."""
    parsed = phonenumbers.parse(e164)
    national = "".join(filter(str.isdigit, phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.NATIONAL)))
    digits = e164.lstrip("+")
    return list(dict.fromkeys([e164, digits, f"00{digits}", national]))


@dataclass(frozen=True)
class NumberPlan:
    """What the dialplan must know of one on-call number to ring it without Python."""

    number_id: int
    e164: str
    main_legs: tuple[Leg, ...]
    backup_legs: tuple[Leg, ...]
    recording: bool

    def dialled_forms(self) -> list[str]:
        return dialled_forms(self.e164)


@dataclass(frozen=True)
class ListeningPlan:
    """A listening number: its calls go to the listening line, never to the call logic."""

    number_id: int
    e164: str

    def dialled_forms(self) -> list[str]:
        return dialled_forms(self.e164)


@dataclass(frozen=True)
class DialplanInput:
    agi_url: str
    recordings_dir: str  # inside Asterisk, e.g. /srv/instance/recordings
    prompts: dict[str, dict[str, str]]  # language -> prompt name -> path without extension
    default_language: str
    ring_time: int
    confirm_timeout: int
    phones: dict[int, str]  # person id -> E.164
    numbers: list[NumberPlan] = field(default_factory=list)
    listening_numbers: list[ListeningPlan] = field(default_factory=list)


def _event(spec: type[UserEvent], **values: str) -> str:
    """The UserEvent line of `spec` with these values (dialplan expressions) for its fields,
    CallId aside; a field the spec lacks or one left out fails here.  Every value must be ours
    or made safe (digits, base64, Asterisk's own words): UserEvent takes ',' as the next header
    and a line break as the next AMI line."""
    event = spec(call_id=f"${{{v.CALL_ID}}}", **values)
    headers = ",".join(f"{header}: {value}" for header, value in event.headers().items())
    return f"UserEvent({event.NAME},{headers})"


NOW = "${STRFTIME(,,%s.%3q)}"
# A person's call ends with its Local channel; this only caps a call whose Local channel was
# lost in between.  Longer than the longest ring time a setting allows (300 s).
PERSON_RING_LIMIT_S = 310
# A person has this long after each round of the prompt to press.
READ_AFTER_PROMPT_S = 2
# When keys may arrive as tones in the audio: a key that ends within KEY_GUARD_S of the
# prompt's end was most likely sounding already while the prompt played (a person who waits
# for "press 1" to end presses later).  Asterisk takes only the ends of keys while it plays a
# prompt, so when a key began cannot be told: only when it ended.
KEY_GUARD_S = 0.5
# Numbers dialled in national form ("0401234567") belong to this country.
COUNTRY_CODE = phonenumbers.country_code_for_region(DEFAULT_REGION)


def _journal(field: str, value: str) -> str:
    return f"Set(DB({v.JOURNAL_FAMILY}/${{{v.CALL_KEY}}}/{field})={value})"


def _state(name: str) -> str:
    """The call's state variable `name`, kept on the caller's channel (see variables)."""
    return f"SHARED({name},${{{v.CALLER_CHANNEL}}})"


def _globals(data: DialplanInput) -> list[str]:
    lines = [
        "[globals]",
        f"{v.GLOBAL_AGI_URL}={data.agi_url}",
        f"PV_DEFAULT_LANG={data.default_language}",
        f"PV_DEFAULT_RING_TIME={data.ring_time}",
        f"PV_DEFAULT_CONFIRM_TIMEOUT={data.confirm_timeout}",
    ]
    for language, prompts in sorted(data.prompts.items()):
        for key, name in PROMPT_NAMES.items():
            lines.append(f"PV_SND_{language.upper()}_{key}={prompts[name]}")
    for person_id, phone in sorted(data.phones.items()):
        lines.append(f"{v.GLOBAL_PHONE_PREFIX}{person_id}={phone}")
    for plan in data.numbers:
        lines.append(f"PV_FS_MAIN_{plan.number_id}={leg_list(plan.main_legs)}")
        lines.append(f"PV_FS_BACKUP_{plan.number_id}={leg_list(plan.backup_legs)}")
        lines.append(f"PV_FS_RECORD_{plan.number_id}={'yes' if plan.recording else ''}")
    return lines


# What a dialled number is written with.  A request user or To user that holds anything else
# is no number (and could be syntax further on: an event header, an argument).
DIALLED_CHARACTERS = "0-9+*#"
# Every request user of printable ASCII enters the dialplan, as data: a number, the account of
# a registration, a gateway's port name.  (Asterisk answers 404 to anything else; a request
# without a user is "s".)  Not "_.": Asterisk warns against it at every load.
REQUEST_USER_PATTERNS = ("_[!-~]", "_[!-~].")


def _inbound() -> list[str]:
    lines = [
        "; Which number a call is for is decided in pv-route, where the request's user is",
        "; only ever read as data (it may hold quotes, commas, brackets).",
        f"[{v.CONTEXT_INBOUND}]",
        # The hangup extension is no request user.
        "exten => h,1,NoOp()",
        f"exten => s,1,Set({v.REQUEST_USER}=)",
        f" same => n,Goto({v.CONTEXT_ROUTE},s,1)",
    ]
    for pattern in REQUEST_USER_PATTERNS:
        lines += [
            f"exten => {pattern},1,Set({v.REQUEST_USER}=${{EXTEN}})",
            f" same => n,Goto({v.CONTEXT_ROUTE},s,1)",
        ]
    return lines


def _route() -> list[str]:
    request_user = f"${{{v.REQUEST_USER}}}"
    wanted = f"${{{v.WANTED}}}"
    account = f"${{{v.TRUNK_ACCOUNT64}}}"
    is_number = (f"${{LEN(${{PV_DIGITS}})}} > 0"
                 f" & ${{LEN(${{PV_DIGITS}})}} = ${{LEN({wanted})}}")
    number = f"{v.CONTEXT_NUMBER},${{PV_DIGITS}},1"
    default = f"{v.CONTEXT_NUMBER},${{PV_DEFAULT}},1"
    return [
        "; The number dialled is the request's user, except when a registration's operator",
        "; calls the contact the box registered (sip:<account>@box): then it is To's user.",
        "; Compared in base64, read with LEN and FILTER: never as an expression or argument.",
        f"[{v.CONTEXT_ROUTE}]",
        f"exten => s,1,Set({v.WANTED}={request_user})",
        f' same => n,GotoIf($["{account}" = "" | "${{BASE64_ENCODE({request_user})}}"'
        f' != "{account}"]?check)',
        " same => n,Set(PV_TO_URI=${CHANNEL(pjsip,local_uri)})",
        f" same => n,Set({v.WANTED}=${{PJSIP_PARSE_URI_FROM(PV_TO_URI,user)}})",
        f" same => n(check),Set(PV_DIGITS=${{FILTER({DIALLED_CHARACTERS},{wanted})}})",
        f" same => n,GotoIf($[{is_number}]?:nonumber)",
        f" same => n,Set({v.DIALLED}=${{PV_DIGITS}})",
        f" same => n,GotoIf($[${{DIALPLAN_EXISTS({number})}}]?{number})",
        " same => n,Goto(unknown)",
        f" same => n(nonumber),Set({v.DIALLED}=)",
        # No number, or one the box does not know: the trunk's default number, when it has one
        # (a GSM gateway sends none) and that is still an on-call number.
        f" same => n(unknown),Set(PV_DEFAULT=${{FILTER(0-9+,${{{v.TRUNK_DEFAULT_NUMBER}}})}})",
        f' same => n,GotoIf($["${{PV_DEFAULT}}" != ""'
        f" & ${{DIALPLAN_EXISTS({default})}}]?{default})",
        # Otherwise the AGI, which may recognise another form of a number and otherwise
        # answers "unknown": the caller hears that the number is not in use.
        f" same => n,Set({v.NUMBER_ID}=)",
        " same => n,Goto(pv-call,s,1)",
    ]


def _numbers(data: DialplanInput) -> list[str]:
    lines = ["; each form a trunk may send an on-call number or a listening number in",
             f"[{v.CONTEXT_NUMBER}]"]
    seen: set[str] = set()
    for plan in data.numbers:
        for form in plan.dialled_forms():
            if form in seen:
                continue
            seen.add(form)
            lines += [
                f"exten => {form},1,Set({v.NUMBER_ID}={plan.number_id})",
                " same => n,Goto(pv-call,s,1)",
            ]
    # A number is never both (the directory refuses it); were it so, the on-call number's
    # extension, written first, would win.
    for listening in data.listening_numbers:
        for form in listening.dialled_forms():
            if form in seen:
                continue
            seen.add(form)
            lines += [
                f"exten => {form},1,Set({v.LISTENING_NUMBER_ID}={listening.number_id})",
                f" same => n,Goto({v.CONTEXT_LISTEN},s,1)",
            ]
    return lines


def _listen() -> list[str]:
    return [
        "; The listening line: who calls is asked who they are, then hears their own",
        "; recordings.  Nobody is rung and nothing is reported as an on-call call (no call",
        "; events, no journal): the FastAGI handler answers and logs the call itself.  It runs",
        "; to the end of the call; a hang-up reaches it as Asterisk's HANGUP line (AGISIGHUP",
        "; stays on).",
        f"[{v.CONTEXT_LISTEN}]",
        "exten => s,1,Gosub(pv-caller-id,s,1)",
        f" same => n,AGI(${{{v.GLOBAL_AGI_URL}}}/{v.AGI_LISTENING_LINE})",
        ' same => n,GotoIf($["${AGISTATUS}" = "FAILURE"]?failed)',
        " same => n,Hangup()",
        # The FastAGI server could not be reached: there is no line without it.  The call is
        # not answered yet: the caller's network says "temporary failure", not silence.
        " same => n(failed),Log(ERROR,the listening line could not reach the FastAGI server)",
        " same => n,Hangup(41)",
    ]


def _caller_id() -> list[str]:
    """The caller ID as data: see variables.CALLER.  Runs before anything reports the call."""
    raw = "${CALLERID(num)}"
    caller = f"${{{v.CALLER}}}"
    digits_only = (f"${{LEN(${{PV_DIGITS}})}} = ${{{v.CALLER_LENGTH}}}"
                   f" & ${{{v.CALLER_LENGTH}}} <= {v.CALLER_NUMBER_LIMIT}")
    presented = (f'"${{{v.CALLER_PRESENTATION}:0:{len(v.PRESENTATION_WITHHELD_PREFIX)}}}"'
                 f' != "{v.PRESENTATION_WITHHELD_PREFIX}"')
    return [
        "; The network's caller ID may hold anything (',', '(', quotes, line breaks).  LEN,",
        "; BASE64_ENCODE and FILTER take their whole argument as text, and Set takes everything",
        "; after its first '=' as the value; nothing else ever sees the raw caller ID.  The",
        "; channel's own caller ID is replaced by the clean one, so that every later AMI event",
        "; and the AGI environment carry only digits.",
        "[pv-caller-id]",
        f"exten => s,1,Set({v.CALLER_LENGTH}=${{LEN({raw})}})",
        f" same => n,Set({v.CALLER_RAW64}=${{BASE64_ENCODE(${{CALLERID(num):0:{v.CALLER_RAW_LIMIT}}})}})",
        f" same => n,Set({v.CALLER_PRESENTATION}=${{CALLERID(pres)}})",
        f" same => n,Set(PV_DIGITS=${{FILTER(0-9+,{raw})}})",
        f" same => n,Set(__{v.CALLER}=)",
        f" same => n,ExecIf($[{digits_only} & {presented}]?Set(__{v.CALLER}=${{PV_DIGITS}}))",
        f" same => n,Set(CALLERID(num)={caller})",
        " same => n,Set(CALLERID(name)=)",
        f" same => n,Set(CALLERID(dnid)=${{{v.DIALLED}}})",
        " same => n,Set(REDIRECTING(from-num,i)=)",
        " same => n,Set(REDIRECTING(from-name,i)=)",
        " same => n,Set(REDIRECTING(to-num,i)=)",
        " same => n,Set(REDIRECTING(to-name,i)=)",
        # E.164 the way the trunk may send it: +..., 00..., national 0..., or bare digits.
        f" same => n,Set(__{v.CALLER_E164}={caller})",
        f' same => n,ExecIf($["{caller}" = ""]?Return())',
        f' same => n,ExecIf($["${{{v.CALLER}:0:2}}" = "00"]?Set(__{v.CALLER_E164}=+${{{v.CALLER}:2}}))',
        f' same => n,ExecIf($["${{{v.CALLER}:0:1}}" = "0" & "${{{v.CALLER}:1:1}}" != "0"]'
        f"?Set(__{v.CALLER_E164}=+{COUNTRY_CODE}${{{v.CALLER}:1}}))",
        f' same => n,ExecIf($["${{{v.CALLER}:0:1}}" != "0" & "${{{v.CALLER}:0:1}}" != "+"]'
        f"?Set(__{v.CALLER_E164}=+{caller}))",
        " same => n,Return()",
    ]


def _call(recordings_prefix_len: int) -> list[str]:
    key = f"${{{v.CALL_KEY}}}"
    caller_journal = (f"${{{v.CALLER_RAW64}}}/${{{v.CALLER_LENGTH}}}"
                      f"/${{{v.CALLER_PRESENTATION}}}")
    return [
        "[pv-call]",
        f"exten => s,1,Set(__{v.CALL_ID}=${{UNIQUEID}})",
        # Names of locks and AstDB keys take the unique id's digits only.
        f" same => n,Set(__{v.CALL_KEY}=${{FILTER({CALL_KEY_CHARACTERS},${{UNIQUEID}})}})",
        f" same => n,Set(__{v.CALLER_CHANNEL}=${{CHANNEL}})",
        " same => n,Gosub(pv-caller-id,s,1)",
        " same => n,Set(CHANNEL(hangup_handler_push)=pv-call-end,s,1)",
        " same => n," + _event(PvCallStart, number_id=f"${{{v.NUMBER_ID}}}",
                               dialled=f"${{{v.DIALLED}}}", caller64=f"${{{v.CALLER_RAW64}}}",
                               caller_length=f"${{{v.CALLER_LENGTH}}}",
                               presentation=f"${{{v.CALLER_PRESENTATION}}}"),
        " same => n," + _journal(v.JOURNAL_START, f"{NOW}/${{{v.NUMBER_ID}}}/${{{v.CALL_ID}}}"),
        " same => n," + _journal(v.JOURNAL_CALLER, caller_journal),
        " same => n," + _journal(v.JOURNAL_DIALLED, f"${{{v.DIALLED}}}"),
        " same => n,Ringing()",
        " same => n,Set(AGISIGHUP=no)",
        f" same => n,Set({v.ROUTING}={Routing.AGI})",
        f" same => n,AGI(${{{v.GLOBAL_AGI_URL}}}/{v.AGI_INCOMING_CALL})",
        f' same => n,GotoIf($["${{{v.DECISION}}}" != ""]?decided)',
        f" same => n,Set({v.ROUTING}={Routing.FAILSAFE})",
        " same => n,Gosub(pv-failsafe,s,1)",
        f' same => n(decided),Set(PV_RECORDING_REL=${{{v.RECORDING_FILE}:{recordings_prefix_len}}})',
        " same => n," + _event(PvDecision, decision=f"${{{v.DECISION}}}",
                               routing=f"${{{v.ROUTING}}}", recording="${PV_RECORDING_REL}"),
        " same => n," + _journal(v.JOURNAL_DECISION, f"${{{v.DECISION}}}/${{{v.ROUTING}}}"),
        " same => n,Gosub(pv-build-prompt,s,1)",
        f' same => n,GotoIf($["${{{v.DECISION}}}" = "{Verdict.UNKNOWN}"]?unknown)',
        f' same => n,GotoIf($["${{{v.DECISION}}}" != "{Verdict.RING}"]?nobody)',
        f' same => n,GotoIf($["${{{v.RECORDING_FILE}}}" = ""]?main)',
        # b: only while bridged, so the ringing and the prompts are not recorded.
        f" same => n,MixMonitor(${{{v.RECORDING_FILE}}},b)",
        " same => n," + _event(PvRecording, file="${PV_RECORDING_REL}"),
        f' same => n(main),GotoIf($["${{{v.MAIN_LEGS}}}" = ""]?backup)',
        f" same => n,Gosub(pv-stage,s,1({Stage.MAIN},{v.MAIN_LEGS}))",
        ' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?done)',
        f' same => n(backup),GotoIf($["${{{v.BACKUP_LEGS}}}" = ""]?nobody)',
        f" same => n,Gosub(pv-stage,s,1({Stage.BACKUP},{v.BACKUP_LEGS}))",
        ' same => n,GotoIf($["${DIALSTATUS}" = "ANSWER"]?done)',
        f" same => n(nobody),Set({_state(v.STATE_OPEN)}=)",
        # Early media: the caller is not charged for a call that nobody took.
        " same => n,Progress()",
        " same => n,Playback(${PV_SND_${TOUPPER(${PV_LANG})}_NOBODY},noanswer)",
        # 19 "no answer": the trunk says 480 Temporarily Unavailable, not 603 Decline
        " same => n,Hangup(19)",
        " same => n(unknown),Progress()",
        " same => n,Playback(${PV_SND_${TOUPPER(${PV_LANG})}_NOT_IN_USE},noanswer)",
        " same => n,Hangup(1)",
        " same => n(done),Hangup()",
        "",
        "; ARG1 = stage name, ARG2 = the name of the variable holding its legs (p-g&p-g...)",
        "[pv-stage]",
        f"exten => s,1,Set(__{v.STAGE}=${{ARG1}})",
        f" same => n,Set({_state(v.STATE_OPEN)}=${{ARG1}})",
        " same => n," + _event(PvStageStart, stage="${ARG1}"),
        # p-g&p-g -> Local/p-g@pv-leg/n&Local/p-g@pv-leg/n in one step, whatever the size
        f" same => n,Set(PV_DIAL=Local/${{STRREPLACE(${{ARG2}},&,@{v.CONTEXT_LEG}/n&Local/)}}"
        f"@{v.CONTEXT_LEG}/n)",
        f" same => n,Dial(${{PV_DIAL}},${{{v.RING_TIME}}},g)",
        " same => n,Set(PV_STAGE_STATUS=${DIALSTATUS})",
        " same => n," + _event(PvStageEnd, stage="${ARG1}", dial_status="${DIALSTATUS}"),
        ' same => n,GotoIf($["${PV_STAGE_STATUS}" = "ANSWER"]?out)',
        # The stage is over (a caller who hangs up never gets here: pv-call-end closes it):
        # nobody may claim it any more, whoever still rings stops, and whoever listens to the
        # prompt is told that the ring time is over.
        f" same => n,Gosub(pv-close-stage,s,1({v.FAREWELL_TIME_UP}))",
        " same => n(out),Set(DIALSTATUS=${PV_STAGE_STATUS})",
        " same => n,Return()",
        "",
        "; on the caller's channel: ARG1 = the farewell for people listening to the prompt",
        "[pv-close-stage]",
        f"exten => s,1,Set(LOCKED=${{LOCK(pv-{key})}})",
        f" same => n,Set({_state(v.STATE_OPEN)}=)",
        f" same => n,Set(PV_LEGS=${{{_state(v.STATE_LEGS)}}})",
        f" same => n,Set({_state(v.STATE_LEGS)}=)",
        f" same => n,Set(UNLOCKED=${{UNLOCK(pv-{key})}})",
        " same => n,Gosub(pv-dismiss-legs,s,1(${PV_LEGS},,${ARG1}))",
        " same => n,Return()",
        "",
        "; the caller's hangup handler: every leg stops, the people in the prompt are told",
        "[pv-call-end]",
        f"exten => s,1,Set({_state(v.STATE_ENDED)}=yes)",
        f" same => n,Gosub(pv-close-stage,s,1({v.FAREWELL_CALLER_GONE}))",
        " same => n," + _journal(v.JOURNAL_ENDED, f"${{DIALSTATUS}}/{NOW}"),
        " same => n," + _event(PvCallEnd, dial_status="${DIALSTATUS}"),
        " same => n,Return()",
        "",
        "; ARG1 = '&'-separated people's channels, ARG2 = the channel to spare, ARG3 = farewell.",
        "; A person still ringing stops; one who answered hears why, then is hung up.",
        "[pv-dismiss-legs]",
        "exten => s,1,Set(PV_LIST=${ARG1})",
        ' same => n,While($["${PV_LIST}" != ""])',
        " same => n,Set(PV_CHAN=${SHIFT(PV_LIST,&)})",
        ' same => n,GotoIf($["${PV_CHAN}" = "" | "${PV_CHAN}" = "${ARG2}"]?next)',
        ' same => n,GotoIf($["${IMPORT(${PV_CHAN},PV_FAREWELL)}" != ""]?next)',
        ' same => n,GotoIf($["${IMPORT(${PV_CHAN},PV_ANSWERED)}" = "yes"]?farewell)',
        " same => n,SoftHangup(${PV_CHAN})",
        " same => n,Goto(next)",
        f" same => n(farewell),ChannelRedirect(${{PV_CHAN}},{v.CONTEXT_FAREWELL},${{ARG3}},1)",
        " same => n(next),EndWhile()",
        " same => n,Return()",
    ]


def _failsafe() -> list[str]:
    num = f"${{{v.NUMBER_ID}}}"
    recording = RECORDING_FILE.format(
        directory="${PV_RECORDINGS_DIR}", month=f"${{STRFTIME(${{EPOCH}},UTC,{RECORDING_MONTH})}}",
        call_id=f"${{{v.CALL_ID}}}")
    return [
        "; the FastAGI server is down or failed: ring what the last configuration said",
        "[pv-failsafe]",
        f'exten => s,1,Set({v.DECISION}={Verdict.UNKNOWN})',
        f' same => n,GotoIf($["{num}" = ""]?out)',
        f" same => n,Set({v.MAIN_LEGS}=${{PV_FS_MAIN_{num}}})",
        f" same => n,Set({v.BACKUP_LEGS}=${{PV_FS_BACKUP_{num}}})",
        f" same => n,Set({v.RING_TIME}=${{PV_DEFAULT_RING_TIME}})",
        f" same => n,Set(__{v.CONFIRM_TIMEOUT}=${{PV_DEFAULT_CONFIRM_TIMEOUT}})",
        f" same => n,Set(__{v.LANGUAGE}=${{PV_DEFAULT_LANG}})",
        f' same => n,ExecIf($["${{PV_FS_RECORD_{num}}}" = "yes"]?Set({v.RECORDING_FILE}='
        f"{recording}))",
        f' same => n,Set({v.DECISION}=${{IF($["${{{v.MAIN_LEGS}}}${{{v.BACKUP_LEGS}}}" = ""]'
        f"?{Verdict.NOBODY}:{Verdict.RING})}})",
        f' same => n(out),ExecIf($["${{{v.LANGUAGE}}}" = ""]?Set(__{v.LANGUAGE}=${{PV_DEFAULT_LANG}}))',
        " same => n,Return()",
    ]


def _prompt() -> list[str]:
    lang = f"${{TOUPPER(${{{v.LANGUAGE}}})}}"
    withheld = (f'"${{{v.CALLER_PRESENTATION}:0:{len(v.PRESENTATION_WITHHELD_PREFIX)}}}"'
                f' = "{v.PRESENTATION_WITHHELD_PREFIX}" | ${{{v.CALLER_LENGTH}}} = 0')
    return [
        "; builds __PV_PROMPT: 'on-call call from' + the caller's number digit by digit",
        "; (national form) + 'press 1'; no number: 'on-call call (from a withheld number)'",
        "[pv-build-prompt]",
        f"exten => s,1,Set(PV_NUM=${{{v.CALLER}}})",
        f' same => n,ExecIf($["${{PV_NUM:0:4}}" = "+{COUNTRY_CODE}"]'
        f"?Set(PV_NUM=0${{PV_NUM:{len(str(COUNTRY_CODE)) + 1}}}))",
        " same => n,Set(PV_NUM=${FILTER(0-9,${PV_NUM})})",
        f" same => n,Set(PV_FILES=${{PV_SND_{lang}_ONCALL_FROM}})",
        f' same => n,ExecIf($["${{PV_NUM}}" = ""]?Set(PV_FILES=${{PV_SND_{lang}_ONCALL}}))',
        f' same => n,ExecIf($["${{PV_NUM}}" = "" & ({withheld})]'
        f"?Set(PV_FILES=${{PV_SND_{lang}_ONCALL_WITHHELD}}))",
        " same => n,Set(I=0)",
        ' same => n,While($[${I} < ${LEN(${PV_NUM})}])',
        f" same => n,Set(PV_FILES=${{PV_FILES}}&${{PV_SND_{lang}_DIGIT_${{PV_NUM:${{I}}:1}}}})",
        " same => n,Set(I=$[${I} + 1])",
        " same => n,EndWhile()",
        f" same => n,Set(__PV_PROMPT=${{PV_FILES}}&${{PV_SND_{lang}_PRESS_1}})",
        " same => n,Return()",
    ]


def _leg() -> list[str]:
    carried = "^".join(f"{name}=${{{name}}}" for name in (
        v.CALL_ID, v.CALL_KEY, v.CALLER_CHANNEL, v.LANGUAGE, v.CONFIRM_TIMEOUT, "PV_PROMPT",
        v.LEG_PERSON, v.LEG_GROUP, v.LEG_PHONE, v.STAGE)) + "^PV_LOCAL=${CHANNEL}"
    leg = {"person": f"${{{v.LEG_PERSON}}}", "stage": f"${{{v.STAGE}}}"}
    return [
        "; Local/<person>-<group>@pv-leg/n: one person of one stage.  This Local channel is",
        "; what the caller's Dial rings; it is answered only when its person won the call.",
        f"[{v.CONTEXT_LEG}]",
        f"exten => _X.,1,Set({v.LEG_PERSON}=${{CUT(EXTEN,-,1)}})",
        f" same => n,Set({v.LEG_GROUP}=${{CUT(EXTEN,-,2)}})",
        f" same => n,Set({v.LEG_PHONE}=${{{v.GLOBAL_PHONE_PREFIX}${{{v.LEG_PERSON}}}}})",
        # An on-call person calling the line is not rung on their own phone (the AGI leaves
        # them out; this covers the failsafe legs).
        f' same => n,GotoIf($["${{{v.LEG_PHONE}}}" != "" & "${{{v.LEG_PHONE}}}" = '
        f'"${{{v.CALLER_E164}}}"]?self)',
        " same => n," + _event(PvLegRing, group=f"${{{v.LEG_GROUP}}}",
                               phone=f"${{{v.LEG_PHONE}}}", **leg),
        f' same => n,GotoIf($["${{{v.LEG_PHONE}}}" = ""]?nophone)',
        " same => n,Set(CHANNEL(hangup_handler_push)=pv-leg-end,s,1)",
        # The person's call is a call of its own, so that whatever happens on it cannot
        # answer this channel; only pv-leg-connect below does, for the winner.  Every value
        # spliced into Originate's arguments is ours or digits (CALLER), never network text.
        f" same => n,Originate(PJSIP/${{{v.LEG_PHONE}}}@trunk,exten,{v.CONTEXT_PERSON},s,1,"
        f"{PERSON_RING_LIMIT_S},ac(${{{v.CALLER}}})"
        f"b(pv-person-predial^s^1(${{{v.CALL_KEY}}}^${{CHANNEL}}^${{{v.CALLER_CHANNEL}}}))"
        f"v({carried}))",
        " same => n,Wait(600)",
        " same => n,Hangup()",
        " same => n(nophone)," + _event(PvLegEnd, dial_status="CHANUNAVAIL",
                                        hangup_cause="no phone", **leg),
        " same => n,Hangup()",
        " same => n(self),Hangup()",
        "",
        "; the winner redirected its Local channel here: answering it is what Dial bridges",
        "[pv-leg-connect]",
        "exten => s,1,Answer()",
        # x: the person is hung up when the caller hangs up; when the person hangs up,
        # Bridge returns and this channel (hence the caller's Dial) ends.
        f" same => n,Bridge(${{SHARED({v.STATE_PERSON_CHANNEL})}},x)",
        " same => n,Hangup()",
        "",
        "; the Local channel ends (another person won, the stage ended, the caller left): a",
        "; person still ringing stops now.  One who answered (the winner included) is left to",
        "; whoever ended the stage, who tells them why (pv-dismiss-legs).",
        "[pv-leg-end]",
        f"exten => s,1,Set(PV_CHAN=${{SHARED({v.STATE_PERSON_CHANNEL})}})",
        ' same => n,GotoIf($["${PV_CHAN}" = ""]?out)',
        ' same => n,GotoIf($["${IMPORT(${PV_CHAN},PV_ANSWERED)}" = "yes"]?out)',
        " same => n,SoftHangup(${PV_CHAN})",
        " same => n(out),Return()",
        "",
        "; on each person's new channel before it rings: ARG1 = call key, ARG2 = its Local,",
        "; ARG3 = the caller's channel (Originate's variables may not be set yet)",
        "[pv-person-predial]",
        # Its Local channel may already be gone (the call was taken or abandoned meanwhile).
        'exten => s,1,GotoIf($[${CHANNEL_EXISTS(${ARG2})}]?:gone)',
        f" same => n,Set(SHARED({v.STATE_PERSON_CHANNEL},${{ARG2}})=${{CHANNEL}})",
        " same => n,Set(LOCKED=${LOCK(pv-${ARG1})})",
        # The stage may have been closed while this channel was being made: then it must
        # not ring (nobody would ever stop it).
        f' same => n,GotoIf($["${{SHARED({v.STATE_OPEN},${{ARG3}})}}" = ""]?closed)',
        f" same => n,Set(SHARED({v.STATE_LEGS},${{ARG3}})=${{SHARED({v.STATE_LEGS},${{ARG3}})}}"
        "${CHANNEL}&)",
        " same => n,Set(UNLOCKED=${UNLOCK(pv-${ARG1})})",
        " same => n,Set(CHANNEL(hangup_handler_push)=pv-person-end,s,1)",
        " same => n,Return()",
        " same => n(closed),Set(UNLOCKED=${UNLOCK(pv-${ARG1})})",
        " same => n(gone),Hangup()",
        "",
        "; a person's channel ends: report it, and end its Local channel (unless it won), so",
        "; that the caller's Dial sees this leg fail (everyone busy: the stage ends at once)",
        "[pv-person-end]",
        "exten => s,1,Set(PV_CAUSE=${HANGUPCAUSE})",
        " same => n,Set(PV_STATUS=ANSWER)",
        ' same => n,GotoIf($["${PV_ANSWERED}" = "yes"]?report)',
        ' same => n,Set(PV_STATUS=${IF($["${PV_CAUSE}" = "17"]?BUSY:CHANUNAVAIL)})',
        # normal clearing, no user responding, no answer: it rang out or was cancelled
        ' same => n,ExecIf($["${PV_CAUSE}" = "16" | "${PV_CAUSE}" = "18" | "${PV_CAUSE}" = "19" | "${PV_CAUSE}" = "0" | "${PV_CAUSE}" = ""]?Set(PV_STATUS=NOANSWER))',
        " same => n(report)," + _event(PvLegEnd, dial_status="${PV_STATUS}",
                                       hangup_cause="${PV_CAUSE}", **leg),
        ' same => n,GotoIf($["${PV_WON}" = "yes"]?out)',
        " same => n,SoftHangup(${PV_LOCAL})",
        " same => n(out),Return()",
    ]


def _person() -> list[str]:
    key = f"${{{v.CALL_KEY}}}"
    leg = {"person": f"${{{v.LEG_PERSON}}}", "stage": f"${{{v.STAGE}}}"}
    still_open = (f'$["${{{_state(v.STATE_OPEN)}}}" = "${{{v.STAGE}}}"'
                  " & ${CHANNEL_EXISTS(${PV_LOCAL})}]")
    key_may_be_audio = " | ".join(f'"${{PJSIP_DTMF_MODE()}}" = "{mode}"'
                                  for mode in DTMF_MAY_BE_AUDIO)
    return [
        "; a person answered: the prompt, and only a 1 that wins the claim connects them",
        f"[{v.CONTEXT_PERSON}]",
        "exten => s,1,Set(PV_ANSWERED=yes)",
        " same => n," + _event(PvLegAnswer, channel="${CHANNEL}", **leg),
        f" same => n,GotoIf({still_open}?:closed)",
        f" same => n,Set(PV_DEADLINE=$[${{EPOCH}} + ${{{v.CONFIRM_TIMEOUT}}}])",
        f" same => n,Set(PV_KEY_AFTER_PROMPT=${{IF($[{key_may_be_audio}]?yes:)}})",
        # The prompt is replayed until the deadline; between rounds the loop notices a call
        # that somebody else took (normally the winner's farewell redirect comes first).
        f" same => n(prompt),GotoIf({still_open}?:closed)",
        " same => n,GotoIf($[${EPOCH} >= ${PV_DEADLINE}]?silent)",
        ' same => n,GotoIf($["${PV_KEY_AFTER_PROMPT}" = "yes"]?after)',
        f" same => n,Read(PV_DIGIT,${{PV_PROMPT}},1,,1,{READ_AFTER_PROMPT_S})",
        ' same => n(heard),GotoIf($["${PV_DIGIT}" = "1"]?claim)',
        ' same => n,GotoIf($["${PV_DIGIT}" != ""]?declined)',
        " same => n,Goto(prompt)",
        # Keys may arrive as tones in the audio, which a voicemail greeting can play too.  The
        # prompt plays to its end: a key that ends meanwhile is dropped.  A key that ends just
        # after it was sounding while the prompt played: dropped too.  Only then a key counts.
        " same => n(after),Playback(${PV_PROMPT})",
        f" same => n,Read(PV_EARLY,,1,,1,{KEY_GUARD_S})",
        f" same => n,Read(PV_DIGIT,,1,,1,{READ_AFTER_PROMPT_S})",
        " same => n,Goto(heard)",
        " same => n(claim),Set(PV_PRESSED=yes)",
        f" same => n,Set(LOCKED=${{LOCK(pv-{key})}})",
        f" same => n,GotoIf({still_open}?:late)",
        f" same => n,Set({_state(v.STATE_OPEN)}=)",
        f" same => n,Set({_state(v.STATE_TAKEN)}=${{{v.LEG_PERSON}}})",
        " same => n,Set(PV_WON=yes)",
        f" same => n,Set(PV_LEGS=${{{_state(v.STATE_LEGS)}}})",
        f" same => n,Set({_state(v.STATE_LEGS)}=)",
        f" same => n,Set(UNLOCKED=${{UNLOCK(pv-{key})}})",
        " same => n," + _journal(v.JOURNAL_CONFIRMED,
                                 f"${{{v.LEG_PERSON}}}/${{{v.LEG_GROUP}}}/${{{v.STAGE}}}/{NOW}"
                                 f"/${{{v.LEG_PHONE}}}"),
        " same => n," + _event(PvLegResult, result=LegResult.CONFIRMED, **leg),
        # Group and Phone too: a monitor that missed this leg's ringing logs it from here.
        " same => n," + _event(PvConfirmed, group=f"${{{v.LEG_GROUP}}}",
                               phone=f"${{{v.LEG_PHONE}}}", **leg),
        f" same => n,Gosub(pv-dismiss-legs,s,1(${{PV_LEGS}},${{CHANNEL}},{v.FAREWELL_TAKEN}))",
        # Our Local channel answers (pv-leg-connect) and bridges us; the caller's Dial
        # bridges the caller to that Local channel.  Until then we wait here.
        " same => n,ChannelRedirect(${PV_LOCAL},pv-leg-connect,s,1)",
        " same => n,Wait(30)",
        " same => n,Hangup()",
        f" same => n(late),Set(UNLOCKED=${{UNLOCK(pv-{key})}})",
        # The stage closed before this person confirmed: why decides what they hear.
        f" same => n(closed),Set(PV_FAREWELL={v.FAREWELL_CALLER_GONE})",
        f' same => n,GotoIf($[!${{CHANNEL_EXISTS(${{{v.CALLER_CHANNEL}}})}}]?farewell)',
        f' same => n,GotoIf($["${{{_state(v.STATE_ENDED)}}}" = "yes"]?farewell)',
        f' same => n,Set(PV_FAREWELL=${{IF($["${{{_state(v.STATE_TAKEN)}}}" != ""]'
        f"?{v.FAREWELL_TAKEN}:{v.FAREWELL_TIME_UP})}})",
        f" same => n(farewell),Goto({v.CONTEXT_FAREWELL},${{PV_FAREWELL}},1)",
        " same => n(declined)," + _event(PvLegResult, result=LegResult.DECLINED, **leg),
        " same => n,Hangup()",
        " same => n(silent)," + _event(PvLegResult, result=LegResult.VOICEMAIL_SUSPECTED,
                                       **leg),
        " same => n,Hangup()",
    ]


def _farewell() -> list[str]:
    lang = f"${{TOUPPER(${{{v.LANGUAGE}}})}}"
    leg = {"person": f"${{{v.LEG_PERSON}}}", "stage": f"${{{v.STAGE}}}"}
    lines = [
        "; a person who answered but did not get the call hears why before the line drops:",
        "; somebody else took it, the caller hung up, or the stage's ring time ran out",
        f"[{v.CONTEXT_FAREWELL}]",
    ]
    for reason, prompt in ((v.FAREWELL_TAKEN, "TAKEN"), (v.FAREWELL_CALLER_GONE, "CALLER_GONE"),
                           (v.FAREWELL_TIME_UP, "TIME_UP")):
        lines += [
            f"exten => {reason},1,Set(PV_FAREWELL={reason})",
            f' same => n,Set(PV_RESULT=${{IF($["${{PV_PRESSED}}" = "yes"]?{LegResult.TOO_LATE}'
            f":{LegResult.NOT_CONFIRMED})}})",
            " same => n," + _event(PvLegResult, result="${PV_RESULT}", **leg),
            f" same => n,Playback(${{PV_SND_{lang}_{prompt}}})",
            " same => n,Hangup()",
        ]
    return lines


def render_extensions(data: DialplanInput) -> str:
    prefix_len = len(data.recordings_dir.rstrip("/")) + 1
    sections = [
        ["[general]", "static=yes", "writeprotect=yes", "clearglobalvars=yes"],
        [*_globals(data), f"PV_RECORDINGS_DIR={data.recordings_dir.rstrip('/')}"],
        _inbound(),
        _route(),
        _numbers(data),
        _listen(),
        _caller_id(),
        _call(prefix_len),
        _failsafe(),
        _prompt(),
        _leg(),
        _person(),
        _farewell(),
    ]
    header = "; Generated by Päivystysvaihde from its database. Do not edit: changes are lost."
    return "\n\n".join([header] + ["\n".join(section) for section in sections]) + "\n"
