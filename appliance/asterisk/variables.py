"""Asterisk's names shared by the generated dialplan, the FastAGI handlers and the call monitor.

Channel variables, global variables, contexts, AGI requests and the journal's AstDB keys: every
Asterisk name that crosses the Python/Asterisk boundary lives here and nowhere else.  The
values these carry (decisions, stages, leg results) and the UserEvents the dialplan sends are
the ringing rule's: ``appliance.ringing.rule`` and ``appliance.ringing.events``.
"""

from __future__ import annotations

# --- Channel variables set by the dialplan before the AGI runs (caller channel) -------------
NUMBER_ID = "PV_NUMBER_ID"  # on-call number's database id, set by the number's extension
# The listening number's database id, set by its extension (a call to the listening line).
LISTENING_NUMBER_ID = "PV_LISTENING_NUMBER_ID"
DIALLED = "PV_DIALLED"  # the number as the trunk sent it
CALL_ID = "PV_CALL_ID"  # inherited (__) to every leg: the caller channel's UNIQUEID
CALLER_CHANNEL = "PV_CALLER_CHAN"  # inherited: the caller channel's name, home of the call state
CALL_KEY = "PV_CALL_KEY"  # inherited: rule.call_key of the call id, names its lock and journal
ROUTING = "PV_ROUTING"  # a rule.Routing: who decided, the AGI or the failsafe legs
REQUEST_USER = "PV_REQUEST_USER"  # the Request-URI's user as the network sent it (any text)
WANTED = "PV_WANTED"  # the request user, or To's user when the request names the account

# --- Channel variables the trunk's endpoint sets on its channels (pjsip.conf set_var) ------
# A registration's account (the contact user the operator calls), base64-encoded.
TRUNK_ACCOUNT64 = "PV_TRUNK_ACCOUNT64"
# The on-call number (E.164) for calls that name no number the box knows.
TRUNK_DEFAULT_NUMBER = "PV_TRUNK_DEFAULT"

# --- The caller ID, as the network sent it and as the appliance uses it ----------------------
# The network's caller ID may hold any bytes.  The dialplan keeps it base64-encoded (nothing in
# base64 is syntax of an application argument, an expression or an AMI header), cut to
# CALLER_RAW_LIMIT characters, with its full length so that the cut shows.  Everything else
# uses CALLER: the number when it is nothing but digits and '+' and presented, else empty.
CALLER = "PV_CALLER"  # inherited: digits and '+' only, or "" (withheld, not a number)
CALLER_E164 = "PV_CALLER_E164"  # inherited: CALLER in E.164 as the dialplan can tell it
CALLER_RAW64 = "PV_CALLER_RAW64"
CALLER_LENGTH = "PV_CALLER_LENGTH"
CALLER_PRESENTATION = "PV_CALLER_PRES"  # CALLERID(pres): "prohib..." = withheld
CALLER_RAW_LIMIT = 256
# Asterisk's PJSIP channel keeps at most this many bytes of the From user and drops the rest
# without a word (measured with a 300-digit From user on Asterisk 22): a caller ID this long
# has likely been cut before the dialplan saw it.
ASTERISK_CALLER_LIMIT = 79
CALLER_NUMBER_LIMIT = 32  # longer "numbers" are no phone numbers: not presented, not dialled
PRESENTATION_WITHHELD_PREFIX = "prohib"

# --- Channel variables the AGI "incoming-call" handler sets on the caller channel ----------
DECISION = "PV_DECISION"  # a rule.Verdict; empty = AGI failed -> failsafe
# Who to ring: "<person id>-<group id>" joined by "&", may be empty.
MAIN_LEGS = "PV_MAIN_LEGS"  # the number's groups
BACKUP_LEGS = "PV_BACKUP_LEGS"  # the backup group
RING_TIME = "PV_RING_TIME"  # seconds each stage rings
CONFIRM_TIMEOUT = "PV_CONFIRM_TIMEOUT"  # seconds a person has to press 1 (inherited to legs)
LANGUAGE = "PV_LANG"  # prompt language, "fi" | "en" (inherited to legs)
RECORDING_FILE = "PV_RECORDING_FILE"  # absolute path inside Asterisk; empty = do not record

