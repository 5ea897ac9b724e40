"""The simulated carrier: a second Asterisk that plays the phone network around the appliance.

It is both ends of the appliance's trunk.  Calls it *receives* from the appliance ring the
people's handsets, each scripted through the carrier's AstDB (see :mod:`.handsets`); calls it
*places* to the appliance are the callers (see :mod:`.caller`).  Everything a handset or a
caller does is reported as an AMI ``UserEvent`` so that tests assert on facts, not on timing.

This module owns every name shared between the carrier's dialplan and the Python that drives
it: contexts, channel variables, the AstDB layout and the event names.
"""

from __future__ import annotations

from dataclasses import dataclass

from paivystys.appliance.asterisk.base import base_configs
from paivystys.appliance.runtime.instance import AsteriskInstance, InstanceSpec

CARRIER_SPEC = InstanceSpec(name="carrier", sip_port=5070, ami_port=5039,
                            rtp_start=12000, rtp_end=12999)
# The simulated phone network, not part of the box: its AMI places callers (Originate), scripts
# handsets (astdb) and answers the tests' diagnostics, so it keeps every AMI class.
CARRIER_AMI_WRITE = ("all",)
APPLIANCE_SIP = ("127.0.0.1", 5060)
CARRIER_HOST = "127.0.0.1"

# --- Dialplan contexts and the PJSIP endpoint ------------------------------------------------
ENDPOINT = "appliance"  # the carrier's endpoint for the appliance (PJSIP/<number>@appliance)
AUTH = "appliance-auth"  # what the carrier answers the appliance's challenges with, if anything
# With a registration: the endpoint that calls the contact the appliance registered, and the
# credentials the carrier, as registrar, challenges the appliance for.
REGISTERED_ENDPOINT = "appliance-registered"
REGISTRAR_AUTH = "appliance-registrar"
GLOBAL_TRUNK = "LABTRUNK"  # the endpoint callers dial the appliance through
CONTEXT_FROM_APPLIANCE = "carrier-from-appliance"  # legs the appliance places: handsets
CONTEXT_HANDSET = "carrier-handset"
CONTEXT_CALLER = "carrier-caller"
CONTEXT_CALLER_ANSWERED = "carrier-caller-answered"  # Dial U(): always starts at its "s"
CALLER_DIAL_EXTEN = "dial"  # Local/dial@carrier-caller/n, ;2 side: dials the appliance
CALLER_ID_EXTEN = "callerid"  # predial handler: sets the caller ID the appliance receives
CALLER_LISTEN_EXTEN = "listen"  # ;1 side, runs once the appliance answered: hears the DTMF

# --- Handset scripts in the AstDB ------------------------------------------------------------
# One key per handset, handset/<E.164>, holding the fields below joined by SPEC_SEPARATOR.
# Python writes every field resolved (defaults applied), so the dialplan needs no defaults.
DB_FAMILY = "handset"
SPEC_SEPARATOR = ":"
SPEC_FIELDS = ("behaviour", "answer_after", "confirm_after", "talk", "identity", "tone_after")

NO_ANSWER = "no-answer"
BUSY = "busy"
DECLINE = "decline"
VOICEMAIL = "voicemail"
HUMAN = "human"
# answers, then hangs up in the middle of the prompt.  Not "hang-up": Asterisk ignores dashes
# in extension names, and "hangup" is the hangup handler's extension.
HANG_UP = "hangs-up"
BEHAVIOURS = (NO_ANSWER, BUSY, DECLINE, VOICEMAIL, HUMAN, HANG_UP)
DEFAULT_BEHAVIOUR = NO_ANSWER

