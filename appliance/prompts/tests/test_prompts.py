from __future__ import annotations

import os
import shutil
import stat
import wave
from pathlib import Path

import pytest

from paivystys.appliance.asterisk.dialplan import PROMPT_NAMES
from paivystys.appliance.db import settings
from paivystys.appliance.prompts import LANGUAGES, PROMPTS, generate, generate_prompts, prompt_path
from paivystys.appliance.prompts.words import WORDS

# Every prompt the dialplan plays, and two kept for the admin's own recordings.
CALL_PROMPTS = {*PROMPT_NAMES.values(), "pv-please-wait", "digit-plus"}
# What the listening line plays besides the words of its readings (tested in test_readings).
LISTENING_PROMPTS = {
    "pv-listen-welcome", "pv-listen-personal-number", "pv-listen-pin", "pv-listen-wrong-pin",
    "pv-listen-no-pin", "pv-listen-goodbye", "pv-listen-no-recordings", "pv-listen-help",
    "pv-listen-help-delete", "pv-listen-confirm-delete", "pv-listen-deleted", "pv-listen-kept",
    "pv-listen-last", "pv-listen-first", "pv-listen-withheld",
}
can_synthesise = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")) and os.geteuid() != 0,
    reason="espeak-ng and sox are missing, and only root may install them",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(generate.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def machine_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache the lab and the box synthesise into (the same prompts, the same keys): all of
    every language is synthesised once per machine, not at every run.  A fresh one where that
    cache cannot be written."""
    shared = generate.cache_dir()
    try:
        shared.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        shared = tmp_path / "cache"
    if not os.access(shared, os.W_OK):
        shared = tmp_path / "cache"
    monkeypatch.setenv(generate.CACHE_ENV, str(shared))
    return shared


def test_every_language_has_every_prompt() -> None:
    assert LANGUAGES == settings.LANGUAGES == ("fi", "en", "sv")
    assert set(PROMPTS) == set(generate.VOICES) == set(WORDS) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(PROMPTS[lang]) == CALL_PROMPTS | LISTENING_PROMPTS | set(WORDS[lang])
        assert all(text.strip() for text in PROMPTS[lang].values())
    assert PROMPTS["fi"]["pv-press-1"] == "Paina yksi ottaaksesi puhelun."
    assert PROMPTS["sv"]["pv-press-1"] == "Tryck ett för att ta samtalet."


@pytest.mark.parametrize(("lang", "delete_key"), [
    ("fi", "Seitsemän: poisto. "), ("en", "Seven: delete. "), ("sv", "Sju: radera. ")])
def test_only_the_help_for_deleters_names_the_delete_key(lang: str, delete_key: str) -> None:
    assert delete_key not in PROMPTS[lang]["pv-listen-help"]
    assert PROMPTS[lang]["pv-listen-help-delete"].replace(delete_key, "") == \
        PROMPTS[lang]["pv-listen-help"]


def test_the_prompt_language_setting_takes_swedish() -> None:
    assert settings.SPECS["prompt_language"].validate("prompt_language", "sv") == "sv"
    with pytest.raises(ValueError, match="must be one of fi, en, sv"):
        settings.SPECS["prompt_language"].validate("prompt_language", "se")


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
@pytest.mark.parametrize("lang", LANGUAGES)
def test_generated_prompts_are_telephone_wavs(tmp_path: Path, machine_cache: Path,
                                              lang: str) -> None:
    os.umask(0o077)  # a strict umask must not hide the prompts from Asterisk (uid 101)
    try:
        written = generate_prompts(tmp_path / "instance", languages=[lang],
                                   progress=lambda message: None)
    finally:
        os.umask(0o022)
    generated = tmp_path / f"instance/sounds/generated/{lang}"
    assert {path.name for path in written} == {f"{name}.wav" for name in PROMPTS[lang]}
    for path in written:
        assert path.parent == generated
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        with wave.open(str(path)) as audio:
            shape = (audio.getframerate(), audio.getnchannels(), audio.getsampwidth())
            assert shape == (8000, 1, 2)
            # A word ("at", "och") cut tight is short; a sentence is not.
            shortest = 0.1 if path.stem in WORDS[lang] or path.stem.startswith("digit-") else 0.3
            assert audio.getnframes() > 8000 * shortest, path.name
    for directory in (generated, generated.parent, generated.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) & 0o005 == 0o005


@can_synthesise
def test_second_run_uses_the_cache(tmp_path: Path, cache: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # A few of each kind (a sentence, a digit, a word) show it as well as all of them.
    sample = {name: PROMPTS["en"][name] for name in ("pv-press-1", "digit-7", "time-oh")}
    monkeypatch.setitem(generate.PROMPTS, "en", sample)
    generate_prompts(tmp_path / "first", languages=["en"], progress=lambda message: None)

    def no_synthesis(command: list[str], doing: str = "") -> None:
        raise AssertionError(f"synthesised again: {command}")

    monkeypatch.setattr(generate, "run_checked", no_synthesis)
    written = generate_prompts(tmp_path / "second", languages=["en"],
                               progress=lambda message: None)
    first = tmp_path / "first/sounds/generated/en/pv-press-1.wav"
    assert (tmp_path / "second/sounds/generated/en/pv-press-1.wav").read_bytes() == \
        first.read_bytes()
    assert len(written) == len(sample)


@can_synthesise
def test_changed_text_is_synthesised_again(cache: Path) -> None:
    before = generate.synthesise("en", "Press 1 to take the call.", lambda message: None)
    after = generate.synthesise("en", "Press 1 to answer.", lambda message: None)
    assert before != after
    assert before.read_bytes() != after.read_bytes()


@can_synthesise
def test_one_text_gives_the_same_file_every_time(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The package ships the prompts: a rebuild must give the same bytes."""
    made = []
    for run in ("first", "second"):
        monkeypatch.setenv(generate.CACHE_ENV, str(tmp_path / run))
        made.append(generate.synthesise("fi", "Paina yksi.", lambda message: None).read_bytes())
    assert made[0] == made[1]


def test_a_prompt_the_package_ships_is_copied_not_synthesised(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = tmp_path / "shipped"
    monkeypatch.setattr(generate, "SHIPPED_DIR", shipped)
    monkeypatch.setitem(generate.PROMPTS, "en", {"pv-press-1": "Press 1 to take the call."})
    key = generate._cache_key("en", "Press 1 to take the call.",
                              *generate._recipe("en", "pv-press-1"))
    shipped.mkdir()
    (shipped / f"{key}.wav").write_bytes(b"RIFF shipped")

    def no_synthesis(command: list[str], doing: str = "") -> None:
        raise AssertionError(f"synthesised: {command}")

    monkeypatch.setattr(generate, "run_checked", no_synthesis)
    generate_prompts(tmp_path / "box", languages=["en"], progress=lambda message: None)
    assert (tmp_path / "box/sounds/generated/en/pv-press-1.wav").read_bytes() == b"RIFF shipped"
