"""The SIM's PIN on the box: what a PIN is, stored write-only and audited without it, the PIN
the modem service enters (the stored one before --pin-file's, never a refused one), and the
SIM's report."""

from __future__ import annotations

import json

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.backup.service import create_backup, restore_backup
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import HealthReport, Setting
from paivystys.appliance.errors import Invalid
from paivystys.appliance.sms import sim_pin
from paivystys.appliance.sms.sim_pin import (
    SOURCE_FILE,
    SOURCE_STORED,
    PinChoice,
    PinStatus,
    SimReport,
)


def changes() -> Changes:
    return Changes("toimisto", apply=lambda: None)


@pytest.mark.parametrize("pin", ["1234", "0000", "12345678", "00001"])
def test_four_to_eight_digits_are_a_pin(pin: str) -> None:
    assert sim_pin.check_pin(pin) == pin


@pytest.mark.parametrize("pin", [
    "", "123", "123456789", "12a4", "abcd", "12 34", " 1234", "1234 ", "1234\n", "\t1234",
    "12\x0034", "1234\x00", "\x1b[2J1234", "١٢٣٤", "１２３４", "１２３4", "12³4", "¹²³⁴", "12.4",
    "-1234", "+1234", "1_234", "0x12", "1234" * 16, '12"4', "12;4", 1234, 12.34, True, None,
    ["1234"], {"pin": "1234"}, b"1234",
])
def test_anything_else_is_refused_without_repeating_it(pin: object) -> None:
    with pytest.raises(Invalid) as refused:
        sim_pin.check_pin(pin)
    assert refused.value.field == "pin"
    assert str(refused.value) == "pin: the SIM's PIN is 4 to 8 digits (0-9), nothing else"


def test_a_stored_pin_is_never_shown_nor_audited(db: None) -> None:
    assert sim_pin.pin_status() == PinStatus(has_pin=False, refused=False)
    assert sim_pin.set_pin("2468", changes()) == PinStatus(has_pin=True, refused=False)
    assert sim_pin.set_pin("13579", changes()) == PinStatus(has_pin=True, refused=False)
    assert sim_pin.clear_pin(changes()) == PinStatus(has_pin=False, refused=False)
    rows = entries()
    assert [(row["actor"], row["action"], row["target"], row["details"]) for row in rows] == [
        ("toimisto", "sim_pin.clear", None, {"was_stored": True}),
        ("toimisto", "sim_pin.set", None, None),
        ("toimisto", "sim_pin.set", None, None)]
    assert "2468" not in json.dumps(rows) and "13579" not in json.dumps(rows)


def test_a_refused_value_changes_nothing_and_audits_nothing(db: None) -> None:
    sim_pin.set_pin("2468", changes())
    with pytest.raises(Invalid):
        sim_pin.set_pin("24 68", changes())
    assert sim_pin.pin_to_enter(None).pin == "2468"
    assert len(entries()) == 1


def test_the_stored_pin_wins_over_the_file(db: None) -> None:
    assert sim_pin.pin_to_enter(None) == PinChoice(None, None, refused=False)
    assert sim_pin.pin_to_enter("1111") == PinChoice("1111", SOURCE_FILE, refused=False)
    sim_pin.set_pin("2222", changes())
    assert sim_pin.pin_to_enter("1111") == PinChoice("2222", SOURCE_STORED, refused=False)


def test_a_refused_pin_is_not_entered_again_until_another_is_stored(db: None) -> None:
    sim_pin.set_pin("0000", changes())
    sim_pin.record_refused("0000")
    assert sim_pin.pin_to_enter("1234") == PinChoice(None, SOURCE_STORED, refused=True)
    assert sim_pin.pin_status() == PinStatus(has_pin=True, refused=True)
    with pytest.raises(Invalid) as again:
        sim_pin.set_pin("0000", changes())
    assert again.value.field == "pin"
    assert "use up another of its three tries" in str(again.value)
    assert "0000" not in str(again.value)
    sim_pin.set_pin("1234", changes())
    assert sim_pin.pin_to_enter(None) == PinChoice("1234", SOURCE_STORED, refused=False)
    assert sim_pin.pin_status() == PinStatus(has_pin=True, refused=False)


