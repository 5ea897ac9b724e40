import datetime as dt

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import AuditEntry, Call, OnCallNumber
from paivystys.appliance.recordings.retention import delete_expired

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def test_exactly_the_expired_recordings_are_deleted_and_logged(tmp_path):
    db = open_database(tmp_path / "r.db")
    recordings = tmp_path / "recordings"
    try:
        short = OnCallNumber.create(number="+358201000001", name="Lyhyt", retention_days=7)
        long = OnCallNumber.create(number="+358201000002", name="Pitkä", retention_days=365)
        cases = {  # call id: (number, age in days, expected to go)
            "a": (short, 8, True), "b": (short, 6, False), "c": (long, 200, False),
            "d": (long, 366, True), "e": (None, 91, True), "f": (None, 89, False),
        }
        for call_id, (number, age, _) in cases.items():
            relative = f"2026/11/{call_id}.wav"
            (recordings / relative).parent.mkdir(parents=True, exist_ok=True)
            (recordings / relative).write_bytes(b"RIFF")
            Call.create(call_id=call_id, number=number, dialled="x", caller="y",
                        arrived_at=NOW - dt.timedelta(days=age), recording=relative)
        outside = tmp_path / "secret.txt"
        outside.write_text("not a recording")
        Call.create(call_id="evil", number=short, dialled="x", caller="y",
                    arrived_at=NOW - dt.timedelta(days=30), recording="../secret.txt")

        deleted = delete_expired(recordings, NOW)

        expected = sorted([c for c, (_n, _a, goes) in cases.items() if goes] + ["evil"])
        assert sorted(deleted) == expected
        for call_id, (_n, _a, goes) in cases.items():
            assert (recordings / f"2026/11/{call_id}.wav").exists() is not goes
            assert (Call.get(Call.call_id == call_id).recording is None) is goes
        assert outside.exists()  # a row pointing outside is cleared, the file untouched
        logged = {entry.target for entry in AuditEntry.select().where(
            AuditEntry.action == "recording.deleted")}
        assert logged == set(expected)
        assert delete_expired(recordings, NOW) == []  # nothing twice
    finally:
        db.close()


def test_a_recording_that_cannot_be_deleted_stays_logged_and_the_rest_go(
        tmp_path, caplog, monkeypatch):
    from pathlib import Path

    db = open_database(tmp_path / "r.db")
    recordings = tmp_path / "recordings"
    try:
        number = OnCallNumber.create(number="+358201000003", name="Lyhyt", retention_days=7)
        for call_id in ("stuck", "goes"):
            relative = f"2026/10/{call_id}.wav"
            (recordings / relative).parent.mkdir(parents=True, exist_ok=True)
            (recordings / relative).write_bytes(b"RIFF")
            Call.create(call_id=call_id, number=number, dialled="x", caller="y",
                        arrived_at=NOW - dt.timedelta(days=30), recording=relative)
        real_unlink = Path.unlink

        def unlink(self, missing_ok=False):
            if self.name == "stuck.wav":
                raise PermissionError(13, "Permission denied", str(self))
            real_unlink(self, missing_ok=missing_ok)

        monkeypatch.setattr(Path, "unlink", unlink)

        assert delete_expired(recordings, NOW) == ["goes"]

        assert (recordings / "2026/10/stuck.wav").exists()
        assert Call.get(Call.call_id == "stuck").recording == "2026/10/stuck.wav"  # tried again
        assert not AuditEntry.select().where(AuditEntry.target == "stuck").exists()
        assert "cannot delete the recording of call stuck" in caplog.text
        assert "Permission denied" in caplog.text
        monkeypatch.setattr(Path, "unlink", real_unlink)
        assert delete_expired(recordings, NOW) == ["stuck"]
    finally:
        db.close()

