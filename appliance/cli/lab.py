"""`paivystys lab ...`: lab mode for installers and developers.

The appliance and a simulated phone network (a second Asterisk playing callers and handsets)
on this machine, in a private network namespace.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paivystys.appliance.calllog import call_to_dict, find_call
from paivystys.appliance.cli import CommandError, print_json, use_database
from paivystys.appliance.phones import WITHHELD

if TYPE_CHECKING:
    from paivystys.appliance.lab.environment import Lab

HANDSET_BEHAVIOURS = ("no-answer", "busy", "voicemail", "human", "decline", "hangs-up")
DEMO_CALLER = "+358451234567"


def register(subparsers: argparse._SubParsersAction) -> None:
    lab = subparsers.add_parser("lab", help="lab mode: the appliance and a simulated network")
    commands = lab.add_subparsers(dest="lab_command", required=True, metavar="COMMAND")

    commands.add_parser(
        "prepare", help="build (once) the Asterisk root filesystem lab mode and tests run in"
    ).set_defaults(handler=_prepare)

    up = commands.add_parser("up", help="start both Asterisk instances and the services")
    up.add_argument("--demo-call", action="store_true",
                    help="then place a demo call and print its log row")
    up.set_defaults(handler=_up)

    commands.add_parser("down", help="stop everything lab mode started").set_defaults(
        handler=_down)

    status = commands.add_parser("status", help="what is running")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    cli = commands.add_parser("asterisk", help="run an Asterisk CLI command in an instance")
    cli.add_argument("instance", choices=("appliance", "carrier"))
    cli.add_argument("command", nargs="+", help='e.g. "core show channels"')
    cli.set_defaults(handler=_asterisk)

    handset = commands.add_parser("handset", help="how the simulated phone of NUMBER behaves")
    handset.add_argument("number")
    handset.add_argument("behaviour", choices=HANDSET_BEHAVIOURS)
    handset.add_argument("--answer-after", type=float, metavar="S")
    handset.add_argument("--confirm-after", type=float, metavar="S",
                         help="human: press 1 S s after answering; hangs-up: hang up then")
    handset.add_argument("--talk", type=float, metavar="S", help="hang up S s after confirming")
    handset.add_argument("--identity", metavar="DIGITS",
                         help="DTMF digits the human sends once connected (default: last 4)")
    handset.set_defaults(handler=_handset)

    call = commands.add_parser("call", help="call TO from FROM; prints the call's log row")
    call.add_argument("caller", metavar="FROM")
    call.add_argument("dialled", metavar="TO")
    call.add_argument("--hangup-after", type=float, metavar="S",
                      help="the caller gives up after S seconds")
    call.add_argument("--withheld", action="store_true",
                      help="the network marks FROM as withheld (presentation restricted)")
    call.set_defaults(handler=_call)

    listen = commands.add_parser(
        "listen", help="call the listening line TO from FROM and press keys; prints the "
                       "listening call's log row")
    listen.add_argument("caller", metavar="FROM")
    listen.add_argument("dialled", metavar="TO")
    listen.add_argument("steps", metavar="STEP", nargs="*",
                        help="keys to press (0-9, *, #), or wN to wait N seconds, in order, "
                             "e.g. w4 2580# w15 2 w10 #")
    listen.add_argument("--heard", metavar="FILE", type=Path,
                        help="save what the caller heard as a WAV file")
    listen.set_defaults(handler=_listen)

    sms = commands.add_parser("sms", help="the SMS messages the simulated modem has sent")
    sms.add_argument("--json", action="store_true", help="print JSON with every part")
    sms.set_defaults(handler=_sms)

    sms_in = commands.add_parser("sms-in", help="deliver an SMS from FROM to the box")
    sms_in.add_argument("sender", metavar="FROM", help="the sender's number, e.g. 040 123 4567")
    sms_in.add_argument("text", metavar="TEXT", help='e.g. "OFF"')
    sms_in.set_defaults(handler=_sms_in)


def _lab(args: argparse.Namespace) -> Lab:
    from paivystys.appliance.lab.environment import Lab

    return Lab(state_dir=Path(args.db).resolve().parent)


def _prepare(args: argparse.Namespace) -> int:
    from paivystys.appliance.runtime.rootfs import ensure_rootfs

    print(f"Asterisk root filesystem: {ensure_rootfs()}")
    return 0


def _up(args: argparse.Namespace) -> int:
    lab = _lab(args)
    lab.up()
    if args.demo_call:
        lab.enter_namespace()
        _set_demo_handsets(lab)
        print_json(place_and_log(lab, DEMO_CALLER, _demo_number(), None))
    return 0


def _down(args: argparse.Namespace) -> int:
    _lab(args).down()
    return 0


def _status(args: argparse.Namespace) -> int:
    from paivystys.appliance.api.server import setup_notice

    lab = _lab(args)
    status = lab.status()
    # Until the lab's box is claimed: the set-up code, as the box's screen would show it.
    notice = setup_notice(lab.db_path.parent)
    if args.json:
        print_json({**status, "setup_notice": notice})
    else:
        for key, value in status.items():
            print(f"{key:20} {value}")
        if notice:
            print(f"\n{notice}")
    return 0


def _asterisk(args: argparse.Namespace) -> int:
    lab = _lab(args)
    instance = lab.appliance() if args.instance == "appliance" else lab.carrier()
    print(instance.rx(" ".join(args.command)).rstrip())
    return 0


def _handset(args: argparse.Namespace) -> int:
    from paivystys.appliance.lab.handsets import Handsets

    lab = _lab(args)
    lab.enter_namespace()
    ami = lab.ami(lab.carrier())
    try:
        try:
            handset = Handsets(ami).set(args.number, args.behaviour,
                                        answer_after=args.answer_after,
                                        confirm_after=args.confirm_after, talk=args.talk,
                                        identity=args.identity)
        except ValueError as error:
            print(f"paivystys: error: {error}", file=sys.stderr)
            return 2
        print(json.dumps(dataclasses.asdict(handset), ensure_ascii=False))
    finally:
        ami.close()
    return 0


def _call(args: argparse.Namespace) -> int:
    lab = _lab(args)
    use_database(args)
    lab.enter_namespace()
    print_json(place_and_log(lab, args.caller, args.dialled, args.hangup_after,
                             withheld=args.withheld))
    return 0


LISTEN_KEYS = frozenset("0123456789*#")
# After the last step, how long the call may go on before the caller hangs up.
LISTEN_END_S = 30.0


def listen_steps(steps: list[str]) -> list[str | float]:
    """The caller's script: key strings to press and pauses in seconds."""
    script: list[str | float] = []
    for step in steps:
        if step.startswith("w"):
            try:
                seconds = float(step[1:])
            except ValueError:
                seconds = -1.0
            if not 0 <= seconds <= 600:
                raise CommandError(f"{step!r}: a pause is w and 0..600 seconds, e.g. w4", 2)
            script.append(seconds)
        elif step and set(step) <= LISTEN_KEYS:
            script.append(step)
        else:
            raise CommandError(f"{step!r}: press keys 0-9, * and # (or wait with wN)", 2)
    return script