# How long a ringing or answered handset waits at most before it hangs up by itself.  Longer
# than any ring time the appliance accepts (300 s), so only a runaway leg ever reaches it.
NO_ANSWER_CAP_S = 600
# A voicemail records (listens silently) this long after its beep; a decliner who answered
# waits this long for the appliance to drop it.
VOICEMAIL_LISTEN_S = 60
DECLINER_WAIT_S = 60
# About four seconds of "The person ... is unavailable", then the beep.
VOICEMAIL_GREETING = "vm-theperson&vm-isunavail"
VOICEMAIL_BEEP = "beep"
# A greeting may start with a tone pair: the two frequencies of the key 1 (697 and 1209 Hz),
# as audio, whatever the trunk's DTMF mode.
KEY_1_TONE = "697+1209"
GREETING_TONE_S = 0.8
# A human sends its identity this long after pressing 1 (the appliance bridges it to the
# caller in the meantime), then again every IDENTITY_REPEAT_S in case the first burst was
# still swallowed by the confirmation prompt.
IDENTITY_FIRST_DELAY_S = 1
IDENTITY_REPEAT_S = 2
# What the human "says" between identity bursts: a 440 Hz tone, easy to find in a recording.
HUMAN_VOICE_TONE = "440"
DTMF_GAP_MS = 100
# The caller's listening side reads one digit at a time; a Read that timed out starts again.
LISTEN_READ_S = 10
DTMF_DURATION_MS = 120

# --- Channel variables -----------------------------------------------------------------------
VAR_CALL = "LABCALL"  # per-call id of a placed call, inherited to every channel of the call
# The caller ID travels base64-encoded: the network may send any bytes (commas, quotes, CR/LF),
# and an AMI header or a dialplan argument would take them as syntax on the way in.
VAR_CALLER_NUM64 = "LABCALLERNUM64"
VAR_CALLER_NAME64 = "LABCALLERNAME64"
VAR_CALLER_PRES = "LABCALLERPRES"  # CALLERID(pres), e.g. prohib for a withheld number
VAR_DIALLED = "LABDIALLED"  # empty: the request names no number (a GSM gateway's way)
VAR_LIMIT = "LABLIMIT"  # seconds after which the caller hangs up, ringing or talking
# Where the carrier records what the caller hears (a path inside the carrier's Asterisk), or
# empty; inherited to the channel towards the appliance, which records its audio there (the
# caller sends nothing but silence, so the recording is what the appliance sent).
VAR_HEARD = "LABHEARD"
# The folder of those recordings, in the carrier's instance directory.
HEARD_DIR = "recordings/heard"

# --- UserEvents ------------------------------------------------------------------------------
# Handset events carry Number (as dialled by the appliance), Behaviour and Caller.
EVENT_HANDSET_RINGING = "HandsetRinging"  # + ContactHost: the host in the appliance's Contact
EVENT_HANDSET_BUSY = "HandsetBusy"
EVENT_HANDSET_DECLINED = "HandsetDeclined"  # rejected with SIP 603 without answering
EVENT_HANDSET_ANSWERED = "HandsetAnswered"  # + Channel, Codec (the audio codec of its call)
EVENT_HANDSET_PRESSED = "HandsetPressed"  # + Digit
EVENT_HANDSET_IDENTITY = "HandsetIdentity"  # + Digits: one burst of the identity
EVENT_HANDSET_GREETING = "HandsetGreeting"  # + Status: the voicemail greeting and beep ended
EVENT_HANDSET_TONE = "HandsetTone"  # the voicemail greeting plays the key 1's tone pair
# Not a UserEvent: HandsetEvents records one when Asterisk's talk detector hears sound on an
# answered handset's line (the prompt), from the AMI's ChannelTalkingStart.
EVENT_HANDSET_HEARD = "HandsetHeard"
AMI_TALKING_START = "ChannelTalkingStart"
EVENT_HANDSET_HANGUP = "HandsetHangup"  # + By (handset | network), Cause (Q.850)
HANDSET_EVENTS = (EVENT_HANDSET_RINGING, EVENT_HANDSET_BUSY, EVENT_HANDSET_DECLINED,
                  EVENT_HANDSET_ANSWERED, EVENT_HANDSET_PRESSED, EVENT_HANDSET_IDENTITY,
                  EVENT_HANDSET_GREETING, EVENT_HANDSET_TONE, EVENT_HANDSET_HANGUP)
HANGUP_BY_HANDSET = "handset"
HANGUP_BY_NETWORK = "network"

# Caller events carry LabCall and Time (Unix time with milliseconds, the carrier's clock).
EVENT_CALL_START = "LabCallStart"  # the carrier starts dialling the appliance
# + Codec, Channel: the appliance answered; Channel is the carrier's channel towards it (the
# keys the caller presses are sent on it)
EVENT_CALL_ANSWERED = "LabCallAnswered"
EVENT_CALL_DIGIT = "LabCallDigit"  # + Digit: one DTMF digit the caller heard
EVENT_CALL_END = "LabCallEnd"  # + DialStatus, HangupCause, SipCause: the dialling side ended
EVENT_CALL_LISTEN_END = "LabCallListenEnd"  # the listening side ended: no more digits follow

