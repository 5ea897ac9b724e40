"""The logged-in person's recordings as the API lists them, newest first, as a table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale

from paivystys.gui.calllog.model import api_time
from paivystys.gui.formatting import format_caller, format_datetime, format_duration
from paivystys.gui.widgets.table import NUMBER_ALIGNMENT, Column, ColumnsModel

Recording = dict[str, Any]  # the API's item


class RecordingsModel(ColumnsModel[Recording]):
    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.locale = locale = locale if locale is not None else QLocale()

        def talk_text(recording: Recording) -> str:
            talk = recording["talk_s"]
            return "" if talk is None else format_duration(talk, locale)

        self.columns = [
            Column(self.tr("Time"), lambda recording: format_datetime(
                api_time(recording["arrived_at"]), locale)),
            Column(self.tr("Caller"), lambda recording: format_caller(recording["caller"], locale)),
            Column(self.tr("Duration"), talk_text, alignment=NUMBER_ALIGNMENT),
            Column(self.tr("On-call number"), lambda recording: recording["number_name"] or ""),
        ]