def _listen(args: argparse.Namespace) -> int:
    from paivystys.appliance.calllog.listening import listening_page
    from paivystys.appliance.lab.caller import LiveCall
    from paivystys.appliance.lab.carrier import HEARD_DIR
    from paivystys.appliance.runtime.instance import INSTANCE_ROOT

    script = listen_steps(args.steps)
    lab = _lab(args)
    use_database(args)
    lab.enter_namespace()
    name = f"listen-{time.time_ns()}.wav"
    ami = lab.ami(lab.carrier())
    try:
        call = LiveCall(ami, args.caller, args.dialled, max_duration=600,
                        heard=f"{INSTANCE_ROOT}/{HEARD_DIR}/{name}")
        call.wait_answered()
        for step in script:
            if call.ended:
                break
            if isinstance(step, float):
                time.sleep(step)
            else:
                call.press(step)
        deadline = time.monotonic() + LISTEN_END_S
        while not call.ended and time.monotonic() < deadline:
            time.sleep(0.2)
        if not call.ended:
            call.hang_up()
        call.report()
    finally:
        ami.close()
    heard = lab.carrier().instance_dir / HEARD_DIR / name
    if args.heard is not None:
        # MixMonitor closes the file just after the call.
        time.sleep(1)
        args.heard.write_bytes(heard.read_bytes())
    heard.unlink(missing_ok=True)
    deadline = time.monotonic() + 10
    while not (rows := listening_page(limit=1).items) or rows[0]["ended_at"] is None:
        if time.monotonic() > deadline:
            raise CommandError("the appliance did not close the listening call's log row "
                               "within 10 s; see the FastAGI server's log in "
                               f"{lab.state_dir / 'log'}", 1)
        time.sleep(0.2)
    print_json(rows[0])
    return 0