def test_a_refused_file_pin_is_not_entered_again_either(db: None) -> None:
    sim_pin.record_refused("0000")
    assert sim_pin.pin_to_enter("0000") == PinChoice(None, SOURCE_FILE, refused=True)
    assert sim_pin.pin_status() == PinStatus(has_pin=False, refused=False)


def test_clearing_forgets_the_refusal_so_the_same_pin_may_be_stored_again(db: None) -> None:
    sim_pin.set_pin("0000", changes())
    sim_pin.record_refused("0000")
    sim_pin.clear_pin(changes())
    assert Setting.select().where(Setting.key.in_(sim_pin.KEYS)).count() == 0
    sim_pin.set_pin("0000", changes())
    assert sim_pin.pin_to_enter(None).pin == "0000"


def test_the_pin_is_the_boxs_own_neither_backed_up_nor_replaced_by_a_restore(
        db: None) -> None:
    sim_pin.set_pin("2468", changes())
    backup = create_backup(changes())
    assert b"2468" not in backup and b"sim.pin" not in backup
    sim_pin.set_pin("1357", changes())
    sim_pin.record_refused("1357")
    restore_backup(backup, changes=changes())
    assert sim_pin.pin_to_enter(None) == PinChoice(None, SOURCE_STORED, refused=True)
    document = json.loads(backup)
    document["tables"]["setting"].append({"key": "sim.pin", "value": "1111"})
    with pytest.raises(Invalid) as refused:
        restore_backup(json.dumps(document).encode(), changes=changes())
    assert refused.value.field == "setting[sim.pin]"
    assert "this box's own" in str(refused.value)


def test_the_sim_report_keeps_the_state_and_the_tries(db: None) -> None:
    assert sim_pin.sim_report() is None
    sim_pin.report_sim(SimReport(sim_pin.SIM_PIN_REFUSED, 2))
    assert sim_pin.sim_report() == SimReport(sim_pin.SIM_PIN_REFUSED, 2)
    assert HealthReport.get_by_id(sim_pin.SIM_REPORT_KEY).ok is False
    sim_pin.report_sim(SimReport(sim_pin.SIM_READY, None))
    assert sim_pin.sim_report() == SimReport(sim_pin.SIM_READY, None)
    assert HealthReport.get_by_id(sim_pin.SIM_REPORT_KEY).ok is True
    sim_pin.report_sim(None)
    assert sim_pin.sim_report() is None


@pytest.mark.parametrize(("state", "attempts", "says"), [
    (sim_pin.SIM_PIN_NEEDED, 3, "the SIM wants its PIN and none is stored (3 tries left): "
                                "store it in the console (Manage, Modem) or with 'paivystys "
                                "modem pin set'"),
    (sim_pin.SIM_PIN_REFUSED, 1, "the SIM refused the PIN (1 try left); it is not entered "
                                 "again: store the right one"),
    (sim_pin.SIM_PIN_REFUSED, None, "the SIM refused the PIN; it is not entered again: store "
                                    "the right one"),
    (sim_pin.SIM_PUK_NEEDED, 10, "the SIM is locked after three wrong PINs and needs its PUK "
                                 "(10 tries left): unlock it in a phone with the PUK from the "
                                 "SIM's papers, put it back and store its PIN"),
])
def test_what_the_sim_waits_for_says_what_to_do(state: str, attempts: int | None,
                                                says: str) -> None:
    assert sim_pin.describe_sim(state, attempts) == says


def test_every_state_is_described() -> None:
    assert all(sim_pin.describe_sim(state) for state in sim_pin.SIM_STATES)
