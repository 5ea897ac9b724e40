"""The kinds of message the appliance sends, stored as ``OutboxMessage.reason`` and naming the
templates (``sms_template.<kind>.<lang>``)."""

from __future__ import annotations

TAKEN = "taken"  # to the others who were rung: somebody took the call
CALLER_CONTACT = "caller_contact"  # to the caller afterwards: who answered, how to reach them
MISSED = "missed"  # to the people rung: nobody answered in time
ABANDONED = "abandoned"  # to the people rung: the caller hung up before anyone answered
DUTY_ON = "duty_on"  # reply to an "ON" text
DUTY_OFF = "duty_off"  # reply to an "OFF" text
HELP = "help"  # reply to anything else from a known person

KINDS = (TAKEN, CALLER_CONTACT, MISSED, ABANDONED, DUTY_ON, DUTY_OFF, HELP)
