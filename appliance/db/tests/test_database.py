import sqlite3

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import OnCallNumber, Person


def test_a_database_from_an_older_version_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        # person and on_call_number as the first release wrote them
        old.executescript("""
            CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL,
                phone VARCHAR(255) NOT NULL UNIQUE, on_duty INTEGER NOT NULL,
                wants_sms INTEGER NOT NULL, created_at DATETIME NOT NULL);
            INSERT INTO person VALUES (1, 'Aino', '+358401111111', 1, 1, '2026-01-01 00:00:00');
            CREATE TABLE on_call_number (id INTEGER PRIMARY KEY, number VARCHAR(255) NOT NULL,
                name VARCHAR(255) NOT NULL, backup_group_id INTEGER, recording INTEGER NOT NULL,
                retention_days INTEGER NOT NULL, created_at DATETIME NOT NULL);
            INSERT INTO on_call_number VALUES (1, '+358912345', 'Huolto', NULL, 0, 90,
                '2026-01-01 00:00:00');
        """)
    db = open_database(path)
    try:
        person = Person.get_by_id(1)
        assert (person.name, person.public_phone) == ("Aino", None)
        number = OnCallNumber.get_by_id(1)
        assert (number.sms_on_taken, number.sms_to_caller, number.sms_on_missed) == (
            True, True, True)
        person.public_phone = "+358401111112"
        person.save()
    finally:
        db.close()
    db = open_database(path)  # a second open changes nothing
    try:
        assert Person.get_by_id(1).public_phone == "+358401111112"
    finally:
        db.close()
