"""The listening line's calls: people who phoned in to hear their recordings, apart from the
on-call calls (nobody was rung, nothing was missed).  Each call shows when, from where, whom
the line identified and how it ended; the chosen call's recordings played or deleted below.

The appliance shows an admin every listening call and an on-call person their own.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from paivystys.gui.calllog.model import api_time
from paivystys.gui.formatting import format_caller, format_datetime, format_integer, format_time
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.failures import describe, error_label
from paivystys.gui.widgets.table import Column, ColumnsModel, table_view

PAGE_SIZE = 100
STALE_AFTER_S = 5.0  # shown again after this long, the log asks for the newest calls

ListeningCall = dict[str, Any]  # the API's item: a listening call, or one of its events


def listening_outcome_names() -> dict[str, str]:
    """The API's listening-call outcomes in the UI language (written out as `translate`
    calls so that pyside6-lupdate finds them)."""
    return {
        "listened": QCoreApplication.translate("ListeningLog", "listened"),
        "refused": QCoreApplication.translate("ListeningLog", "refused (PIN, lock or "
                                                              "personal number)"),
        "no-pin": QCoreApplication.translate("ListeningLog", "no PIN set"),
        "hung-up": QCoreApplication.translate("ListeningLog", "hung up before the PIN"),
    }


def listening_action_names() -> dict[str, str]:
    return {
        "played": QCoreApplication.translate("ListeningLog", "played"),
        "deleted": QCoreApplication.translate("ListeningLog", "deleted"),
    }


def recordings_summary(events: list[ListeningCall]) -> str:
    """How many recordings the call played and deleted: "2 played, 1 deleted"."""
    played = len({event["call_id"] for event in events if event["action"] == "played"})
    deleted = sum(1 for event in events if event["action"] == "deleted")
    parts = []
    if played:
        parts.append(QCoreApplication.translate("ListeningLog", "{count} played").format(
            count=played))
    if deleted:
        parts.append(QCoreApplication.translate("ListeningLog", "{count} deleted").format(
            count=deleted))
    return ", ".join(parts)


class ListeningCallsModel(ColumnsModel[ListeningCall]):
    """The listening calls loaded so far, page after page, newest first."""

    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.locale = locale = locale if locale is not None else QLocale()
        outcomes = listening_outcome_names()
        in_progress = self.tr("in progress")
        nobody = self.tr("not identified")
        tried = self.tr("{name} (not let in)")

        def who(call: ListeningCall) -> str:
            # A refused call names whose phone or personal number it tried: that person
            # did not listen.
            name = call["person_name"]
            if not name:
                return nobody
            return name if call["outcome"] in ("listened", None) else tried.format(name=name)

        def outcome_text(call: ListeningCall) -> str:
            outcome = call["outcome"]
            return in_progress if outcome is None else outcomes.get(outcome, outcome)

        self.columns = [
            Column(self.tr("Arrived"), lambda call: format_datetime(
                api_time(call["arrived_at"]), locale)),
            Column(self.tr("Caller"), lambda call: format_caller(call["caller"], locale)),
            Column(self.tr("Who listened"), who),
            Column(self.tr("Outcome"), outcome_text),
            Column(self.tr("Recordings"), lambda call: recordings_summary(call["events"])),
        ]


class ListeningEventsModel(ColumnsModel[ListeningCall]):
    """What one listening call did, in order: which recording was played or deleted."""

    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.locale = locale = locale if locale is not None else QLocale()
        actions = listening_action_names()
        gone = self.tr("no longer in the call log")

        def recording_text(event: ListeningCall) -> str:
            if event["call_arrived_at"] is None:
                return gone
            return self.tr("call of {time} from {caller}").format(
                time=format_datetime(api_time(event["call_arrived_at"]), locale),
                caller=format_caller(event["call_caller"], locale))

        self.columns = [
            Column(self.tr("Time"), lambda event: format_time(api_time(event["at"]), locale)),
            Column(self.tr("Action"),
                   lambda event: actions.get(event["action"], event["action"])),
            Column(self.tr("Recording"), recording_text),
        ]


class ListeningLogView(QWidget):
    """Emits `session_ended(ApiFailure)` when the appliance no longer accepts the login."""

    session_ended = Signal(object)

    def __init__(self, client: ApplianceClient, page_size: int = PAGE_SIZE,
                 parent: QWidget | None = None, locale: QLocale | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.page_size = page_size
        self.display_locale = locale if locale is not None else QLocale()
        self.calls = BackgroundCalls(self)
        self.model = ListeningCallsModel(self.display_locale)
        self.events_model = ListeningEventsModel(self.display_locale)
        self.total: int | None = None
        self._next_cursor: str | None = None
        self._generation = 0
        self._first_page_only = True
        self._loaded_at = 0.0

        explanation = QLabel(self.tr("Calls to the listening line, where people hear their "
                                     "own recordings by phone."))
        explanation.setWordWrap(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Show the newest calls (F5)"))
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(self.reload)

        self.table = table_view(self.model)
        self.table.horizontalHeader().setResizeContentsPrecision(page_size)
        self.table.selectionModel().currentRowChanged.connect(self._show_events)
        self.events_table = table_view(self.events_model, selectable=False)
        events_panel = QWidget()
        events_layout = QVBoxLayout(events_panel)
        events_layout.setContentsMargins(0, 6, 0, 0)
        events_layout.addWidget(QLabel(self.tr("Recordings the chosen call played or "
                                               "deleted:")))
        events_layout.addWidget(self.events_table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(events_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.error = error_label()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.more_button = QPushButton(self.tr("More"))
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.load_more)

        top = QHBoxLayout()
        top.addWidget(explanation, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.status, 1)
        bottom.addStretch(1)
        bottom.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back shows the calls that came meanwhile, unless the user has paged
        further with "More"."""
        super().showEvent(event)
        if self._first_page_only and time.monotonic() - self._loaded_at > STALE_AFTER_S:
            self.reload()

    def reload(self) -> None:
        """The first page, with the count of every listening call the login sees."""
        self._generation += 1
        self._ask({"limit": self.page_size, "with_total": True}, first=True)

    def load_more(self) -> None:
        """The next page, after the last call shown (the server's cursor)."""
        if self._next_cursor is not None:
            self._ask({"limit": self.page_size, "cursor": self._next_cursor}, first=False)

    def _ask(self, params: dict[str, Any], first: bool) -> None:
        generation = self._generation
        self.more_button.setEnabled(False)
        self._set_status(self.tr("Loading…"))
        self.calls.run(lambda: self.client.get("/api/listening-calls", **params),
                       lambda page: self._got_page(generation, page, first),
                       lambda failure: self._failed(generation, failure))

    def _got_page(self, generation: int, page: dict[str, Any], first: bool) -> None:
        if generation != self._generation:
            return
        self.error.setVisible(False)
        self._first_page_only = first
        self._loaded_at = time.monotonic()
        if first:
            self.total = page["total"]
            self.model.replace_rows(page["items"])
            self.events_model.replace_rows([])
        else:
            self.model.append_rows(page["items"])
        self._next_cursor = page["next_cursor"]
        self.more_button.setEnabled(self._next_cursor is not None)
        self._set_status("")
        self.count_label.setText(self.tr("{shown} of {total} calls").format(
            shown=format_integer(self.model.rowCount(), self.display_locale),
            total=format_integer(self.total or 0, self.display_locale)))

    def _failed(self, generation: int, failure: ApiFailure) -> None:
        if generation != self._generation:
            return
        self._set_status("")
        self.more_button.setEnabled(self._next_cursor is not None)
        if failure.kind is FailureKind.UNAUTHORIZED:
            self.session_ended.emit(failure)
            return
        self.error.setText(describe(failure))
        self.error.setVisible(True)

    def _show_events(self, current: QModelIndex, _previous: QModelIndex) -> None:
        call = self.model.rows[current.row()] if current.isValid() else None
        self.events_model.replace_rows(call["events"] if call else [])

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
