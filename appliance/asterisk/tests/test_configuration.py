"""What the dialplan is generated from: the database's numbers, as they are now."""

from __future__ import annotations

from pathlib import Path

from paivystys.appliance.asterisk.configuration import listening_plans
from paivystys.appliance.asterisk.dialplan import ListeningPlan
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ListeningNumber


def test_every_listening_number_is_planned_and_a_removed_one_is_not(tmp_path: Path) -> None:
    db = open_database(tmp_path / "db")
    try:
        first = ListeningNumber.create(number="+358201110001", name="Kuuntelu")
        second = ListeningNumber.create(number="+358201110002", name="Toinen")
        assert listening_plans() == [ListeningPlan(first.id, "+358201110001"),
                                     ListeningPlan(second.id, "+358201110002")]
        first.delete_instance()
        assert listening_plans() == [ListeningPlan(second.id, "+358201110002")]
    finally:
        db.close()
