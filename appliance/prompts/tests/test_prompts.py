from __future__ import annotations

import os
import shutil
import stat
import wave
from pathlib import Path

import pytest

from paivystys.appliance.asterisk.dialplan import PROMPT_NAMES
from paivystys.appliance.prompts import LANGUAGES, PROMPTS, generate, generate_prompts, prompt_path

# Every prompt the dialplan plays, and two kept for the admin's own recordings.
REQUIRED = {*PROMPT_NAMES.values(), "pv-please-wait", "digit-plus"}
can_synthesise = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")) and os.geteuid() != 0,
    reason="espeak-ng and sox are missing, and only root may install them",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(generate.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_every_language_has_every_prompt() -> None:
    assert set(LANGUAGES) == {"fi", "en"}
    for lang in LANGUAGES:
        assert set(PROMPTS[lang]) == REQUIRED
        assert all(text.strip() for text in PROMPTS[lang].values())
    assert PROMPTS["fi"]["pv-press-1"] == "Paina yksi ottaaksesi puhelun."


def test_generated_prompt_when_nothing_is_recorded(tmp_path: Path) -> None:
    assert prompt_path(tmp_path, "fi", "pv-press-1") == \
        "/srv/instance/sounds/generated/fi/pv-press-1"


def test_admin_recording_wins_in_its_own_language(tmp_path: Path) -> None:
    custom = tmp_path / "sounds/custom/fi"
    custom.mkdir(parents=True)
    (custom / "pv-press-1.wav").write_bytes(b"")
    assert prompt_path(tmp_path, "fi", "pv-press-1") == "/srv/instance/sounds/custom/fi/pv-press-1"
    assert prompt_path(tmp_path, "en", "pv-press-1") == \
        "/srv/instance/sounds/generated/en/pv-press-1"
    assert prompt_path(tmp_path, "fi", "pv-press-10").endswith("/generated/fi/pv-press-10")


@can_synthesise
def test_generated_prompts_are_telephone_wavs(tmp_path: Path, cache: Path) -> None:
    os.umask(0o077)  # a strict umask must not hide the prompts from Asterisk (uid 101)
    try:
        written = generate_prompts(tmp_path / "instance", languages=["fi"],
                                   progress=lambda message: None)
    finally:
        os.umask(0o022)
    generated = tmp_path / "instance/sounds/generated/fi"
    assert {path.name for path in written} == {f"{name}.wav" for name in REQUIRED}
    for path in written:
        assert path.parent == generated
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        with wave.open(str(path)) as audio:
            shape = (audio.getframerate(), audio.getnchannels(), audio.getsampwidth())
            assert shape == (8000, 1, 2)
            assert audio.getnframes() > 8000 * 0.3
    for directory in (generated, generated.parent, generated.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) & 0o005 == 0o005


@can_synthesise
def test_second_run_uses_the_cache(tmp_path: Path, cache: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    generate_prompts(tmp_path / "first", languages=["en"], progress=lambda message: None)

    def no_synthesis(command: list[str], doing: str = "") -> None:
        raise AssertionError(f"synthesised again: {command}")

    monkeypatch.setattr(generate, "run_checked", no_synthesis)
    written = generate_prompts(tmp_path / "second", languages=["en"],
                               progress=lambda message: None)
    first = tmp_path / "first/sounds/generated/en/pv-press-1.wav"
    assert (tmp_path / "second/sounds/generated/en/pv-press-1.wav").read_bytes() == \
        first.read_bytes()
    assert len(written) == len(REQUIRED)


@can_synthesise
def test_changed_text_is_synthesised_again(cache: Path) -> None:
    before = generate.synthesise("en", "Press 1 to take the call.", lambda message: None)
    after = generate.synthesise("en", "Press 1 to answer.", lambda message: None)
    assert before != after
    assert before.read_bytes() != after.read_bytes()
