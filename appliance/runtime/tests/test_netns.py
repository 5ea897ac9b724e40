from __future__ import annotations

import os
import subprocess
import sys

import pytest

from paivystys.appliance.runtime import netns


def test_command_prefix_enters_the_named_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(netns.NETNS_ENV, raising=False)
    assert netns.command_prefix("lab") == ["nsenter", "--net=/run/netns/lab", "--"]
    assert netns.command_prefix(None) == []


def test_already_isolated_runs_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(netns.NETNS_ENV, netns.CURRENT)
    assert netns.command_prefix("lab") == []
    assert netns.exists("lab")
    netns.enter("lab")  # a no-op, not an error
    netns.delete("lab")


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
@pytest.mark.skipif(netns.uses_current_namespace(), reason="PAIVYSTYS_NETNS=current")
def test_create_gives_a_namespace_with_only_loopback_up() -> None:
    name = f"pv-unit-{os.getpid()}"
    netns.create(name)
    try:
        assert netns.exists(name)
        links = subprocess.run([*netns.command_prefix(name), "ip", "-o", "link"],
                               capture_output=True, text=True, check=True).stdout
        assert [line.split(":")[1].strip() for line in links.splitlines()] == ["lo"]
        assert "UP" in links.split("<", 1)[1].split(">", 1)[0]
        netns.create(name)  # creating again is harmless
    finally:
        netns.delete(name)
    assert not netns.exists(name)


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
@pytest.mark.skipif(netns.uses_current_namespace(), reason="PAIVYSTYS_NETNS=current")
def test_enter_moves_the_process() -> None:
    name = f"pv-enter-{os.getpid()}"
    netns.create(name)
    try:
        # A child process, so the test run itself stays where it is.
        code = ("from paivystys.appliance.runtime import netns; import os;"
                f"netns.enter({name!r}); print(os.readlink('/proc/thread-self/ns/net'))")
        inside = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.strip()
        expected = os.stat(netns.netns_path(name)).st_ino
        assert inside == f"net:[{expected}]"
    finally:
        netns.delete(name)


def test_enter_a_missing_namespace_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(netns.NETNS_ENV, raising=False)
    with pytest.raises(netns.RuntimeSetupError, match="does not exist"):
        netns.enter("pv-no-such-namespace")
