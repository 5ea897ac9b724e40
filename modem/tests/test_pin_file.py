"""The SIM PIN file: read, and closed to others when it was not."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from paivystys.modem import service


def _pin_file(tmp_path: Path, mode: int, text: str = "1234\n") -> Path:
    path = tmp_path / "pin"
    path.write_text(text)
    path.chmod(mode)
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_pin_file_everyone_may_read_is_closed_to_others(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _pin_file(tmp_path, 0o644)
    assert service.read_pin_file(path) == "1234"
    assert _mode(path) == 0o640  # its group (the modem service's, say) keeps reading it
    assert f"the PIN file {path} was mode 0644, readable by every user on the box; made it " \
           "0640" in caplog.text


def test_a_pin_file_others_may_only_write_is_closed_to_them_too(tmp_path: Path) -> None:
    path = _pin_file(tmp_path, 0o602)
    assert service.read_pin_file(path) == "1234"
    assert _mode(path) == 0o600


def test_a_private_pin_file_is_left_as_it_is(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    path = _pin_file(tmp_path, 0o440)
    assert service.read_pin_file(path) == "1234"
    assert _mode(path) == 0o440
    assert caplog.text == ""


def test_an_empty_pin_file_means_no_pin(tmp_path: Path) -> None:
    assert service.read_pin_file(_pin_file(tmp_path, 0o600, " \n")) is None


def test_a_pin_file_that_cannot_be_closed_is_reported(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _pin_file(tmp_path, 0o644)

    def refused(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refused)
    assert service.read_pin_file(path) == "1234"
    assert f"the PIN file {path} is mode 0644, readable by every user on the box, and only " \
           "its owner can close it" in caplog.text


def test_an_unreadable_pin_file_stops_the_service_with_a_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-pin"
    assert service.main(["--db", str(tmp_path / "p.db"), "--pin-file", str(missing)]) == 2
    assert f"cannot read --pin-file: [Errno 2] No such file or directory: '{missing}'" in \
        capsys.readouterr().err


@pytest.mark.parametrize("text", ["12a4\n", "12 34\n", "123456789\n", "١٢٣٤\n", '12"4\n'])
def test_a_pin_file_without_a_pin_stops_the_service_with_a_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = _pin_file(tmp_path, 0o600, text)
    assert service.main(["--db", str(tmp_path / "p.db"), "--pin-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"--pin-file {path}: the SIM's PIN is 4 to 8 digits (0-9), nothing else" in err
    assert text.strip() not in err