_NOW = "${STRFTIME(,,%s.%3q)}"


@dataclass(frozen=True)
class CarrierTrunk:
    """How the simulated operator runs its side of the trunk."""

    # What the carrier answers the appliance's challenges with (user name, password), as an
    # operator whose calls the appliance authenticates; None: it answers none.
    credentials: tuple[str, str] | None = None
    # The account (user name, password) the appliance registers with: the carrier is then its
    # registrar and calls it the way registrars do, at the contact the appliance registered
    # (sip:<user name>@appliance) with the number dialled in To only.  None: the carrier
    # knows the appliance by its address and calls sip:<number>@appliance.
    registration: tuple[str, str] | None = None
    codecs: tuple[str, ...] = ("ulaw", "alaw")  # what the carrier offers and accepts, in order
    dtmf_mode: str = "rfc4733"  # how its phones send keys: rfc4733, info, inband, auto


DEFAULT_TRUNK = CarrierTrunk()


def carrier_configs(trunk: CarrierTrunk = DEFAULT_TRUNK) -> dict[str, str]:
    """Every file the carrier's Asterisk reads, by file name."""
    configs = base_configs(CARRIER_SPEC, ami_write=CARRIER_AMI_WRITE)
    # Real phones send RTP (silence included) from the first moment; without it a waiting
    # caller sends nothing and every Answer() on the appliance waits 500 ms for media.
    options = configs["asterisk.conf"].rstrip("\n")
    configs["asterisk.conf"] = f"{options}\ntransmit_silence = yes\n"
    # The talk detector tells whether a handset that answered hears anything (the prompt).
    configs["modules.conf"] += "load => func_talkdetect.so\n"
    configs["pjsip.conf"] = render_pjsip(trunk)
    configs["extensions.conf"] = render_extensions(trunk)
    return configs


def render_pjsip(trunk: CarrierTrunk = DEFAULT_TRUNK) -> str:
    """The carrier's pjsip.conf for ``trunk``."""
    host, port = APPLIANCE_SIP
    media = f"""\
disallow=all
allow={",".join(trunk.codecs)}
dtmf_mode={trunk.dtmf_mode}
direct_media=no
rtp_symmetric=yes
media_address={CARRIER_HOST}
bind_rtp_to_media_address=yes
"""
    extra_lines, sections = "", ""
    aors = ENDPOINT
    if trunk.credentials is not None:
        username, password = trunk.credentials
        extra_lines += f"outbound_auth={AUTH}\n"
        sections += (f"\n[{AUTH}]\ntype=auth\nauth_type=userpass\nusername={username}\n"
                     f"password={password}\n")
    if trunk.registration is not None:
        account, password = trunk.registration
        aors = f"{ENDPOINT},{account}"
        # Everything the appliance sends is challenged: its REGISTER and its calls.
        extra_lines += f"auth={REGISTRAR_AUTH}\n"
        sections += f"""
[{REGISTRAR_AUTH}]
type=auth
auth_type=userpass
username={account}
password={password}

; the appliance's registration: its contact, sip:{account}@<its address>
[{account}]
type=aor
max_contacts=1
remove_existing=yes

; Calls to the registered contact.  Asterisk puts the number dialled in both the request URI
; and To; the strict route (a proxy URI without ;lr) makes the request URI the contact's
; account, as a registrar's request is, and leaves the number in To (and in a Route header).
[{REGISTERED_ENDPOINT}]
type=endpoint
transport=transport-udp
context={CONTEXT_FROM_APPLIANCE}
{media}trust_id_inbound=yes
aors={account}
outbound_proxy=sip:{account}@{host}:{port}
"""
    return f"""; The simulated carrier's SIP side. Generated by paivystys.appliance.lab.carrier.
[global]
type=global
user_agent=Paivystys-Lab-Carrier
; no network card in the namespace: never look anything up
default_realm=paivystys-lab

[transport-udp]
type=transport
protocol=udp
bind={CARRIER_HOST}:{CARRIER_SPEC.sip_port}

[{ENDPOINT}]
type=endpoint
transport=transport-udp
context={CONTEXT_FROM_APPLIANCE}
{media}; the appliance shows the original caller in P-Asserted-Identity
trust_id_inbound=yes
aors={aors}
{extra_lines}
[{ENDPOINT}]
type=aor
contact=sip:{host}:{port}
qualify_frequency=0

[{ENDPOINT}]
type=identify
endpoint={ENDPOINT}
match={host}
{sections}"""


