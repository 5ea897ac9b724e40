"""Generating the voice prompts and choosing, per prompt, the admin's recording or ours.

Generated files go to <instance>/sounds/generated/<lang>/, the admin's recordings to
<instance>/sounds/custom/<lang>/; a recording there wins.  Synthesis is cached by a hash of
everything that shapes the audio, so only a changed text is synthesised again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from paivystys.appliance.languages import PROMPT_LANGUAGES
from paivystys.appliance.prompts.words import WORDS
from paivystys.appliance.runtime.host import ensure_command, run_checked
from paivystys.appliance.runtime.instance import INSTANCE_ROOT

DEFAULT_LANGUAGE = "fi"
# The languages the setting prompt_language offers, each with its espeak-ng voice.  Prompts
# are synthesised where the appliance runs (the box; the lab's host, not its Asterisk root),
# and Debian's espeak-ng brings espeak-ng-data, which holds all three voices.
LANGUAGES = PROMPT_LANGUAGES
VOICES = {"fi": "fi", "en": "en", "sv": "sv"}

_DIGITS = {
    "fi": ("nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän",
           "kahdeksan", "yhdeksän"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "sv": ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio"),
}

# The listening line's keys, said as "key: what it does" in the order of the keypad.
_KEYS = {
    "fi": {"1": "Yksi: uudelleen.", "2": "Kaksi: seuraava.", "3": "Kolme: edellinen.",
           "4": "Neljä: kymmenen sekuntia taakse.", "6": "Kuusi: kymmenen sekuntia eteen.",
           "7": "Seitsemän: poisto.", "0": "Nolla: ohje.", "#": "Risuaita: lopetus."},
    "en": {"1": "One: replay.", "2": "Two: next.", "3": "Three: previous.",
           "4": "Four: back ten seconds.", "6": "Six: forward ten seconds.",
           "7": "Seven: delete.", "0": "Zero: help.", "#": "Hash: end."},
    "sv": {"1": "Ett: igen.", "2": "Två: nästa.", "3": "Tre: föregående.",
           "4": "Fyra: tio sekunder bakåt.", "6": "Sex: tio sekunder framåt.",
           "7": "Sju: radera.", "0": "Noll: hjälp.", "#": "Fyrkant: avsluta."},
}


def _help(lang: str, delete: bool) -> str:
    keys = _KEYS[lang]
    return " ".join(text for key, text in keys.items() if delete or key != "7")


PROMPTS: dict[str, dict[str, str]] = {
    "fi": {
        "pv-oncall-call-from": "Päivystyspuhelu numerosta",
        "pv-oncall-call": "Päivystyspuhelu.",
        "pv-oncall-call-withheld": "Päivystyspuhelu salaisesta numerosta.",
        "pv-caller-hung-up": "Soittaja ehti jo lopettaa puhelun.",
        "pv-ring-time-over": "Puhelun soittoaika päättyi.",
        "pv-press-1": "Paina yksi ottaaksesi puhelun.",
        "pv-already-taken": "Puhelu on jo otettu. Kiitos.",
        "pv-nobody-available": "Valitettavasti kukaan ei nyt voinut vastata. "
                               "Soita myöhemmin uudelleen.",
        "pv-number-not-in-use": "Numero ei ole käytössä.",
        "pv-please-wait": "Odota hetki, puhelua yhdistetään.",
        # The listening line.  "pin" in lower case: espeak-ng spells out "PIN" letter by letter.
        "pv-listen-welcome": "Tallenteiden kuuntelu.",
        "pv-listen-personal-number": "Näppäile henkilönumerosi ja risuaita.",
        "pv-listen-pin": "Näppäile pin-koodisi ja risuaita.",
        "pv-listen-wrong-pin": "Väärä pin-koodi.",
        "pv-listen-no-pin": "Sinulla ei ole pin-koodia. Aseta se konsolissa.",
        "pv-listen-goodbye": "Näkemiin.",
        "pv-listen-no-recordings": "Sinulla ei ole tallenteita.",
        "pv-listen-help": _help("fi", delete=False),
        "pv-listen-help-delete": _help("fi", delete=True),
        "pv-listen-confirm-delete": "Poista tallenne painamalla yksi. "
                                    "Muu näppäin säilyttää sen.",
        "pv-listen-deleted": "Tallenne poistettu.",
        "pv-listen-kept": "Tallenne säilytetty.",
        "pv-listen-last": "Ei enempää tallenteita.",
        "pv-listen-first": "Tämä on uusin tallenne.",
        "pv-listen-withheld": "salaisesta numerosta.",
        **{f"digit-{d}": word for d, word in enumerate(_DIGITS["fi"])},
        "digit-plus": "plus",
        **WORDS["fi"],
    },
    "en": {
        "pv-oncall-call-from": "On-call call from",
        "pv-oncall-call": "On-call call.",
        "pv-oncall-call-withheld": "On-call call from a withheld number.",
        "pv-caller-hung-up": "The caller has already hung up.",
        "pv-ring-time-over": "The ringing time for this call is over.",
        "pv-press-1": "Press 1 to take the call.",
        "pv-already-taken": "The call has already been taken. Thank you.",
        "pv-nobody-available": "Sorry, nobody could answer the call right now. "
                               "Please call again later.",
        "pv-number-not-in-use": "This number is not in use.",
        "pv-please-wait": "Please wait while we connect your call.",
        "pv-listen-welcome": "Your recordings.",
        "pv-listen-personal-number": "Enter your personal number, then the hash key.",
        "pv-listen-pin": "Enter your pin, then the hash key.",
        "pv-listen-wrong-pin": "Wrong pin.",
        "pv-listen-no-pin": "You have no pin. Set one in the console.",
        "pv-listen-goodbye": "Goodbye.",
        "pv-listen-no-recordings": "You have no recordings.",
        "pv-listen-help": _help("en", delete=False),
        "pv-listen-help-delete": _help("en", delete=True),
        "pv-listen-confirm-delete": "Press one to delete this recording. "
                                    "Any other key keeps it.",
        "pv-listen-deleted": "Recording deleted.",
        "pv-listen-kept": "Recording kept.",
        "pv-listen-last": "No more recordings.",
        "pv-listen-first": "This is the newest recording.",
        "pv-listen-withheld": "from a withheld number.",
        **{f"digit-{d}": word for d, word in enumerate(_DIGITS["en"])},
        "digit-plus": "plus",
        **WORDS["en"],
    },
    # Swedish as spoken in Finland: "jour" for on-call duty.  The personal number is
    # "personligt nummer": a "personnummer" is the national identity number.
    "sv": {
        "pv-oncall-call-from": "Joursamtal från nummer",
        "pv-oncall-call": "Joursamtal.",
        "pv-oncall-call-withheld": "Joursamtal från ett dolt nummer.",
        "pv-caller-hung-up": "Den som ringde har redan lagt på.",
        "pv-ring-time-over": "Ringtiden för samtalet är slut.",
        "pv-press-1": "Tryck ett för att ta samtalet.",
        "pv-already-taken": "Samtalet är redan taget. Tack.",
        "pv-nobody-available": "Tyvärr kunde ingen svara just nu. Ring igen senare.",
        "pv-number-not-in-use": "Numret är inte i bruk.",
        "pv-please-wait": "Vänta ett ögonblick, samtalet kopplas.",
        "pv-listen-welcome": "Dina inspelningar.",
        "pv-listen-personal-number": "Slå ditt personliga nummer och fyrkant.",
        "pv-listen-pin": "Slå din pinkod och fyrkant.",
        "pv-listen-wrong-pin": "Fel pinkod.",
        "pv-listen-no-pin": "Du har ingen pinkod. Ställ in den i konsolen.",
        "pv-listen-goodbye": "Hej då.",
        "pv-listen-no-recordings": "Du har inga inspelningar.",
        "pv-listen-help": _help("sv", delete=False),
        "pv-listen-help-delete": _help("sv", delete=True),
        "pv-listen-confirm-delete": "Tryck ett för att radera inspelningen. "
                                    "Andra knappar behåller den.",
        "pv-listen-deleted": "Inspelningen är raderad.",
        "pv-listen-kept": "Inspelningen är kvar.",
        "pv-listen-last": "Inga fler inspelningar.",
        "pv-listen-first": "Det här är den senaste inspelningen.",
        "pv-listen-withheld": "från ett dolt nummer.",
        **{f"digit-{d}": word for d, word in enumerate(_DIGITS["sv"])},
        "digit-plus": "plus",
        **WORDS["sv"],
    },
}

CACHE_ENV = "PAIVYSTYS_PROMPT_CACHE"
DEFAULT_CACHE_DIR = Path("/var/cache/paivystys/prompts")
# The package ships every prompt synthesised when it was built, named as in the cache: a box
# copies them instead of synthesising hundreds of them at its first boot (or at an update,
# with calls in progress).  Only a prompt the package lacks is synthesised on the box.
SHIPPED_DIR = Path("/usr/share/paivystys/prompts")
ESPEAK_ARGS = ("-s", "150")
# Digits are read out one after another in the confirmation prompt ("on-call call from 0 4 0
# ..."): spoken faster and cut tight, ten of them take about 4 s instead of 12.
DIGIT_ESPEAK_ARGS = ("-s", "210")
# The words of a date, a time or a count follow one another as one sentence: a little faster
# than a prompt, cut as tight as digits.
WORD_ESPEAK_ARGS = ("-s", "170")
# sox dithers with random noise when it reduces the precision: repeatable mode seeds it, so
# that one text gives the same file on every build.
SOX_GLOBAL_ARGS = ("-R",)
# What Asterisk plays without transcoding from wav: 8 kHz, mono, 16-bit signed.
SOX_ARGS = ("-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer")
# espeak-ng pads every utterance with silence: cut it at both ends.  `norm` evens out the
# loudness between voices; the leading pad keeps the first syllable of a prompt from being
# clipped while the RTP stream starts.
TRIM_SILENCE = ("silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%",
                "reverse")
SOX_EFFECTS = (*TRIM_SILENCE, "norm", "-3", "pad", "0.15", "0.1")
DIGIT_SOX_EFFECTS = (*TRIM_SILENCE, "norm", "-3", "pad", "0", "0.05")


def _recipe(lang: str, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """espeak-ng arguments and sox effects for the prompt `name`."""
    if name.startswith("digit-"):
        return DIGIT_ESPEAK_ARGS, DIGIT_SOX_EFFECTS
    if name in WORDS[lang]:
        return WORD_ESPEAK_ARGS, DIGIT_SOX_EFFECTS
    return ESPEAK_ARGS, SOX_EFFECTS


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def generated_dir(instance_dir: Path, lang: str) -> Path:
    return Path(instance_dir) / "sounds" / "generated" / lang


def custom_dir(instance_dir: Path, lang: str) -> Path:
    return Path(instance_dir) / "sounds" / "custom" / lang


def prompt_path(instance_dir: Path, lang: str, name: str, seen_as: str = INSTANCE_ROOT) -> str:
    """The path Asterisk plays (without extension): custom if recorded.  ``seen_as``: the
    instance directory as Asterisk sees it (a chrooted lab instance: /srv/instance)."""
    has_custom = any(custom_dir(instance_dir, lang).glob(f"{name}.*"))
    kind = "custom" if has_custom else "generated"
    return f"{seen_as}/sounds/{kind}/{lang}/{name}"


def generate_prompts(instance_dir: Path, languages: Iterable[str] = LANGUAGES,
                     progress: Callable[[str], None] = print) -> list[Path]:
    """Write every prompt of `languages` as <instance>/sounds/generated/<lang>/<name>.wav."""
    written = []
    for lang in languages:
        target_dir = generated_dir(instance_dir, lang)
        _make_readable_dirs(Path(instance_dir), target_dir)
        for name, text in PROMPTS[lang].items():
            target = target_dir / f"{name}.wav"
            _install(synthesise(lang, text, progress, *_recipe(lang, name)), target)
            written.append(target)
    return written


def synthesise_all(progress: Callable[[str], None] = print) -> list[Path]:
    """Every prompt of every language synthesised into the cache (what the package ships:
    the build runs this with the cache pointed into the package)."""
    return [synthesise(lang, text, progress, *_recipe(lang, name))
            for lang in LANGUAGES for name, text in PROMPTS[lang].items()]


def synthesise(lang: str, text: str, progress: Callable[[str], None] = print,
               espeak_args: tuple[str, ...] = ESPEAK_ARGS,
               sox_effects: tuple[str, ...] = SOX_EFFECTS) -> Path:
    """The cached WAV file of `text` spoken in `lang`, synthesised if not cached yet."""
    name = f"{_cache_key(lang, text, espeak_args, sox_effects)}.wav"
    if (shipped := SHIPPED_DIR / name).is_file():
        return shipped
    cached = cache_dir() / name
    if cached.is_file():
        return cached
    espeak = ensure_command("espeak-ng", "espeak-ng", progress)
    sox = ensure_command("sox", "sox", progress)
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cached.parent) as work:
        spoken = Path(work) / "spoken.wav"
        converted = Path(work) / "converted.wav"
        doing = "making a voice prompt"
        run_checked([espeak, "-v", VOICES[lang], *espeak_args, "-w", str(spoken), text], doing)
        run_checked([sox, *SOX_GLOBAL_ARGS, str(spoken), *SOX_ARGS, str(converted),
                     *sox_effects], doing)
        converted.chmod(0o644)
        # A concurrent run may do the same; the rename makes either result whole.
        os.replace(converted, cached)
    return cached


def _cache_key(lang: str, text: str, espeak_args: tuple[str, ...],
               sox_effects: tuple[str, ...]) -> str:
    recipe = "\n".join([VOICES[lang], *espeak_args, text, *SOX_GLOBAL_ARGS, *SOX_ARGS,
                        *sox_effects])
    return hashlib.sha256(recipe.encode()).hexdigest()[:24]


def _install(source: Path, target: Path) -> None:
    if target.is_file() and target.read_bytes() == source.read_bytes():
        return
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    partial.chmod(0o644)  # Asterisk runs as uid 101: the file must be world-readable
    os.replace(partial, target)


def _make_readable_dirs(instance_dir: Path, target_dir: Path) -> None:
    target_dir.mkdir(parents=True, exist_ok=True)
    for directory in (target_dir, *target_dir.parents):
        if directory == instance_dir:
            break
        directory.chmod(directory.stat().st_mode | 0o755)
