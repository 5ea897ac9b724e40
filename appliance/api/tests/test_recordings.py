"""Recordings: only the person who answered the call gets the audio; anybody else, an admin
included, and any guessed id get 404.  Range requests work, so the console can seek."""

from __future__ import annotations

import datetime as dt
import wave

import pytest

from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.db.models import Call


def write_wav(path, seconds: float = 1.0) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x01\x02" * int(8000 * seconds))
    return path.read_bytes()


@pytest.fixture(scope="module")
def recorded(api: RunningApi, site: Site) -> dict[str, int]:
    """One recorded call answered by Maija, one by Pekka, one by Maija without a file."""
    ids = {}
    for name, person, relative in (("maijas", site.person_id, "2026/11/m.wav"),
                                   ("pekkas", site.other_id, "2026/11/p.wav"),
                                   ("missing", site.person_id, "2026/11/gone.wav")):
        if name != "missing":
            write_wav(api.config.recordings_dir / relative)
        call = Call.create(call_id=f"rec-{name}", number=site.number_id, dialled="x",
                           caller="+358401234567", arrived_at=dt.datetime.now(dt.UTC),
                           ended_at=dt.datetime.now(dt.UTC), answered_by=person,
                           answered_by_name=name, recording=relative, talk_s=1.0)
        ids[name] = call.id
    return ids


def test_a_person_lists_and_plays_their_own(api: RunningApi, site: Site, recorded) -> None:
    with api.client(site.person_token) as client:
        listed = client.get("/api/recordings").json()
        assert {row["call_id"] for row in listed} == {recorded["maijas"], recorded["missing"]}
        audio = client.get(f"/api/recordings/{recorded['maijas']}")
        assert audio.status_code == 200
        assert audio.headers["content-type"] == "audio/wav"
        assert audio.content.startswith(b"RIFF")
        part = client.get(f"/api/recordings/{recorded['maijas']}",
                          headers={"Range": "bytes=44-143"})
        assert part.status_code == 206
        assert part.content == audio.content[44:144]
        # A call's voice is personal data: no cache keeps it, ranges work all the same.
        assert audio.headers["cache-control"] == part.headers["cache-control"] == "no-store"
        assert part.headers["x-content-type-options"] == "nosniff"
        assert client.get(f"/api/recordings/{recorded['missing']}").status_code == 410


def test_nobody_else_gets_it_not_even_an_admin(api: RunningApi, site: Site, recorded) -> None:
    maijas = f"/api/recordings/{recorded['maijas']}"
    with api.client(site.other_token) as pekka:
        assert pekka.get(maijas).status_code == 404
        assert {row["call_id"] for row in pekka.get("/api/recordings").json()} == {
            recorded["pekkas"]}
    with api.client(site.admin_token) as admin:
        assert admin.get(maijas).status_code == 404
        assert admin.get("/api/recordings").json() == []
    with api.client() as anonymous:
        assert anonymous.get(maijas).status_code == 401


def test_guessed_ids_look_like_nothing_is_there(api: RunningApi, site: Site, recorded) -> None:
    with api.client(site.other_token) as pekka:
        assert pekka.get("/api/recordings/0").status_code == 422  # not an id at all
        for guess in (recorded["maijas"] - 1, recorded["maijas"] + 1, recorded["maijas"],
                      999999, 2**53):
            answer = pekka.get(f"/api/recordings/{guess}")
            if guess == recorded["pekkas"] or guess < 1:
                continue
            assert answer.status_code == 404, guess
            assert answer.json() == {"detail": "no such recording"}
