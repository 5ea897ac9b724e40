"""The call log screen: filters, the calls a page at a time, the chosen call's legs, CSV.

Everything the appliance is asked runs in the background.  A reload bumps a generation
number so that a page still on its way for the previous filters is dropped, not mixed in.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.calllog.model import CallLogModel, LegsModel, outcome_names
from paivystys.gui.formatting import format_integer
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.failures import describe, error_label
from paivystys.gui.widgets.table import table_view

PAGE_SIZE = 100
CALLER_TYPING_PAUSE_MS = 400
WITHHELD_SEARCH = "withheld"  # the API's caller filter for withheld callers
STALE_AFTER_S = 5.0  # shown again after this long, the log asks for the newest calls
PERIOD_DAYS = {"today": 0, "7_days": 7, "30_days": 30, "all": None}


@dataclass(frozen=True)
class ExportResult:
    """How an export ended: a file, or why the file could not be written."""

    path: Path
    written: int
    write_error: str | None = None


def period_start(period: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """The `since` of a time range preset: local midnight today, or so many days back."""
    days = PERIOD_DAYS[period]
    if days is None:
        return None
    now = now or dt.datetime.now().astimezone()
    if days == 0:
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - dt.timedelta(days=days)


class CallLogView(QWidget):
    """Emits `session_ended(ApiFailure)` when the appliance no longer accepts the login.

    `locale` writes the times, durations, phone numbers and counts; by default the
    application's default locale, which the console sets to the chosen language's."""

    session_ended = Signal(object)

    def __init__(self, client: ApplianceClient, page_size: int = PAGE_SIZE,
                 parent: QWidget | None = None, locale: QLocale | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.page_size = page_size
        # Not `self.locale`: that would hide QWidget.locale().
        self.display_locale = locale if locale is not None else QLocale()
        self.calls = BackgroundCalls(self)
        self.model = CallLogModel(self.display_locale)
        self.legs_model = LegsModel(self.display_locale)
        self.sort = "-arrived_at"
        self.total: int | None = None
        self._next_cursor: str | None = None
        self._generation = 0
        self._first_page_only = True  # nothing loaded with "More" that a reload would drop
        self._loaded_at = 0.0

        self.period_box = QComboBox()
        for key, label in (("today", self.tr("Today")), ("7_days", self.tr("Last 7 days")),
                           ("30_days", self.tr("Last 30 days")), ("all", self.tr("All"))):
            self.period_box.addItem(label, key)
        self.period_box.setCurrentIndex(self.period_box.findData("7_days"))
        self.period_box.currentIndexChanged.connect(self.reload)
        self.outcome_box = QComboBox()
        self.outcome_box.addItem(self.tr("All outcomes"), None)
        for outcome, label in outcome_names().items():
            self.outcome_box.addItem(label, outcome)
        self.outcome_box.currentIndexChanged.connect(self.reload)
        self.caller_field = QLineEdit()
        self.caller_field.setPlaceholderText(self.tr("Caller number, or withheld"))
        self.caller_field.setClearButtonEnabled(True)
        self.caller_field.setMaximumWidth(220)
        # Ask once the typing pauses, not for every digit.
        self._caller_pause = QTimer(self, singleShot=True, interval=CALLER_TYPING_PAUSE_MS)
        self._caller_pause.timeout.connect(self.reload)
        self.caller_field.textChanged.connect(self._caller_pause.start)
        self.caller_field.returnPressed.connect(self.reload)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_export_file)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Show the newest calls (F5)"))
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(self.reload)

        self.table = table_view(self.model)
        header = self.table.horizontalHeader()
        # Fit the columns to one page of rows, not Qt's default 1,000: every relayout asks
        # the model for each measured cell's texts, fonts and alignment, which with 2,000
        # calls loaded took 2 s (bench/console.py); one page takes a tenth of that.
        header.setResizeContentsPrecision(page_size)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self.sort_by_column)
        self.table.selectionModel().currentRowChanged.connect(self._show_legs)

        self.legs_table = table_view(self.legs_model, selectable=False)
        legs_panel = QWidget()
        legs_layout = QVBoxLayout(legs_panel)
        legs_layout.setContentsMargins(0, 6, 0, 0)
        legs_layout.addWidget(QLabel(self.tr("Whom the chosen call rang:")))
        legs_layout.addWidget(self.legs_table)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(legs_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.error = error_label()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.more_button = QPushButton(self.tr("More"))
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.load_more)

        filters = QHBoxLayout()
        filters.addWidget(self.period_box)
        filters.addWidget(self.outcome_box)
        filters.addWidget(self.caller_field)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.export_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.status, 1)
        bottom.addStretch(1)
        bottom.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the log shows the calls that came meanwhile, unless the user has
        paged further with "More" (a reload would take them back to the first page)."""
        super().showEvent(event)
        if self._first_page_only and time.monotonic() - self._loaded_at > STALE_AFTER_S:
            self.reload()

    # --- asking ------------------------------------------------------------------------

    def filter_params(self) -> dict[str, Any]:
        """The API parameters of the chosen filters and sort (shared by list and CSV)."""
        params: dict[str, Any] = {"sort": self.sort}
        since = period_start(self.period_box.currentData())
        if since is not None:
            params["since"] = since.isoformat()
        if self.outcome_box.currentData() is not None:
            params["outcome"] = self.outcome_box.currentData()
        caller = self.caller_field.text().strip()
        if caller.casefold() in {WITHHELD_SEARCH, self.tr("withheld").casefold()}:
            params["caller"] = WITHHELD_SEARCH  # the API's word, in any language of ours
        elif caller:
            params["caller"] = caller
        return params

    def reload(self) -> None:
        """The first page for the current filters, with the count of all matching calls."""
        self._caller_pause.stop()
        self._generation += 1
        generation = self._generation
        params = {**self.filter_params(), "limit": self.page_size, "with_total": True}
        self.more_button.setEnabled(False)
        self._set_status(self.tr("Loading…"))
        self.calls.run(lambda: self.client.get("/api/calls", **params),
                       lambda page: self._got_page(generation, page, first=True),
                       lambda failure: self._failed(generation, failure))

    def load_more(self) -> None:
        """The next page, after the last call shown (the server's cursor, not an offset)."""
        if self._next_cursor is None:
            return
        generation = self._generation
        params = {**self.filter_params(), "limit": self.page_size, "cursor": self._next_cursor}
        self.more_button.setEnabled(False)
        self._set_status(self.tr("Loading…"))
        self.calls.run(lambda: self.client.get("/api/calls", **params),
                       lambda page: self._got_page(generation, page, first=False),
                       lambda failure: self._failed(generation, failure))

    def sort_by_column(self, column: int) -> None:
        """Clicking a sortable header sorts on the server (all calls, not just the loaded
        ones); clicking it again sorts the other way round."""
        field = self.model.columns[column].sort_field
        header = self.table.horizontalHeader()
        if field is None:  # the server cannot sort by it: keep the indicator where it was
            current = self.sort.removeprefix("-")
            shown = next(i for i, c in enumerate(self.model.columns) if c.sort_field == current)
            header.setSortIndicator(shown, self._order())
            return
        if self.sort.removeprefix("-") == field:
            self.sort = field if self.sort.startswith("-") else f"-{field}"
        else:
            self.sort = field  # a new column: ascending first, as Qt's own headers do
        header.setSortIndicator(column, self._order())
        self.reload()

    def _order(self) -> Qt.SortOrder:
        return (Qt.SortOrder.DescendingOrder if self.sort.startswith("-")
                else Qt.SortOrder.AscendingOrder)

    # --- answers -----------------------------------------------------------------------

    def _got_page(self, generation: int, page: dict[str, Any], first: bool) -> None:
        if generation != self._generation:
            return
        self.error.setVisible(False)
        self._first_page_only = first
        self._loaded_at = time.monotonic()
        if first:
            self.total = page["total"]
            self.model.replace_rows(page["items"])
            self.legs_model.replace_rows([])
        else:
            self.model.append_rows(page["items"])
        self._next_cursor = page["next_cursor"]
        self.more_button.setEnabled(self._next_cursor is not None)
        self._set_status("")
        self.count_label.setText(self.tr("{shown} of {total} calls").format(
            shown=format_integer(self.model.rowCount(), self.display_locale),
            total=format_integer(self.total, self.display_locale)))

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

    def _show_legs(self, current: QModelIndex, _previous: QModelIndex) -> None:
        call = self.model.rows[current.row()] if current.isValid() else None
        self.legs_model.replace_rows(call["legs"] if call else [])

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # --- export ------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export calls"), str(Path.home() / "puhelut.csv"),
            self.tr("CSV files (*.csv)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Download every call matching the filters into `path`, streamed in the background;
        a failed download leaves no half-written file behind."""
        params = self.filter_params()
        client = self.client

        def export() -> ExportResult:
            try:
                with path.open("wb") as target:
                    written = client.download("/api/calls.csv", target, **params)
            except ApiFailure:
                path.unlink(missing_ok=True)
                raise
            except OSError as error:
                path.unlink(missing_ok=True)
                return ExportResult(path, 0, error.strerror or str(error))
            return ExportResult(path, written)

        self.export_button.setEnabled(False)
        self._set_status(self.tr("Exporting…"))
        self.calls.run(export, self._exported, self._export_failed)

    def _exported(self, result: ExportResult) -> None:
        self.export_button.setEnabled(True)
        if result.write_error is not None:
            self._set_status("")
            self.error.setText(self.tr("Cannot write {path}: {reason}").format(
                path=result.path, reason=result.write_error))
            self.error.setVisible(True)
            return
        self.error.setVisible(False)
        self._set_status(self.tr("Saved {path}").format(path=result.path))

    def _export_failed(self, failure: ApiFailure) -> None:
        self.export_button.setEnabled(True)
        self._failed(self._generation, failure)
