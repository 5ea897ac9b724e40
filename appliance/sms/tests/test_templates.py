from __future__ import annotations

import logging

import pytest

from paivystys.appliance.db.models import Setting
from paivystys.appliance.errors import Invalid
from paivystys.appliance.sms import kinds as k
from paivystys.appliance.sms.encoding import GSM7, encode
from paivystys.appliance.sms.templates import (
    DEFAULTS,
    LANGUAGES,
    PLACEHOLDERS,
    TemplateError,
    caller_display,
    render,
    reset_template,
    set_template,
    template,
)

SAMPLE = {"name": "Maija Virtanen", "caller": "+358401234567", "time": "14.05",
          "number_name": "Huolto", "contact": "040 1234567", "wait": "12",
          "groups": "Asentajat, Työnjohto"}
FIELD = "sms_template.taken.fi"


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """Templates read their overrides from the Setting table."""


def test_every_kind_has_a_text_in_every_language() -> None:
    assert set(DEFAULTS) == set(k.KINDS) == set(PLACEHOLDERS)
    for kind in k.KINDS:
        assert set(DEFAULTS[kind]) == set(LANGUAGES) == {"fi", "en", "sv"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", k.KINDS)
def test_defaults_render_as_one_gsm7_sms(kind: str, lang: str) -> None:
    text = render(kind, lang, **SAMPLE)
    assert "{" not in text and "}" not in text
    encoded = encode("+358401234567", text, reference=1)
    assert (encoded.encoding, len(encoded.parts)) == (GSM7, 1), text


def test_default_texts_read_as_the_languages_write_them() -> None:
    assert render(k.TAKEN, "fi", **SAMPLE) == (
        "Maija Virtanen otti puhelun klo 14.05 (Huolto). Soittaja: +358401234567.")
    assert render(k.TAKEN, "en", **{**SAMPLE, "time": "14:05"}) == (
        "Maija Virtanen took the call from +358401234567 at 14:05 (Huolto).")
    assert render(k.TAKEN, "sv", **SAMPLE) == (
        "Maija Virtanen tog samtalet från +358401234567 kl. 14.05 (Huolto).")
    assert render(k.CALLER_CONTACT, "fi", **SAMPLE) == (
        "Kiitos soitostasi. Puheluusi vastasi Maija Virtanen (Huolto), puh. 040 1234567.")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_names_every_command(lang: str) -> None:
    text = render(k.HELP, lang, name="Maija")
    for command in ("ON", "OFF", "PÄÄLLE", "POIS"):
        assert command in text


def test_a_withheld_caller_is_named_in_words() -> None:
    # the call log keeps a withheld caller as "" (WITHHELD), whatever the network sent
    assert caller_display("", "fi") == "salainen numero"
    assert caller_display("", "en") == "a withheld number"
    assert caller_display("", "sv") == "ett dolt nummer"
    assert caller_display("16400", "fi") == "16400"
    assert render(k.MISSED, "en", **{**SAMPLE, "caller": caller_display("", "en")}) == (
        "Missed call from a withheld number at 14.05 (Huolto): nobody answered.")


def test_a_caller_id_that_is_no_number_is_shown_not_called_withheld() -> None:
    assert caller_display("Matti Meikäläinen", "fi") == "Matti Meikäläinen"
    # the network's text: line breaks and control characters become spaces, and it is cut
    assert caller_display("12,3(4)\r\nEvent: Forged", "en") == "12,3(4) Event: Forged"
    long = caller_display("x" * 300, "fi")
    assert len(long) == 24 and long.endswith("…")
    assert caller_display("\r\n\t", "en") == "a withheld number"


def test_an_override_is_used_for_its_language_only_until_reset() -> None:
    saved = set_template(k.TAKEN, "fi", "  {name} vastasi {caller} klo {time}.  ")
    assert saved == "{name} vastasi {caller} klo {time}."
    assert template(k.TAKEN, "fi") == saved
    assert render(k.TAKEN, "fi", **SAMPLE) == "Maija Virtanen vastasi +358401234567 klo 14.05."
    assert template(k.TAKEN, "en") == DEFAULTS[k.TAKEN]["en"]
    assert Setting.get_by_id(FIELD).value == saved

    assert reset_template(k.TAKEN, "fi") == DEFAULTS[k.TAKEN]["fi"]
    assert template(k.TAKEN, "fi") == DEFAULTS[k.TAKEN]["fi"]
    assert Setting.get_or_none(Setting.key == FIELD) is None


def test_literal_braces_are_written_twice() -> None:
    set_template(k.HELP, "en", "{{ON}} or {{OFF}}, {name}")
    assert render(k.HELP, "en", name="Maija") == "{ON} or {OFF}, Maija"


@pytest.mark.parametrize(("kind", "lang", "text", "says"), [
    ("taken", "fi", "{nme} otti puhelun",
     f"{FIELD}: unknown placeholder {{nme}}; allowed: {{name}}, {{caller}}, {{time}}, "
     "{number_name}, {wait}"),
    ("taken", "fi", "{contact}", "unknown placeholder {contact}"),  # not this kind's
    ("taken", "fi", "", f"{FIELD}: the text is empty"),
    ("taken", "fi", "   \n", f"{FIELD}: the text is empty"),
    ("taken", "fi", "{name otti", f"{FIELD}: malformed placeholder"),
    ("taken", "fi", "name} otti", f"{FIELD}: malformed placeholder"),
    ("taken", "fi", "{} otti", f"{FIELD}: malformed placeholder {{}}"),
    ("taken", "fi", "{0} otti", f"{FIELD}: malformed placeholder {{0}}"),
    ("taken", "fi", "{name.upper}", f"{FIELD}: malformed placeholder {{name.upper}}"),
    ("taken", "fi", "{name[0]}", f"{FIELD}: malformed placeholder {{name[0]}}"),
    ("taken", "fi", "{name:>20}", f"{FIELD}: placeholder {{name:>20}} takes no format"),
    ("taken", "fi", "{name!r}", f"{FIELD}: placeholder {{name!r}} takes no format"),
    ("tken", "fi", "{name}", "sms_template.tken.fi: unknown message kind 'tken'; known: taken"),
    ("taken", "de", "{name}", "sms_template.taken.de: unknown language 'de'; known: fi, en, sv"),
])
def test_a_bad_template_is_refused_naming_its_field(kind: str, lang: str, text: str,
                                                    says: str) -> None:
    with pytest.raises(TemplateError) as refused:
        set_template(kind, lang, text)
    assert refused.value.field == f"sms_template.{kind}.{lang}"
    assert str(refused.value).startswith(refused.value.field + ": ")
    assert says in str(refused.value)
    assert isinstance(refused.value, Invalid)  # shown like the directory's field errors
    assert Setting.select().count() == 0


def test_unknown_kind_or_language_is_refused_when_read_or_reset() -> None:
    with pytest.raises(TemplateError, match="unknown language"):
        template(k.TAKEN, "de")
    with pytest.raises(TemplateError, match="unknown message kind"):
        reset_template("nope", "fi")


def test_a_broken_stored_override_falls_back_to_the_built_in_text(
        caplog: pytest.LogCaptureFixture) -> None:
    Setting.create(key=FIELD, value="{nimi} otti puhelun")  # written behind set_template
    with caplog.at_level(logging.WARNING):
        assert template(k.TAKEN, "fi") == DEFAULTS[k.TAKEN]["fi"]
    assert "unknown placeholder {nimi}" in caplog.text


def test_rendering_without_a_value_the_text_uses_is_a_bug_said_plainly() -> None:
    with pytest.raises(KeyError, match=r"no value given for \{time\}, \{caller\}"):
        render(k.TAKEN, "fi", name="Maija", number_name="Huolto", wait="3")
