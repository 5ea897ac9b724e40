"""The image build's pure parts: the disk layout handed to genimage, Raspberry Pi Imager's
entry, the manifest's reading of dpkg's database, and the refusal to ship per-box files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_image import (
    find_secrets,
    genimage_config,
    imager_entry,
    installed_packages,
    python_distributions,
)
from targets import PC, PI

EPOCH = 1_764_930_000
REPORT = {"version": "0.2.0", "image_bytes": 2_000_000_000, "image_sha256": "a" * 64,
          "compressed_bytes": 300_000_000, "compressed_sha256": "b" * 64}


def test_the_pc_disk_is_gpt_with_an_efi_system_partition_and_an_x86_64_root() -> None:
    config = genimage_config(PC, "0.2.0", 1400, EPOCH)
    assert 'partition-table-type = "gpt"' in config
    assert "c12a7328-f81f-11d2-ba4b-00a0c93ec93b" in config  # EFI system partition
    assert "4f68bce3-e8cd-4db1-96e7-fbcaf984b709" in config  # root, x86-64
    assert 'mountpoint = "/boot/efi"' in config and "size = 1400M" in config
    assert f'fs-timestamp = "@{EPOCH}"' in config


def test_the_pi_disk_is_mbr_with_a_fat32_partition_first() -> None:
    config = genimage_config(PI, "0.2.0", 1400, EPOCH)
    assert 'partition-table-type = "mbr"' in config
    assert config.index("partition boot") < config.index("partition root")
    assert "partition-type = 0x0C" in config and "-F 32" in config
    assert 'mountpoint = "/boot/firmware"' in config


def test_identifiers_are_the_same_for_one_version_and_differ_between_versions() -> None:
    assert genimage_config(PI, "0.2.0", 1400, EPOCH) == genimage_config(PI, "0.2.0", 1400, EPOCH)
    assert genimage_config(PI, "0.2.0", 1400, EPOCH) != genimage_config(PI, "0.2.1", 1400, EPOCH)
    assert PI.identifier("0.2.0", "disk") != PC.identifier("0.2.0", "disk")


def test_the_imager_entry_names_the_file_and_its_sizes_and_hashes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMAGE_BASE_URL", raising=False)
    entry = imager_entry(PI, REPORT, "paivystys-0.2.0-pi-arm64.img.zst", EPOCH)
    assert entry["url"] == "paivystys-0.2.0-pi-arm64.img.zst"
    assert (entry["extract_size"], entry["image_download_size"]) == (2_000_000_000, 300_000_000)
    assert entry["extract_sha256"] == "a" * 64 and entry["image_download_sha256"] == "b" * 64
    assert entry["release_date"] == "2025-12-05"
    assert entry["devices"] == ["pi4-64bit", "pi5-64bit"]
    # Imager's customisation (user, Wi-Fi, SSH) would be written where nothing reads it.
    assert "init_format" not in entry
    json.dumps(entry)
    monkeypatch.setenv("IMAGE_BASE_URL", "https://example.fi/images/")
    assert imager_entry(PI, REPORT, "x.img.zst", EPOCH)["url"] == "https://example.fi/images/x.img.zst"


def test_per_box_files_and_the_appliances_state_are_found(tmp_path: Path) -> None:
    (tmp_path / "etc/ssh").mkdir(parents=True)
    (tmp_path / "etc/machine-id").write_text("")
    assert find_secrets(tmp_path) == []
    (tmp_path / "etc/machine-id").write_text("0123456789abcdef0123456789abcdef\n")
    (tmp_path / "etc/ssh/ssh_host_ed25519_key").write_text("key")
    state = tmp_path / "var/lib/paivystys/appliance"
    state.mkdir(parents=True)
    (state / "ami.secret").write_text("secret")
    assert sorted(find_secrets(tmp_path)) == ["etc/machine-id", "etc/ssh/ssh_host_ed25519_key",
                                              "var/lib/paivystys/appliance/ami.secret"]


def test_the_manifest_lists_installed_packages_only(tmp_path: Path) -> None:
    status = tmp_path / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True)
    status.write_text(
        "Package: asterisk\nStatus: install ok installed\nArchitecture: arm64\n"
        "Version: 1:22.10.1\nDescription: PBX\n multi-line: text\n\n"
        "Package: gone\nStatus: deinstall ok config-files\nArchitecture: arm64\nVersion: 1\n\n"
        "Package: paivystys\nStatus: install ok installed\nArchitecture: arm64\n"
        "Version: 0.2.0\n")
    assert installed_packages(tmp_path) == [("asterisk", "1:22.10.1", "arm64"),
                                            ("paivystys", "0.2.0", "arm64")]
    site = tmp_path / "venv/lib/python3.14/site-packages"
    (site / "peewee-3.18.2.dist-info").mkdir(parents=True)
    (site / "python_gsmmodem_new-0.13.dist-info").mkdir()
    assert python_distributions(tmp_path / "venv") == [("peewee", "3.18.2"),
                                                       ("python_gsmmodem_new", "0.13")]
