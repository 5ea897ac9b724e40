"""A simulated USB GSM modem on a pseudo-terminal, so the real python-gsmmodem stack is tested.

``AtResponder`` is the AT-command state machine, ``ModemSimulator`` puts it behind a pty with
a ``/dev/ttyUSB0``-like symlink, ``SimulatorControl`` drives one running as its own process
(``python -m paivystys.modem.simulator``), and ``read_sent_messages`` reads back what it sent.
"""

from paivystys.modem.simulator.control import ControlServer, SimulatorControl, SimulatorControlError
from paivystys.modem.simulator.device import ModemSimulator
from paivystys.modem.simulator.responder import AtResponder
from paivystys.modem.simulator.sent_log import SentMessage, SentPart, read_sent_messages

__all__ = ["AtResponder", "ControlServer", "ModemSimulator", "SentMessage", "SentPart",
           "SimulatorControl", "SimulatorControlError", "read_sent_messages"]