def _sms(args: argparse.Namespace) -> int:
    from paivystys.appliance.calllog.text import format_table
    from paivystys.modem.simulator import read_sent_messages

    messages = read_sent_messages(_lab(args).modem_sent_log)
    if args.json:
        print_json([message.to_dict() for message in messages])
        return 0
    if not messages:
        print("The simulated modem has sent nothing.")
        return 0
    print(format_table(
        ["Sent", "To", "Parts", "Text"],
        [[message.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), message.recipient,
          f"{len(message.parts)}" + ("" if message.complete else " (incomplete)"),
          " ".join(message.text.split())] for message in messages],
        right=(2,)))
    return 0


def _sms_in(args: argparse.Namespace) -> int:
    from paivystys.appliance.phones import normalise_caller
    from paivystys.modem.simulator import SimulatorControl, SimulatorControlError

    lab = _lab(args)
    # As a network presents a sender: E.164 when it is a number ("040 100 0001" too).
    sender = normalise_caller(args.sender)
    try:
        SimulatorControl(lab.modem_control).incoming(sender, args.text)
    except SimulatorControlError as error:
        raise CommandError(f"the simulated modem refused the message: {error}", 2) from error
    except OSError as error:
        raise CommandError(f"cannot reach the simulated modem ({error}); is lab mode up "
                           "('paivystys lab status')?") from error
    print(f"delivered to the box's modem: from {sender}: {args.text}")
    return 0


def place_and_log(lab: Lab, caller: str, dialled: str, hangup_after: float | None,
                  log_timeout: float = 10.0, *, withheld: bool = False) -> dict[str, Any]:
    """Place a call from the simulated network; return the appliance's log row of it (from
    the database the caller opened).  ``withheld``: the network restricts the caller's
    number, and the log keeps the caller as withheld."""
    from paivystys.appliance.lab.caller import place_call

    ami = lab.ami(lab.carrier())
    try:
        started = datetime.now(UTC) - timedelta(seconds=1)
        report = place_call(ami, caller, dialled, hangup_after=hangup_after,
                            presentation="prohib" if withheld else "allowed")
    finally:
        ami.close()
    deadline = time.monotonic() + log_timeout
    while True:
        call = find_call(WITHHELD if withheld else report.caller, started)
        if call is not None and call.ended_at is not None:
            row = call_to_dict(call)
            row["caller_heard"] = report.heard_digits
            return row
        if time.monotonic() > deadline:
            raise TimeoutError(f"the appliance logged no finished call from {caller} within "
                               f"{log_timeout:.0f} s of its end; see the monitor's log in "
                               f"{lab.state_dir / 'log'}")
        time.sleep(0.1)


def _demo_number() -> str:
    from paivystys.appliance.db.models import OnCallNumber

    return OnCallNumber.select().order_by(OnCallNumber.id).first().number


def _set_demo_handsets(lab: Lab) -> None:
    """Demo: one voicemail, one person who never answers, the rest humans who confirm."""
    from paivystys.appliance.db.models import Person
    from paivystys.appliance.lab.handsets import Handsets

    ami = lab.ami(lab.carrier())
    try:
        handsets = Handsets(ami)
        people = list(Person.select().order_by(Person.id))
        for index, person in enumerate(people):
            if index == 0:
                handsets.set(person.phone, "voicemail", answer_after=1)
            elif index == 1:
                handsets.set(person.phone, "no-answer")
            else:
                handsets.set(person.phone, "human", answer_after=1 + index,
                             confirm_after=1.5, talk=3)
    finally:
        ami.close()
