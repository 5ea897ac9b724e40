from __future__ import annotations

import threading
from pathlib import Path

import pytest

from paivystys.appliance.runtime import host, rootfs
from paivystys.appliance.runtime.host import RuntimeSetupError


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(rootfs.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(rootfs, "require_root", lambda purpose: None)
    monkeypatch.setattr(rootfs, "ensure_command", lambda *args: "/usr/bin/mmdebstrap")
    return tmp_path


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replaces mmdebstrap by a fake that makes a minimal tree; records each build."""
    made: list[Path] = []

    def fake_mmdebstrap(mmdebstrap: str, building: Path) -> None:
        (building / "usr/sbin").mkdir(parents=True)
        (building / rootfs.ASTERISK_BINARY).write_text("")
        (building / "etc").mkdir()
        (building / "etc/resolv.conf").write_text("nameserver 192.0.2.1\n")
        made.append(building)

    monkeypatch.setattr(rootfs, "_run_mmdebstrap", fake_mmdebstrap)
    return made


def test_cache_key_follows_the_package_list(monkeypatch: pytest.MonkeyPatch) -> None:
    before = rootfs.cache_key()
    assert before == rootfs.cache_key()
    monkeypatch.setattr(rootfs, "PACKAGES", (*rootfs.PACKAGES, "sngrep"))
    assert rootfs.cache_key() != before


def test_cache_dir_comes_from_the_environment(cache: Path) -> None:
    assert rootfs.rootfs_dir() == cache / rootfs.cache_key()


def test_build_prepares_the_rootfs_for_instances(cache: Path, builds: list[Path]) -> None:
    built = rootfs.ensure_rootfs(progress=lambda message: None)
    assert built == cache / rootfs.cache_key()
    assert rootfs.is_complete(built)
    assert (built / "etc/resolv.conf").read_text() == ""
    assert (built / "srv/instance").is_dir()
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []


def test_a_complete_rootfs_is_reused(cache: Path, builds: list[Path]) -> None:
    rootfs.ensure_rootfs(progress=lambda message: None)
    rootfs.ensure_rootfs(progress=lambda message: None)
    assert len(builds) == 1


def test_a_half_built_rootfs_is_replaced(cache: Path, builds: list[Path],
                                         caplog: pytest.LogCaptureFixture) -> None:
    half = rootfs.rootfs_dir()
    (half / "usr").mkdir(parents=True)
    (half / "usr/leftover").write_text("")
    stale = cache / f".{half.name}.building-1"
    stale.mkdir()
    messages: list[str] = []

    built = rootfs.ensure_rootfs(progress=messages.append)

    assert rootfs.is_complete(built)
    assert not (built / "usr/leftover").exists()
    assert not stale.exists()
    assert any("no .complete marker" in message for message in messages)
    assert "no .complete marker" in caplog.text


def test_a_failed_build_leaves_nothing_behind(cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_mmdebstrap(mmdebstrap: str, building: Path) -> None:
        building.mkdir()
        raise RuntimeSetupError("mmdebstrap failed")

    monkeypatch.setattr(rootfs, "_run_mmdebstrap", failing_mmdebstrap)
    with pytest.raises(RuntimeSetupError, match="mmdebstrap failed"):
        rootfs.ensure_rootfs(progress=lambda message: None)
    assert [p for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_concurrent_callers_build_once(cache: Path, builds: list[Path]) -> None:
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(
        rootfs.ensure_rootfs(progress=lambda message: None))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(set(results)) == 1


def test_building_needs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rootfs.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(host.os, "geteuid", lambda: 1000)
    with pytest.raises(RuntimeSetupError, match="needs root"):
        rootfs.ensure_rootfs(progress=lambda message: None)


def test_missing_tool_without_apt_get_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(host.shutil, "which", lambda command: None)
    with pytest.raises(RuntimeSetupError, match=r"'mmdebstrap' is not installed.*'mmdebstrap'"):
        host.ensure_command("mmdebstrap", "mmdebstrap", progress=lambda message: None)