# --- The call's state, on the caller's channel (func_global SHARED) --------------------------
# Per-call state lives with the call, never in dialplan globals: a configuration reload clears
# the globals while phones ring.  SHARED(<name>,<caller channel>) is read and written by every
# leg of the call; claims and stage ends change it under the call's LOCK.
STATE_OPEN = "PV_OPEN"  # the stage that may still be claimed ("main"/"backup"), else ""
STATE_TAKEN = "PV_TAKEN"  # the person id whose 1 won
STATE_LEGS = "PV_LEGS"  # '&'-terminated names of the people's channels of the open stage
STATE_ENDED = "PV_ENDED"  # "yes" once the caller has gone
# On a Local channel: SHARED(PV_PERSON_CHAN) = the person's channel it originated.
STATE_PERSON_CHANNEL = "PV_PERSON_CHAN"

# Why a person who answered is let go without the call, each with its own words
# (extensions of the farewell context; no dashes: Asterisk ignores them in extensions).
FAREWELL_TAKEN = "taken"  # somebody else took the call
FAREWELL_CALLER_GONE = "gone"  # the caller hung up
FAREWELL_TIME_UP = "timeup"  # the stage's ring time ran out (the call goes on or ends)

# --- Per-leg channel variables (on the Local channel, ;2 side) -------------------------------
LEG_PERSON = "PV_PERSON"
LEG_GROUP = "PV_GROUP"
LEG_PHONE = "PV_PHONE"
STAGE = "PV_STAGE"  # a rule.Stage, inherited to the legs of that stage

# --- Global variables written by the config generator ----------------------------------------
GLOBAL_PHONE_PREFIX = "PV_PHONE_"  # PV_PHONE_<person id> = E.164 number dialled for that person
GLOBAL_AGI_URL = "PV_AGI_URL"

# --- Dialplan contexts ----------------------------------------------------------------------
CONTEXT_INBOUND = "pv-inbound"  # the trunk's context
CONTEXT_ROUTE = "pv-route"  # which number a call from the trunk is for
CONTEXT_NUMBER = "pv-number"  # one extension per form of each on-call number
CONTEXT_LEG = "pv-leg"  # Local/<person>-<group>@pv-leg/n: what the caller's Dial rings
CONTEXT_PERSON = "pv-person"  # a person's channel runs it once they answer: prompt and claim
CONTEXT_FAREWELL = "pv-farewell"  # a person who answered is let go with words, not in silence
CONTEXT_LISTEN = "pv-listen"  # a call to the listening line: people hear their recordings

# --- AGI requests (agi://host:port/<request>) -----------------------------------------------
AGI_INCOMING_CALL = "incoming-call"
AGI_LISTENING_LINE = "listening-line"

# --- The call journal in Asterisk's own database (AstDB) ------------------------------------
# The dialplan writes the few facts that make a call-log row, so that a call that happens
# while the monitor is down is still logged when it comes back.  Keys are
# <family>/<PV_CALL_KEY>/<field>; values are '/'-separated, times are epoch seconds.
JOURNAL_FAMILY = "pv-journal"
JOURNAL_START = "start"  # <arrived>/<number id>/<call id>
JOURNAL_CALLER = "caller"  # <caller base64>/<caller length>/<presentation>
JOURNAL_DIALLED = "dialled"
JOURNAL_DECISION = "decision"  # <decision>/<routing>
JOURNAL_CONFIRMED = "confirmed"  # <person>/<group>/<stage>/<time>/<phone>
JOURNAL_ENDED = "ended"  # <dial status>/<time>
