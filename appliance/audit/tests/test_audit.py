from paivystys.appliance.audit import entries, record
from paivystys.appliance.db.database import open_database


def test_entries_newest_first_and_secrets_masked(tmp_path):
    db = open_database(tmp_path / "a.db")
    try:
        record("admin", "user.add", "maija", {"role": "person", "password": "hunter2hunter2"})
        record("cli:root", "group.add", "Sähkö")
        shown = entries()
        assert [entry["action"] for entry in shown] == ["group.add", "user.add"]
        assert shown[1]["details"] == {"password": "***", "role": "person"}
        assert "hunter2" not in str(shown)
    finally:
        db.close()
