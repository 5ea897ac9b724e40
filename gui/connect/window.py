"""The connect window: pick or type an appliance, confirm its certificate, log in (or claim
an appliance that nobody has set up yet: its first admin, with the set-up code it shows).

Every step that touches the network runs through BackgroundCalls, so the window stays
responsive; each failure is shown inline with the way on (Try again, Back), never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDateTime, QEvent, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.appliances.discovery import ApplianceBrowser, FoundAppliance
from paivystys.gui.appliances.store import ApplianceStore, KnownAppliance
from paivystys.gui.connect.dialogs import (
    CertificateChangedDialog,
    FingerprintDialog,
    fingerprint_label,
    grouped_fingerprint,
    heading_label,
)
from paivystys.gui.i18n.language import LanguageSelector
from paivystys.gui.net.address import ApplianceAddress, InvalidAddress, parse_address
from paivystys.gui.net.client import (
    ApiFailure,
    ApplianceClient,
    FailureKind,
    Session,
    probe_fingerprint,
)
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.failures import describe, error_label, try_again_button
from paivystys.gui.widgets.fields import FieldForm

ADDRESS_ROLE = Qt.ItemDataRole.UserRole
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


class ConnectWindow(QWidget):
    """Emits `logged_in(Session)` once a user is logged in to a pinned appliance."""

    logged_in = Signal(object)

    def __init__(self, store: ApplianceStore, browser: ApplianceBrowser | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.calls = BackgroundCalls(self)
        self._browser = browser
        self._address: ApplianceAddress | None = None
        self._name = ""
        self._appliance: KnownAppliance | None = None
        self._client: ApplianceClient | None = None
        self._retry: Callable[[], None] | None = None
        self._browsing = False
        self.setWindowTitle(self.tr("Päivystysvaihde – connect"))
        self.resize(620, 500)

        self.pages = QStackedWidget()
        self.choose_page = self._build_choose_page()
        self.login_page = self._build_login_page()
        self.claim_page = self._build_claim_page()
        self.pages.addWidget(self.choose_page)
        self.pages.addWidget(self.login_page)
        self.pages.addWidget(self.claim_page)
        self.language_selector = LanguageSelector()
        language_row = QHBoxLayout()
        language_row.addStretch(1)
        language_row.addWidget(self.language_selector)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.pages)
        layout.addLayout(language_row)

        self._list_known()
        last = store.last_used()
        if last is not None:
            self.address_field.setText(last.url)
        if browser is not None:
            browser.found.connect(self._add_found, Qt.ConnectionType.QueuedConnection)
            browser.lost.connect(self._remove_found, Qt.ConnectionType.QueuedConnection)
            browser.setParent(self)

    # --- building ----------------------------------------------------------------------

    def _build_choose_page(self) -> QWidget:
        page = QWidget()
        self.appliance_list = QListWidget()
        self.appliance_list.setAlternatingRowColors(True)
        self.appliance_list.setSpacing(2)
        self.appliance_list.currentItemChanged.connect(self._choose_item)
        self.appliance_list.itemActivated.connect(lambda _item: self.connect_to_address())
        self.address_field = QLineEdit()
        self.address_field.setPlaceholderText(self.tr("e.g. 192.168.1.20 or vaihde.local"))
        self.address_field.returnPressed.connect(self.connect_to_address)
        self.connect_button = QPushButton(self.tr("Connect"))
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_to_address)
        self.connect_status = QLabel()
        self.connect_status.setVisible(False)
        self.connect_error = error_label()
        self.connect_retry = try_again_button(self.tr("Try again"))
        self.connect_retry.clicked.connect(self._try_again)

        address_row = QHBoxLayout()
        address_row.addWidget(self.address_field, 1)
        address_row.addWidget(self.connect_button)
        error_row = QHBoxLayout()
        error_row.addWidget(self.connect_error, 1)
        error_row.addWidget(self.connect_retry, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(heading_label(self.tr("Connect to a switchboard")))
        layout.addWidget(QLabel(self.tr(
            "Switchboards found on this network and ones used before:")))
        layout.addWidget(self.appliance_list, 1)
        layout.addWidget(QLabel(self.tr("Or type its address:")))
        layout.addLayout(address_row)
        layout.addWidget(self.connect_status)
        layout.addLayout(error_row)
        return page

    def _build_login_page(self) -> QWidget:
        page = QWidget()
        self.login_heading = heading_label("")
        self.login_detail = QLabel()
        self.login_detail.setStyleSheet("QLabel { color: palette(dark); }")
        self.username_field = QLineEdit()
        self.username_field.setMinimumWidth(260)
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.returnPressed.connect(self.log_in)
        self.login_button = QPushButton(self.tr("Log in"))
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.log_in)
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.clicked.connect(self._back_to_choosing)
        self.login_error = error_label()
        self.login_retry = try_again_button(self.tr("Try again"))
        self.login_retry.clicked.connect(self._try_again)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("Username:"), self.username_field)
        form.addRow(self.tr("Password:"), self.password_field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.login_retry)
        buttons.addWidget(self.login_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.login_heading)
        layout.addWidget(self.login_detail)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.login_error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _build_claim_page(self) -> QWidget:
        page = QWidget()
        self.claim_heading = heading_label("")
        intro = QLabel(self.tr(
            "Nobody has set up this switchboard yet. Its screen (or <b>paivystys status</b> on "
            "it) shows a one-time set-up code: with it you become the switchboard's first "
            "admin, who can then add the other users."))
        intro.setWordWrap(True)
        self.code_field = QLineEdit()
        self.code_field.setMaxLength(64)
        self.code_field.setPlaceholderText(self.tr("e.g. 7KQ2-M9XD-3FRT-HB8W"))
        self.code_field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.claim_fingerprint = fingerprint_label("", "claim_fingerprint")
        self.admin_name_field = QLineEdit()
        self.admin_name_field.setMaxLength(64)
        self.admin_name_field.setPlaceholderText(self.tr("e.g. toimisto"))
        self.admin_password_field = QLineEdit()
        self.admin_password_again_field = QLineEdit()
        for field in (self.admin_password_field, self.admin_password_again_field):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMaxLength(256)
        self.admin_password_again_field.returnPressed.connect(self.claim)
        self.claim_button = QPushButton(self.tr("Claim this switchboard"))
        self.claim_button.setDefault(True)
        self.claim_button.clicked.connect(self.claim)
        self.claim_back_button = QPushButton(self.tr("Back"))
        self.claim_back_button.clicked.connect(self._back_to_choosing)

        self.claim_form = FieldForm()
        form = self.claim_form
        form.add_row(self.tr("Set-up code:"), self.code_field, "code")
        form.add_row(self.tr("Admin's username:"), self.admin_name_field, "username")
        form.add_row(self.tr("Password:"), self.admin_password_field, "password",
                     hint=self.tr("At least 10 characters, and not easy to guess."))
        form.add_row(self.tr("Password again:"), self.admin_password_again_field,
                     "password_again")
        # The fingerprint beside its explanation, just above the set-up code (as a form row,
        # with the explanation wrapped under it, the form gave it less height than it needs).
        certificate = QHBoxLayout()
        certificate.setSpacing(14)
        certificate.addWidget(self.claim_fingerprint, 0, Qt.AlignmentFlag.AlignTop)
        explanation = QLabel(self.tr(
            "The certificate fingerprint of the switchboard this computer is talking to. It "
            "must be the same as the one the switchboard shows next to its set-up code. If it "
            "is not, do not claim: another device may be answering in its name."))
        explanation.setWordWrap(True)
        certificate.addWidget(explanation, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.claim_back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.claim_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.claim_heading)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(certificate)
        layout.addWidget(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    # --- the list ----------------------------------------------------------------------

    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        if self._browser is not None and not self._browsing:
            self._browsing = True
            self._browser.start()

    def closeEvent(self, event: QEvent) -> None:
        if self._browser is not None:
            self._browser.stop()
        if self._client is not None:
            self._client.close()
        super().closeEvent(event)

    def _list_known(self) -> None:
        for appliance in self.store.known():
            detail = (self.tr("used before as {user}").format(user=appliance.last_username)
                      if appliance.last_username else self.tr("used before"))
            self._add_item(appliance.name, appliance.url, detail)

    def _add_item(self, name: str, address: str, detail: str) -> None:
        for row in range(self.appliance_list.count()):
            item = self.appliance_list.item(row)
            if item.data(NAME_ROLE) == name or item.data(ADDRESS_ROLE) == address:
                item.setText(f"{name}\n{address} · {detail}")
                return
        item = QListWidgetItem(f"{name}\n{address} · {detail}")
        item.setData(ADDRESS_ROLE, address)
        item.setData(NAME_ROLE, name)
        self.appliance_list.addItem(item)

    def _add_found(self, found: FoundAppliance) -> None:
        try:
            url = parse_address(found.address_text).url
        except InvalidAddress:
            return
        known = self.store.find(url)
        detail = self.tr("on this network")
        if known is not None:
            detail = self.tr("on this network, used before")
        self._add_item(found.name, url, detail)

    def _remove_found(self, name: str) -> None:
        for row in range(self.appliance_list.count()):
            item = self.appliance_list.item(row)
            if item.data(NAME_ROLE) == name and self.store.find(item.data(ADDRESS_ROLE)) is None:
                self.appliance_list.takeItem(row)
                return

    def _choose_item(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.address_field.setText(item.data(ADDRESS_ROLE))

    # --- connecting --------------------------------------------------------------------

    def connect_to_address(self) -> None:
        """Probe the typed (or chosen) address for its certificate; the rest follows."""
        self._hide_error(self.connect_error, self.connect_retry)
        try:
            address = parse_address(self.address_field.text())
        except InvalidAddress:
            self._show_error(self.connect_error, self.connect_retry, self.tr(
                "That is not an address. Type e.g. 192.168.1.20, vaihde.local or "
                "https://vaihde.local:8443."), retry=None)
            return
        self._address = address
        item = self.appliance_list.currentItem()
        chosen = item is not None and item.data(ADDRESS_ROLE) == address.url
        known = self.store.find(address.url)
        self._name = (item.data(NAME_ROLE) if chosen else known.name if known else address.host)
        self._set_busy(self.tr("Connecting to {address}…").format(address=address.url))
        self.calls.run(lambda: probe_fingerprint(address), self._got_fingerprint,
                       self._connect_failed)

    def _got_fingerprint(self, fingerprint: str) -> None:
        self._set_busy(None)
        assert self._address is not None
        url = self._address.url
        known = self.store.find(url)
        if known is not None and known.fingerprint == fingerprint:
            self._continue_with(known)
        elif known is not None:
            dialog = CertificateChangedDialog(known.name, known.fingerprint, fingerprint, self)
            dialog.accepted.connect(lambda: self._trust(known.name, url, fingerprint))
            dialog.rejected.connect(lambda: self._show_error(
                self.connect_error, self.connect_retry,
                self.tr("Not connected: the certificate of {name} has changed.").format(
                    name=known.name), retry=None))
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
        else:
            dialog = FingerprintDialog(self._name, fingerprint, self)
            dialog.accepted.connect(lambda: self._trust(self._name, url, fingerprint))
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()

    def _trust(self, name: str, url: str, fingerprint: str) -> None:
        self._continue_with(self.store.pin(name, url, fingerprint))

    def _continue_with(self, appliance: KnownAppliance) -> None:
        """Offer the claim if nobody has set the appliance up yet; else resume with the
        keyring's token if it is still valid, else ask for a login."""
        client, token = self._use(appliance)
        self._set_busy(self.tr("Connecting to {address}…").format(address=appliance.url))

        def claimed_or_not(claimed: bool) -> None:
            if not claimed:
                self._show_claim()
            else:
                self._resume(appliance, client, token)

        self.calls.run(client.is_claimed, claimed_or_not, self._connect_failed)

    def _use(self, appliance: KnownAppliance) -> tuple[ApplianceClient, str | None]:
        """A client of `appliance` (instead of any other), with the keyring's token if any."""
        if self._client is not None:
            self._client.close()
        self._appliance = appliance
        token = self.store.token(appliance.url, appliance.last_username)
        self._client = ApplianceClient(appliance.url, appliance.fingerprint, token)
        return self._client, token

    def _resume(self, appliance: KnownAppliance, client: ApplianceClient,
                token: str | None) -> None:
        if token is None:
            self._show_login()
            return

        def resume() -> Session:
            me = client.get("/api/me")
            return Session(appliance.url, appliance.fingerprint, token, me["username"],
                           me["role"], "")

        def not_resumed(failure: ApiFailure) -> None:
            self._set_busy(None)
            if failure.kind is FailureKind.UNAUTHORIZED:
                self.store.forget_token(appliance.url, appliance.last_username)
                client.token = None
                self._show_login()
            else:
                self._connect_failed(failure)

        self.calls.run(resume, self._logged_in, not_resumed)

    def _connect_failed(self, failure: ApiFailure) -> None:
        self._set_busy(None)
        self.pages.setCurrentWidget(self.choose_page)
        retry = self.connect_to_address if failure.kind is FailureKind.UNREACHABLE else None
        self._show_error(self.connect_error, self.connect_retry, describe(failure), retry)

    # --- logging in --------------------------------------------------------------------

    def _show_login(self, reason: str | None = None) -> None:
        assert self._appliance is not None
        self._set_busy(None)
        self._hide_error(self.login_error, self.login_retry)
        if reason:
            self._show_error(self.login_error, self.login_retry, reason, retry=None)
        self.login_heading.setText(self.tr("Log in to {name}").format(name=self._appliance.name))
        self.login_detail.setText(self._appliance.url)
        self.username_field.setText(self._appliance.last_username)
        self.password_field.clear()
        self.pages.setCurrentWidget(self.login_page)
        (self.password_field if self._appliance.last_username else self.username_field).setFocus()

    def log_in(self) -> None:
        assert self._client is not None
        username = self.username_field.text().strip().lower()
        password = self.password_field.text()
        self._hide_error(self.login_error, self.login_retry)
        if not username or not password:
            self._show_error(self.login_error, self.login_retry,
                             self.tr("Type your username and password."), retry=None)
            return
        client = self._client
        self._set_busy(self.tr("Logging in…"))
        self.calls.run(lambda: client.login(username, password), self._logged_in,
                       self._login_failed)

    def _login_failed(self, failure: ApiFailure) -> None:
        self._set_busy(None)
        retry = self.log_in if failure.kind is FailureKind.UNREACHABLE else None
        if failure.kind is FailureKind.TLS_MISMATCH:
            # Back to the start, where connecting again shows the certificate warning.
            self.pages.setCurrentWidget(self.choose_page)
            self._show_error(self.connect_error, self.connect_retry, describe(failure), None)
            return
        self._show_error(self.login_error, self.login_retry, describe(failure, logging_in=True),
                         retry)
        self.password_field.selectAll()
        self.password_field.setFocus()

    def _logged_in(self, session: Session) -> None:
        assert self._appliance is not None
        self._set_busy(None)
        for field in (self.password_field, self.admin_password_field,
                      self.admin_password_again_field):
            field.clear()
        self.store.note_login(self._appliance.url, session.username)
        self.store.save_token(self._appliance.url, session.username, session.token)
        self._appliance = self.store.find(self._appliance.url)
        self.logged_in.emit(session)

    def log_in_again(self, url: str, reason: str) -> None:
        """After the appliance ended a session: its login form, saying why (`reason`)."""
        appliance = self.store.find(url)
        if appliance is None:  # forgotten meanwhile: start from choosing
            self.pages.setCurrentWidget(self.choose_page)
            self._show_error(self.connect_error, self.connect_retry, reason, retry=None)
            return
        self.address_field.setText(url)
        self._use(appliance)  # its token is forgotten, and it has its admin: to the form
        self._show_login(reason)

    # --- claiming -------------------------------------------------------------------------

    def _show_claim(self) -> None:
        assert self._appliance is not None
        self._set_busy(None)
        self.claim_form.clear_errors()
        self.claim_heading.setText(self.tr("Claim {name}").format(name=self._appliance.name))
        self.claim_fingerprint.setText(grouped_fingerprint(self._appliance.fingerprint))
        self.pages.setCurrentWidget(self.claim_page)
        self._fit_claim_page()
        self.code_field.setFocus()

    def claim(self) -> None:
        """Become the appliance's first admin with its set-up code; logged in as that admin."""
        assert self._client is not None
        self.claim_form.clear_errors()
        problem = self._claim_form_problem()
        if problem is not None:
            self.claim_form.show_field_error(*problem)
            self._fit_claim_page()
            return
        client = self._client
        code = self.code_field.text().strip()
        username = self.admin_name_field.text().strip().lower()
        password = self.admin_password_field.text()
        self._set_busy(self.tr("Claiming…"))
        self.calls.run(lambda: client.claim(code, username, password), self._logged_in,
                       self._claim_failed)

    def _claim_form_problem(self) -> tuple[str, str] | None:
        """What the form lacks before it is worth sending: (field, what to do)."""
        if not self.code_field.text().strip():
            return "code", self.tr("Type the set-up code the switchboard shows.")
        if not self.admin_name_field.text().strip():
            return "username", self.tr("Choose a username for the admin, e.g. toimisto.")
        if not self.admin_password_field.text():
            return "password", self.tr("Choose a password for the admin.")
        if self.admin_password_field.text() != self.admin_password_again_field.text():
            return "password_again", self.tr(
                "The two passwords differ: type the same password twice.")
        return None

    def _fit_claim_page(self) -> None:
        """Grow the window by what the claim page lacks to show its wrapped texts and errors
        whole: the stacked pages do not pass the height they need for their width up."""
        layout = self.claim_page.layout()
        layout.activate()
        lacking = layout.totalHeightForWidth(self.claim_page.width()) - self.claim_page.height()
        if lacking > 0:
            self.resize(self.width(), self.height() + lacking)

    def _claim_failed(self, failure: ApiFailure) -> None:
        self._set_busy(None)
        if failure.kind is FailureKind.TLS_MISMATCH:
            self.pages.setCurrentWidget(self.choose_page)
            self._show_error(self.connect_error, self.connect_retry, describe(failure), None)
        elif failure.kind is FailureKind.LOCKED:
            until = QDateTime.currentDateTime().addSecs(failure.retry_after or 0)
            self.claim_form.show_field_error("code", self.tr(
                "Too many wrong set-up codes from this computer: try again at {time}.").format(
                time=until.toString("HH:mm")))
        else:
            self.claim_form.show_failure(failure)
        self._fit_claim_page()

    @property
    def appliance_name(self) -> str:
        return self._appliance.name if self._appliance else ""

    # --- state -------------------------------------------------------------------------

    def _back_to_choosing(self) -> None:
        self._hide_error(self.login_error, self.login_retry)
        self.pages.setCurrentWidget(self.choose_page)

    def _set_busy(self, message: str | None) -> None:
        """Show what is happening and disable what would start a second attempt."""
        busy = message is not None
        self.connect_status.setText(message or "")
        self.connect_status.setVisible(busy and self.pages.currentWidget() is self.choose_page)
        for widget in (self.connect_button, self.login_button, self.back_button,
                       self.connect_retry, self.login_retry, self.claim_button,
                       self.claim_back_button):
            widget.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _show_error(self, label: QLabel, retry_button: QPushButton, message: str,
                    retry: Callable[[], None] | None) -> None:
        label.setText(message)
        label.setVisible(True)
        self._retry = retry
        retry_button.setVisible(retry is not None)

    def _hide_error(self, label: QLabel, retry_button: QPushButton) -> None:
        label.setVisible(False)
        retry_button.setVisible(False)
        self._retry = None

    def _try_again(self) -> None:
        if self._retry is not None:
            self._retry()
