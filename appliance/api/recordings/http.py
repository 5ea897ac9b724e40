"""A person lists and plays the recordings of the calls they answered.  Anybody else's, a
missing one and a made-up id all answer 404; an admin's own list is empty unless the admin
is also an on-call person."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel

from paivystys.appliance.api.context import Config, CurrentUser, Id
from paivystys.appliance.recordings.access import RecordingGone, own_recordings, recording_file

router = APIRouter(prefix="/api/recordings", tags=["recordings"], responses={401: {}})


class RecordingOut(BaseModel):
    call_id: int
    arrived_at: str
    number_name: str | None
    caller: str
    talk_s: float | None
    url: str


def _iso(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.isoformat(timespec="seconds")


@router.get("", response_model=list[RecordingOut])
def list_recordings(user: CurrentUser) -> list[RecordingOut]:
    return [RecordingOut(call_id=call.id, arrived_at=_iso(call.arrived_at),
                         number_name=call.number.name if call.number_id else None,
                         caller=call.caller, talk_s=call.talk_s,
                         url=f"/api/recordings/{call.id}")
            for call in own_recordings(user.person_id)]


@router.get("/{call_id}", response_class=FileResponse,
            responses={200: {"content": {"audio/wav": {}}}, 206: {"description": "a range"},
                       404: {}, 410: {"description": "the file is gone"}})
def get_recording(call_id: Id, user: CurrentUser, config: Config) -> FileResponse:
    if config.recordings_dir is None:
        raise HTTPException(404, "no such recording")
    try:
        path = recording_file(call_id, user.person_id, config.recordings_dir)
    except RecordingGone as gone:
        raise HTTPException(410, str(gone)) from None
    if path is None:
        raise HTTPException(404, "no such recording")
    # Starlette answers Range requests (206) itself: the console seeks without downloading.
    return FileResponse(path, media_type="audio/wav", filename=f"call-{call_id}.wav")