def configure(carrier: AsteriskInstance, trunk: CarrierTrunk = DEFAULT_TRUNK) -> None:
    """Make the running carrier run its side of the trunk as ``trunk`` says (the default: the
    lab's IP trunk); calls in progress go on."""
    carrier.write_config("pjsip.conf", render_pjsip(trunk))
    carrier.write_config("extensions.conf", render_extensions(trunk))
    carrier.reload("res_pjsip.so")
    carrier.rx("dialplan reload")


def use_credentials(carrier: AsteriskInstance, credentials: tuple[str, str] | None) -> None:
    """Make the running carrier answer the appliance's challenges with ``credentials`` (None:
    answer none), as an operator does whose calls the appliance authenticates."""
    configure(carrier, CarrierTrunk(credentials=credentials))


def _event(name: str, **fields: str) -> str:
    body = ",".join(f"{key}: {value}" for key, value in fields.items())
    return f"UserEvent({name},{body})"


def _handset_event(name: str, **fields: str) -> str:
    return _event(name, Number="${HANDSET}", Behaviour="${BEHAVIOUR}",
                  Caller="${CALLERID(num)}", **fields)


def _call_event(name: str, **fields: str) -> str:
    return _event(name, LabCall=f"${{{VAR_CALL}}}", Time=_NOW, **fields)


def _spec_field(name: str) -> str:
    return f"${{CUT(SPEC,{SPEC_SEPARATOR},{SPEC_FIELDS.index(name) + 1})}}"


def render_extensions(trunk: CarrierTrunk = DEFAULT_TRUNK) -> str:
    endpoint = ENDPOINT if trunk.registration is None else REGISTERED_ENDPOINT
    globals_ = f"[globals]\n{GLOBAL_TRUNK}={endpoint}\n"
    return "\n".join([_EXTENSIONS_HEADER, globals_, _handset_contexts(), _caller_context()])


_EXTENSIONS_HEADER = """; The simulated carrier's dialplan.
; Generated by paivystys.appliance.lab.carrier.
[general]
static=yes
writeprotect=yes
clearglobalvars=yes
"""


