"""The unit of work: a change and its audit row commit together or not at all; Asterisk is
applied once per transaction, after the commit; a failed apply keeps the change and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.changes import Changes
from paivystys.appliance.changes.tests.apply_counter import Counter
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Group
from paivystys.appliance.errors import ApplyFailed, Conflict, Invalid


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    database = open_database(tmp_path / "paivystys.db")
    yield tmp_path
    database.close()


def audited() -> list[tuple[str, str, str | None]]:
    return [(row["actor"], row["action"], row["target"]) for row in reversed(entries())]


def test_a_change_is_written_with_its_audit_row_then_applied(state_dir: Path) -> None:
    applied = Counter()
    with Changes("admin", applied).change("group.add", details={"x": 1}) as change:
        assert applied.calls == 0
        Group.create(name="Huolto")
        change.target = "Huolto"  # known once the block has run
    assert applied.calls == 1
    assert audited() == [("admin", "group.add", "Huolto")]
    assert entries()[0]["details"] == {"x": 1}


def test_a_refused_change_writes_nothing_and_audits_nothing(state_dir: Path) -> None:
    applied = Counter()
    with pytest.raises(Invalid), Changes("admin", applied).change("group.add"):
        Group.create(name="Huolto")
        raise Invalid("name", "name: refused after a write")
    assert Group.select().count() == 0
    assert audited() == []
    assert applied.calls == 0


def test_a_race_past_the_checks_is_a_conflict(state_dir: Path) -> None:
    Group.create(name="Huolto")
    with pytest.raises(Conflict) as caught, Changes("admin", Counter()).change("group.add"):
        Group.create(id=Group.get().id, name="Toinen")
    assert caught.value.field == "database"
    assert audited() == []


def test_changes_in_one_transaction_are_applied_once(state_dir: Path) -> None:
    applied = Counter()
    changes = Changes("cli:root", applied)
    with changes.transaction():
        for name in ("Huolto", "Sähkö"):
            with changes.change("group.add", name):
                Group.create(name=name)
        assert applied.calls == 0
    assert applied.calls == 1
    assert audited() == [("cli:root", "group.add", "Huolto"), ("cli:root", "group.add", "Sähkö")]
    # A failure late in the transaction undoes the earlier changes and their audit rows.
    with pytest.raises(RuntimeError), changes.transaction():
        with changes.change("group.add", "Kaasu"):
            Group.create(name="Kaasu")
        raise RuntimeError("disk full")
    assert [group.name for group in Group.select()] == ["Huolto", "Sähkö"]
    assert len(audited()) == 2
    assert applied.calls == 1


def test_what_asterisk_does_not_read_is_not_applied(state_dir: Path) -> None:
    applied = Counter()
    with Changes("admin", applied).change("user.add", "maija", reaches_asterisk=False):
        pass
    assert applied.calls == 0
    assert audited() == [("admin", "user.add", "maija")]


def test_a_failed_apply_keeps_the_change_and_says_so(state_dir: Path) -> None:
    def refused() -> None:
        raise RuntimeError("reload refused")

    with pytest.raises(ApplyFailed) as caught, Changes("sms:+358401000001", refused).change(
            "duty.off", "Maija"):
        Group.create(name="Huolto")
    assert str(caught.value) == ("the change is saved, but applying it to Asterisk failed: "
                                 "reload refused")
    assert caught.value.field == "asterisk"
    assert Group.select().count() == 1
    assert audited() == [("sms:+358401000001", "duty.off", "Maija"),
                         ("sms:+358401000001", "apply.failed", None)]
    assert entries()[0]["details"] == {"saved": ["duty.off Maija"], "error": "reload refused"}


def test_the_default_apply_is_the_appliances_asterisk(state_dir: Path) -> None:
    # No Asterisk beside this database: nothing to apply.
    with Changes("admin").change("group.add", "Huolto"):
        Group.create(name="Huolto")
    # An Asterisk whose files cannot be written: the change stands, the reason is told.
    (state_dir / "deployment.json").write_text(json.dumps(
        {"rootfs": str(state_dir / "gone"), "netns": None}))
    with pytest.raises(ApplyFailed, match=r"applying it to Asterisk failed: cannot read "
                                          r".*/gone/etc/passwd"), \
            Changes("admin").change("group.add", "Sähkö"):
        Group.create(name="Sähkö")
    assert Group.select().count() == 2
    assert [action for _, action, _ in audited()] == ["group.add", "group.add", "apply.failed"]


def test_secrets_never_reach_the_audit_log(state_dir: Path) -> None:
    with Changes("admin", Counter()).change("user.password", "maija",
                                            {"password": "hunter2hunter2"}):
        pass
    assert "hunter2" not in str(entries())
