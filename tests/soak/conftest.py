"""The fault-injection soak's harness: the call-level tests' lab (one real appliance Asterisk,
carrier Asterisk, FastAGI server, call monitor, simulated modem and modem service, in
scripts/test's private network namespace), with the soak's own options.

The lab, its AMI connections and the number helpers are tests/calls/conftest.py's own, loaded
from that file, so that the soak runs the very lab the call-level tests run.

Not in the default run (pyproject's addopts ignore this directory); run it with
``sudo ./scripts/soak`` or ``sudo ./scripts/test tests/soak``.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CALLS_CONFTEST = Path(__file__).resolve().parent.parent / "calls" / "conftest.py"
CALLS_HARNESS = "paivystys_calls_harness"

DEFAULT_CALLS = 300
DEFAULT_CONCURRENCY = 4
DEFAULT_REPORT = Path("build") / "soak-report.json"
# Per call at most: both stages ring, prompts, talk, and the chaos pausing calls for a restart.
TIMEOUT_PER_CALL_S = 30
TIMEOUT_BASE_S = 600


def _load_calls_harness():
    """tests/calls/conftest.py as a module of its own name (each conftest is "conftest")."""
    module = sys.modules.get(CALLS_HARNESS)
    if module is None:
        spec = importlib.util.spec_from_file_location(CALLS_HARNESS, CALLS_CONFTEST)
        assert spec is not None and spec.loader is not None, CALLS_CONFTEST
        module = importlib.util.module_from_spec(spec)
        sys.modules[CALLS_HARNESS] = module
        spec.loader.exec_module(module)
    return module


calls_harness = _load_calls_harness()
# The fixtures pytest finds in this conftest: the call-level tests' own.
lab = calls_harness.lab
carrier_ami = calls_harness.carrier_ami
handsets = calls_harness.handsets
RING_TIME = calls_harness.RING_TIME
CONFIRM_TIMEOUT = calls_harness.CONFIRM_TIMEOUT
new_mobile = calls_harness.new_mobile
Scenario = calls_harness.Scenario


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("soak", "fault-injection soak (tests/soak)")
    group.addoption("--soak-calls", type=int, default=None, metavar="N",
                    help="calls to place (env PAIVYSTYS_SOAK_CALLS; default "
                         f"{DEFAULT_CALLS})")
    group.addoption("--soak-seed", type=int, default=None, metavar="SEED",
                    help="seed of the calls' random plans and of the chaos (env "
                         "PAIVYSTYS_SOAK_SEED; default: a new one, printed)")
    group.addoption("--soak-concurrency", type=int, default=None, metavar="C",
                    help="calls at once (env PAIVYSTYS_SOAK_CONCURRENCY; default "
                         f"{DEFAULT_CONCURRENCY})")
    group.addoption("--soak-report", type=Path, default=None, metavar="PATH",
                    help="where the counts go as JSON (env PAIVYSTYS_SOAK_REPORT; default "
                         f"{DEFAULT_REPORT})")


@dataclass(frozen=True)
class SoakSettings:
    calls: int
    seed: int
    concurrency: int
    report: Path


def _setting(config: pytest.Config, option: str, env: str):
    value = config.getoption(option, default=None)
    if value is None:
        value = os.environ.get(env) or None
    return value


_SETTINGS = pytest.StashKey[SoakSettings]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "soak: the fault-injection soak (tests/soak)")


def soak_settings(config: pytest.Config) -> SoakSettings:
    """The run's settings, read once (a seed drawn here stays the run's seed)."""
    if _SETTINGS not in config.stash:
        config.stash[_SETTINGS] = _read_settings(config)
    return config.stash[_SETTINGS]


def _read_settings(config: pytest.Config) -> SoakSettings:
    calls = int(_setting(config, "--soak-calls", "PAIVYSTYS_SOAK_CALLS") or DEFAULT_CALLS)
    seed = _setting(config, "--soak-seed", "PAIVYSTYS_SOAK_SEED")
    concurrency = int(_setting(config, "--soak-concurrency", "PAIVYSTYS_SOAK_CONCURRENCY")
                      or DEFAULT_CONCURRENCY)
    report = Path(_setting(config, "--soak-report", "PAIVYSTYS_SOAK_REPORT") or DEFAULT_REPORT)
    if calls < 1 or concurrency < 1:
        raise pytest.UsageError("--soak-calls and --soak-concurrency must be 1 or more")
    return SoakSettings(calls=calls,
                        seed=int(seed) if seed is not None else random.randrange(2**32),
                        concurrency=concurrency, report=report)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The soak's time limit grows with its number of calls (the suite's is 300 s a test)."""
    settings = soak_settings(config)
    seconds = TIMEOUT_BASE_S + TIMEOUT_PER_CALL_S * settings.calls
    for item in items:
        if item.get_closest_marker("soak") is not None:
            item.add_marker(pytest.mark.timeout(seconds))


@pytest.fixture(scope="session")
def soak(request: pytest.FixtureRequest) -> SoakSettings:
    return soak_settings(request.config)