def _handset_contexts() -> str:
    by_handset = f"same => n,Set(HANGUP_BY={HANGUP_BY_HANDSET})"
    answered_event = _handset_event(EVENT_HANDSET_ANSWERED, Channel="${CHANNEL}",
                                    Codec="${CHANNEL(audionativeformat)}")
    answered = f"same => n,{answered_event}\n same => n,Set(TALK_DETECT(set)=)"
    ringing_event = _handset_event(EVENT_HANDSET_RINGING,
                                   ContactHost="${PJSIP_PARSE_URI_FROM(CONTACT_URI,host)}")
    hangup_event = _handset_event(EVENT_HANDSET_HANGUP, By="${HANGUP_BY}", Cause="${HANGUPCAUSE}")
    return f"""
; Every leg the appliance places rings a handset; the request user is the person's number.
[{CONTEXT_FROM_APPLIANCE}]
exten => _+X.,1,Set(HANDSET=${{EXTEN}})
 same => n,Goto({CONTEXT_HANDSET},start,1)
exten => _X.,1,Set(HANDSET=${{EXTEN}})
 same => n,Goto({CONTEXT_HANDSET},start,1)

[{CONTEXT_HANDSET}]
exten => start,1,Set(SPEC=${{DB({DB_FAMILY}/${{HANDSET}})}})
 same => n,Set(BEHAVIOUR={_spec_field("behaviour")})
 same => n,ExecIf($["${{BEHAVIOUR}}" = ""]?Set(BEHAVIOUR={DEFAULT_BEHAVIOUR}))
 same => n,Set(ANSWER_AFTER={_spec_field("answer_after")})
 same => n,Set(CONFIRM_AFTER={_spec_field("confirm_after")})
 same => n,Set(TALK={_spec_field("talk")})
 same => n,Set(IDENTITY={_spec_field("identity")})
 same => n,Set(TONE_AFTER={_spec_field("tone_after")})
 same => n,Set(HANGUP_BY={HANGUP_BY_NETWORK})
 same => n,Set(CHANNEL(hangup_handler_push)={CONTEXT_HANDSET},hangup,1)
 ; where the appliance says it is (its Contact): its own address, or its router's behind NAT
 same => n,Set(CONTACT_URI=${{CHANNEL(pjsip,target_uri)}})
 same => n,{ringing_event}
 same => n,Goto(${{BEHAVIOUR}},1)

; Rings until the appliance cancels the leg.
exten => {NO_ANSWER},1,Ringing()
 same => n,Wait({NO_ANSWER_CAP_S})
 {by_handset}
 same => n,Hangup()

; 486 Busy Here.
exten => {BUSY},1,{_handset_event(EVENT_HANDSET_BUSY)}
 {by_handset}
 same => n,Hangup(17)

; Without answer_after: 603 Decline at once.  With it: answers, then presses 2.
exten => {DECLINE},1,GotoIf($["${{ANSWER_AFTER}}" != ""]?answer)
 same => n,{_handset_event(EVENT_HANDSET_DECLINED)}
 {by_handset}
 same => n,PJSIPHangup(603)
 same => n(answer),Ringing()
 same => n,Wait(${{ANSWER_AFTER}})
 same => n,Answer()
 {answered}
 same => n,Wait(${{CONFIRM_AFTER}})
 ; reported first: the appliance may drop the leg while the digit is still being sent
 same => n,{_handset_event(EVENT_HANDSET_PRESSED, Digit="2")}
 same => n,SendDTMF(2,{DTMF_GAP_MS},{DTMF_DURATION_MS})
 same => n,Wait({DECLINER_WAIT_S})
 {by_handset}
 same => n,Hangup()

; Answers, plays a greeting and a beep, then records in silence.  Never sends a digit, but
; with tone_after its greeting starts with the key 1's tone pair, as audio.
exten => {VOICEMAIL},1,Ringing()
 same => n,Wait(${{ANSWER_AFTER}})
 same => n,Answer()
 {answered}
 same => n,GotoIf($["${{TONE_AFTER}}" = ""]?greeting)
 same => n,Wait(${{TONE_AFTER}})
 same => n,{_handset_event(EVENT_HANDSET_TONE)}
 same => n,PlayTones({KEY_1_TONE})
 same => n,Wait({GREETING_TONE_S})
 same => n,StopPlayTones()
 same => n(greeting),Playback({VOICEMAIL_GREETING}&{VOICEMAIL_BEEP})
 same => n,{_handset_event(EVENT_HANDSET_GREETING, Status="${PLAYBACKSTATUS}")}
 same => n,Wait({VOICEMAIL_LISTEN_S})
 {by_handset}
 same => n,Hangup()

; Answers, listens to the prompt for a moment and hangs up without pressing anything.
exten => {HANG_UP},1,Ringing()
 same => n,Wait(${{ANSWER_AFTER}})
 same => n,Answer()
 {answered}
 same => n,Wait(${{CONFIRM_AFTER}})
 {by_handset}
 same => n,Hangup()

; Answers, presses 1, then tells who it is (DTMF) until its talk time is over.
exten => {HUMAN},1,Ringing()
 same => n,Wait(${{ANSWER_AFTER}})
 same => n,Answer()
 {answered}
 same => n,Wait(${{CONFIRM_AFTER}})
 same => n,{_handset_event(EVENT_HANDSET_PRESSED, Digit="1")}
 ; the talk time runs from the press; when it is over the T extension hangs up
 same => n,Set(TIMEOUT(absolute)=${{TALK}})
 same => n,SendDTMF(1,{DTMF_GAP_MS},{DTMF_DURATION_MS})
 ; a voice between the bursts: without audio there is nothing to record or to hear
 same => n,PlayTones({HUMAN_VOICE_TONE})
 same => n,Wait({IDENTITY_FIRST_DELAY_S})
 same => n(identity),StopPlayTones()
 same => n,{_handset_event(EVENT_HANDSET_IDENTITY, Digits="${IDENTITY}")}
 same => n,SendDTMF(${{IDENTITY}},{DTMF_GAP_MS},{DTMF_DURATION_MS})
 same => n,PlayTones({HUMAN_VOICE_TONE})
 same => n,Wait({IDENTITY_REPEAT_S})
 same => n,Goto(identity)

exten => T,1,Set(HANGUP_BY={HANGUP_BY_HANDSET})
 same => n,Hangup()

exten => hangup,1,{hangup_event}
 same => n,Return()
"""


