"""AGI entry point ``incoming-call``: decides who rings for a call on the caller's channel."""

from __future__ import annotations

import datetime as dt
import logging

from paivystys.agi.registry import AgiHandler, default_registry
from paivystys.appliance.asterisk.variables import (
    AGI_INCOMING_CALL,
    BACKUP_LEGS,
    CALL_ID,
    CONFIRM_TIMEOUT,
    DECISION,
    DIALLED,
    LANGUAGE,
    MAIN_LEGS,
    NUMBER_ID,
    RECORDING_FILE,
    RING_TIME,
)
from paivystys.appliance.ringing.lookup import decide
from paivystys.appliance.ringing.rule import Decision, IncomingCall

log = logging.getLogger(__name__)


def inherited(name: str) -> str:
    """Asterisk copies a variable set as ``__NAME`` to every channel the caller's spawns (the
    Local legs and the people's channels), where it is read as plain ``NAME``."""
    return f"__{name}"


class IncomingCallHandler(AgiHandler):
    def execute(self) -> None:
        call = self.read_call()
        decision = decide(call, self.context.recordings_dir, dt.datetime.now(dt.UTC))
        self.set_call_variables(decision)
        self.set_decision(decision)
        log.info("call %s from %s to %s: %s (%d main, %d backup legs)", call.call_id,
                 call.caller, call.dialled, decision.decision, len(decision.main_legs),
                 len(decision.backup_legs))

    def read_call(self) -> IncomingCall:
        return IncomingCall(
            number_id=self.agi.get_variable(NUMBER_ID).strip(),
            dialled=self.agi.get_variable(DIALLED).strip(),
            call_id=self.agi.get_variable(CALL_ID).strip(),
            caller=self.agi.env.get("agi_callerid", ""),
        )

    def set_call_variables(self, decision: Decision) -> None:
        self.agi.set_variable(MAIN_LEGS, decision.main_list)
        self.agi.set_variable(BACKUP_LEGS, decision.backup_list)
        self.agi.set_variable(RING_TIME, decision.ring_time)
        self.agi.set_variable(inherited(CONFIRM_TIMEOUT), decision.confirm_timeout)
        self.agi.set_variable(inherited(LANGUAGE), decision.language)
        self.agi.set_variable(RECORDING_FILE, decision.recording_file)

    def set_decision(self, decision: Decision) -> None:
        # Last: the dialplan reads an empty PV_DECISION as "the AGI failed" and falls back to
        # its failsafe legs, so it must never see a decision without the variables behind it.
        self.agi.set_variable(DECISION, decision.decision)


default_registry.register(AGI_INCOMING_CALL, IncomingCallHandler)