def _caller_context() -> str:
    caller_id = (f"{CONTEXT_CALLER}^{CALLER_ID_EXTEN}^1(${{{VAR_CALLER_NUM64}}}"
                 f"^${{{VAR_CALLER_NAME64}}}^${{{VAR_CALLER_PRES}}})")
    end_event = _call_event(EVENT_CALL_END, DialStatus="${DIALSTATUS}",
                            HangupCause="${HANGUPCAUSE}", SipCause="${SIP_CAUSE}")
    dial_options = f"b({caller_id})U({CONTEXT_CALLER_ANSWERED})"
    return f"""
; A placed call is Local/{CALLER_DIAL_EXTEN}@{CONTEXT_CALLER}/n, originated over AMI with
; {VAR_CALL}, {VAR_CALLER_NUM64}, {VAR_CALLER_NAME64}, {VAR_CALLER_PRES}, {VAR_DIALLED} and
; {VAR_LIMIT} set.
; The ;2 side is the caller's phone dialling the appliance; the ;1 side listens to what the
; caller hears once the appliance answered.
[{CONTEXT_CALLER}]
exten => {CALLER_DIAL_EXTEN},1,Set(CHANNEL(hangup_handler_push)={CONTEXT_CALLER},dial-ended,1)
 ; the caller gives up after the limit, whether it still rings or already talks
 same => n,Set(TIMEOUT(absolute)=${{{VAR_LIMIT}}})
 same => n,Set(CALLERID(all)=)
 same => n,{_call_event(EVENT_CALL_START)}
 same => n,GotoIf($["${{{VAR_DIALLED}}}" = ""]?nonumber)
 same => n,Dial(PJSIP/${{{VAR_DIALLED}}}@${{{GLOBAL_TRUNK}}},,{dial_options})
 same => n,Hangup()
 ; a request without a user: sip:<the appliance>
 same => n(nonumber),Dial(PJSIP/${{{GLOBAL_TRUNK}}},,{dial_options})
 same => n,Hangup()

; Dial's predial handler on the channel towards the appliance: the caller ID the network sends
; (on an outgoing channel, the connected line is the calling party that chan_pjsip puts in
; From).  Only that channel carries it, so that the carrier's own events stay readable.
exten => {CALLER_ID_EXTEN},1,Set(CONNECTEDLINE(name,i)=${{BASE64_DECODE(${{ARG2}})}})
 same => n,Set(CONNECTEDLINE(num,i)=${{BASE64_DECODE(${{ARG1}})}})
 same => n,Set(CONNECTEDLINE(pres,i)=${{ARG3}})
 same => n,Return()

; the SIP status of the one channel Dial placed, e.g. "SIP 486 Busy Here"
exten => dial-ended,1,Set(SIP_CAUSE=${{HANGUPCAUSE(${{HANGUPCAUSE_KEYS()}},tech)}})
 same => n,{end_event}
 same => n,Return()

; One digit per Read, no terminator (# and * are digits too), each reported on its own.
exten => {CALLER_LISTEN_EXTEN},1,Set(CHANNEL(hangup_handler_push)={CONTEXT_CALLER},listen-ended,1)
 same => n(read),Read(DIGIT,,1,t(),,{LISTEN_READ_S})
 same => n,GotoIf($["${{DIGIT}}" = ""]?read)
 same => n,{_call_event(EVENT_CALL_DIGIT, Digit="${DIGIT}")}
 same => n,Goto(read)

exten => listen-ended,1,{_call_event(EVENT_CALL_LISTEN_END)}
 same => n,Return()

; Runs on the appliance's channel when it answers, before the caller is connected.  With
; {VAR_HEARD}, what the caller hears is recorded there.
[{CONTEXT_CALLER_ANSWERED}]
exten => s,1,ExecIf($["${{{VAR_HEARD}}}" != ""]?MixMonitor(${{{VAR_HEARD}}}))
 same => n,{_call_event(EVENT_CALL_ANSWERED, Codec="${CHANNEL(audionativeformat)}",
                        Channel="${CHANNEL}")}
 same => n,Return()
"""
