"""The authorization matrix: every event handler and every HTTP route, called as every kind of
user, against one firm's data; nobody gets in where they do not belong.

How it works:

* **Discovery.** The handlers come from the app itself (every substate of ``rx.State``, each
  class's ``event_handlers``), the routes from ``portal.api.build_api()`` plus Reflex's upload
  endpoint and the request-link gate. A handler or route without a line in :data:`HANDLERS` or
  :data:`ROUTES` fails :func:`test_every_handler_and_route_has_a_line`, so a new one cannot be
  forgotten. Adding one is one line: ``"State.handler": c(WHO, "marks", arg=value)``.
* **Actors.** Real sessions opened through the services in one seeded database: anonymous,
  admin, the assigned accountant, an accountant of another client, a contact with full access,
  one with limited access, a contact of the other client, the holder of an upload request link
  (no session; the link in their tab) and a session opened by an emailed talk link.
* **Hostile calls.** Every call aims at client Alpha's private objects (the ids come from the
  seed), and the tab is prefilled with those ids (:data:`TAB`) as if the browser had got them
  there: the services must decide, never an id the state holds.
* **Outcome.** A read (a line with marks) *reaches* its target when one of the target's private
  strings (:data:`MARKS`) is in the tab's state or in what the handler sent back; a write (a
  line without) when rows or stored files changed; either when a download was offered. Who may
  reach it is declared per line; for everyone else nothing may change (rows and files; the seed
  is restored after any change) and nothing may show. On top, after *every* call, every private
  string found must be one the actor may see (:data:`MARKS` visibility), whatever the line says,
  and nothing may fail otherwise than with a refusal (AccessDenied/NotFound, a UserError).
* **Routes** go through Starlette's TestClient with the actor's cookie; a refusal is a 4xx or a
  redirect, never a 5xx.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import datetime as dt
import hashlib
import inspect
import io
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import reflex as rx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from reflex.istate.data import RouterData
from reflex.state import State
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import _prepare_event_payload
from reflex_base.registry import RegistrationContext
from reflex_components_core.core._upload import UploadChunk, UploadChunkIterator
from sqlalchemy import text
from sqlmodel import select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

import portal.portal as portal_app
from portal import routes
from portal.api import build_api
from portal.api import push as push_api
from portal.api import upload_links
from portal.domain import push as push_domain
from portal.domain.actor import Actor
from portal.domain.enums import Role, SubjectKind
from portal.domain.errors import UserError
from portal.domain.tokens import hash_token
from portal.models import (
    AccountContact,
    Booking,
    ClientAccount,
    Contact,
    Document,
    LoginToken,
    Message,
    Outbox,
    StaffUser,
)
from portal.services import (
    audit,
    auth,
    booking_transfer,
    clients,
    conversations,
    db,
    digests,
    documents,
    folders,
    magic_links,
    questionnaires,
    receipts,
    tasks,
    talks,
    upload_requests,
    webpush,
)
from portal.services.access import AccessDenied
from portal.settings import get_settings
from portal.state.client_info import ContactRow
from portal.state.folder_templates import EntryRow
from tests import factories

# Actors

ANON, ADMIN, ASSIGNED, UNASSIGNED = "anonymous", "admin", "assigned accountant", "unassigned accountant"
FULL, LIMITED, OTHER = "full contact", "limited contact", "other client's contact"
LINK, TALK = "upload link holder", "talk link session"
ACTORS = (ANON, ADMIN, ASSIGNED, UNASSIGNED, FULL, LIMITED, OTHER, LINK, TALK)

EVERYONE = frozenset(ACTORS)
NOONE: frozenset[str] = frozenset()  # UI-only, or only the actor's own data: nothing to reach
STAFF = frozenset({ADMIN, ASSIGNED, UNASSIGNED})
STAFF_A = frozenset({ADMIN, ASSIGNED})  # staff who work client Alpha, the target
STAFF_B = frozenset({ADMIN, UNASSIGNED})  # staff who work client Beta
PASSWORD_USERS = frozenset({ADMIN, ASSIGNED, UNASSIGNED, FULL, LIMITED, OTHER})  # a full login
SESSIONS = PASSWORD_USERS | {TALK}
PORTAL_USERS = frozenset({FULL, LIMITED, OTHER})

# Private strings of the seed, and who may ever see them (in any state, on any page).
MARKS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "a_name": (STAFF_A | {FULL, LIMITED, TALK}, ("Alphaxtreu Treuhand GmbH",)),
    "a_details": (STAFF_A, ("Geheimweg-Alpha 7",)),
    "a_bookings": (STAFF_A | {FULL}, ("Lieferant-Alphaoffen", "Lieferant-Alphaintern")),
    "a_talk": (STAFF_A | {FULL, TALK}, ("Lieferant-Alphatalk", "Frage-Alphatalk-Beleg", "Antwort-Alphatalk-Kunde",
                                        "alpha-beleg-talk.png")),
    "a_task": (STAFF_A | {FULL, TALK}, ("Aufgabe-Alphatalk-Auszug",)),
    "a_intern": (STAFF_A, ("Notiz-Alphaintern-Geheim", "alpha-intern-anhang.png")),
    "a_conversation": (STAFF_A | {FULL}, ("Betreff-Alphagespraech", "Text-Alphagespraech")),
    "a_private": (STAFF_A | {LIMITED}, ("Betreff-Alphaprivat", "Text-Alphaprivat", "Antwort-Alphaprivat",
                                        "alpha-privat-anhang.png", "Aufgabe-Alphaprivat-Ausweis")),
    "a_shared_doc": (STAFF_A | {FULL}, ("Freigabe-Alphaordner", "alpha-freigegeben.png")),
    "a_staff_doc": (STAFF_A, ("Kanzlei-Alphaintern", "alpha-kanzleiintern.png", "alpha-papierkorb.png")),
    "a_request": (STAFF_A | {LINK}, ("Bitte-Alphaupload-Belege",)),
    "a_request_token": (STAFF_A | {LINK}, ()),  # filled in by the seed
    "a_revoked_request": (STAFF_A, ("Alte-Alphaupload-Anfrage",)),
    "a_questionnaire": (STAFF_A | {FULL}, ("Fragebogen-Alphagesendet", "Frage-Alphaeins", "Datei-Alphazwei")),
    "a_export": (STAFF_A, ()),  # the export's key, filled in by the seed
    "a_protocol": (STAFF_A, ("Protokoll-Alphaeintrag",)),
    "full_private": (STAFF_A | {FULL, TALK}, ("fiona.vollalpha@example.test", "+49 30 1111 Vollalpha",
                                              "Vollalphazugang")),
    "limited_private": (STAFF_A | {LIMITED}, ("lena.teilalpha@example.test", "+49 30 2222 Teilalpha",
                                              "Teilalphazugang")),
    "pending_private": (STAFF_A, ("paula.wartealpha@example.test",)),
    "b_all": (STAFF_B | {OTHER}, ("Betaxbau KG", "Betreff-Betagespraech", "beta-dokument.png",
                                  "otto.betaandere@example.test")),
    "template": (STAFF, ("Vorlage-Kanzleimuster", "Musterfrage-Eins", "Musterfrage-Zwei")),
    "folder_template": (STAFF, ("Ordnervorlage-Kanzlei",)),
    "custom_field": (STAFF, ("Feld-Kanzleiintern",)),
    "push_full": (frozenset({FULL}), ("Geraet-Vollalpha",)),
    "push_assigned": (frozenset({ASSIGNED}), ("Geraet-Buchhaltung-Alpha",)),
}


# References into the seed, resolved per call


@dataclasses.dataclass(frozen=True)
class Ref:
    """A value of the seed, by attribute name (``str`` for a select's string value)."""

    name: str
    as_str: bool = False

    @property
    def s(self) -> Ref:
        return Ref(self.name, as_str=True)

    def get(self, seed: Seed) -> Any:
        value = getattr(seed, self.name)
        return str(value) if self.as_str else value


class _Refs:
    def __getattr__(self, name: str) -> Ref:
        return Ref(name)


R = _Refs()


def resolve(value: Any, seed: Seed, actor: str) -> Any:
    """Refs and callables (of the seed, or of the seed and the actor) replaced by their values."""
    if isinstance(value, Ref):
        return value.get(seed)
    if callable(value) and not isinstance(value, type):
        wants_actor = len(inspect.signature(value).parameters) == 2
        return value(seed, actor) if wants_actor else value(seed)
    if isinstance(value, dict):
        return {k: resolve(v, seed, actor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(v, seed, actor) for v in value)
    return value


# The matrix's lines


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile call: arguments, what it aims at (marks), and who may reach it."""

    allow: frozenset[str]
    marks: tuple[str, ...] = ()
    args: dict = dataclasses.field(default_factory=dict)
    pre: dict = dataclasses.field(default_factory=dict)  # "State.var": value, on top of TAB
    url: Any = None  # the tab's page (path and query); default: STATE_URLS
    files: tuple[tuple[str, bytes], ...] = ()  # for upload handlers


def c(allow: frozenset[str] | set[str], *marks: str, pre: dict | None = None, url: Any = None,
      files: tuple = (), **args: Any) -> Case:
    """A line of the matrix: who may reach the call's target, the target's marks, the arguments."""
    unknown = [m for m in marks if m not in MARKS]
    assert not unknown, f"unknown marks {unknown}"
    return Case(allow=frozenset(allow), marks=marks, args=args, pre=pre or {}, url=url, files=files)


def _png(color: tuple[int, int, int] = (10, 120, 90)) -> bytes:
    """A real image, so previews render."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
UPLOAD = (("hochgeladen.png", PNG),)
BOOKINGS_CSV = "Datum;Betrag;Gegenpartei;Buchungstext\r\n01.12.2026;-10,00;Importlieferant;Importtext\r\n".encode()
CLIENTS_CSV = ("Kontoname;Firmenname;Vorname;Nachname;E-Mail;Telefon;Schlagwörter;LOGIN\r\n"
               ";Import GmbH;Ina;Import;ina.import@example.test;;;nein\r\n").encode()
BODY = {"body": "Eine neue Nachricht"}


def _page(tab: str) -> Callable[[Seed], str]:
    return lambda seed: routes.staff_client(seed.a_public, tab)


def _upload_page(seed: Seed, actor: str) -> str:
    """The upload page of the link the actor holds: only the link holder has the live one."""
    return routes.upload_link(seed.request_token if actor == LINK else seed.revoked_token)


# Where each state's handlers run (the tab's URL). Staff tabs name client Alpha.
STATE_URLS: dict[str, Any] = {
    "StaffBookingsState": _page(routes.STAFF_CLIENT), "ClientDigestState": _page(routes.STAFF_CLIENT),
    "ClientAccessState": _page(routes.STAFF_CLIENT), "BookingTransferState": _page(routes.STAFF_CLIENT),
    "StaffDocumentsState": _page(routes.STAFF_CLIENT_DOCUMENTS),
    "StaffRequestsState": _page(routes.STAFF_CLIENT_REQUESTS),
    "StaffQuestionnairesState": _page(routes.STAFF_CLIENT_QUESTIONNAIRES),
    "ClientInfoState": _page(routes.STAFF_CLIENT_INFO), "ClientProtocolState": _page(routes.STAFF_CLIENT_PROTOCOL),
    "InboxState": routes.STAFF_INBOX, "StaffClientsState": routes.STAFF_CLIENTS, "NewClientState": routes.STAFF_CLIENTS,
    "ClientImportState": routes.STAFF_CLIENT_IMPORT, "QuestionnaireTemplatesState": routes.STAFF_QUESTIONNAIRES,
    "FirmSettingsState": routes.STAFF_SETTINGS, "FolderTemplatesState": routes.STAFF_SETTINGS,
    "CustomFieldsState": routes.STAFF_SETTINGS, "OutboxViewState": routes.STAFF_OUTBOX,
    "StaffProfileState": routes.STAFF_PROFILE,
    "PortalHomeState": routes.PORTAL, "ClientConversationsState": routes.PORTAL_CONVERSATIONS,
    "ThreadPanelState": routes.PORTAL_CONVERSATIONS, "TaskPanelState": routes.PORTAL_CONVERSATIONS,
    "NewConversationForm": routes.PORTAL_CONVERSATIONS, "ClientDocumentsState": routes.PORTAL_DOCUMENTS,
    "ClientQuestionnaireState": lambda seed: routes.portal_questionnaire(seed.q1_ref),
    "ProfileState": routes.PORTAL_PROFILE, "PushDevicesState": routes.PORTAL_PROFILE,
    "UploadLinkState": _upload_page,
    "LoginState": routes.LOGIN, "ResetState": routes.reset_password("kein-gueltiger-link"),
    "ActivationState": routes.activate("kein-gueltiger-link"), "SignupState": routes.SIGNUP,
}


def _info_contacts(seed: Seed) -> list[ContactRow]:
    """The Info tab's contact list as a tab that had shown Alpha would hold it."""
    return [ContactRow(id=seed.full, name="Kontakt", email="", phone="", address="", tags="", login=True,
                       notify=True, sync=False, full_access=True, state_key="", invited="", invitable=False,
                       other_accounts=0, export_url=routes.contact_export(seed.a_public, seed.full))]


def _link_token(seed: Seed, actor: str) -> str:
    return seed.request_token if actor == LINK else ""


def _session_kind(seed: Seed, actor: str) -> str:
    """What the server noted when the tab's page loaded (states pick the area by it)."""
    return "staff" if actor in STAFF else "contact" if actor in PORTAL_USERS | {TALK} else ""


# Every tab starts out aimed at Alpha's private objects, as if the browser had got it there.
TAB: dict[str, Any] = {
    "ThreadPanelState.thread_id": R.private_thread, "ThreadPanelState.is_open": True,
    "ThreadPanelState.edit_id": R.limited_msg,
    "StaffBookingsState._account_id": R.a_id, "StaffBookingsState._booking_id": R.talk_booking,
    "StaffBookingsState.thread_id": R.talk_thread, "StaffBookingsState.thread_open": True,
    "StaffBookingsState.flyout_open": True,
    "ClientPageState._account_id": R.a_id,
    "StaffDocumentsState._account_id": R.a_id, "StaffDocumentsState.folder_id": R.staff_folder,
    "ClientDocumentsState._account_id": R.a_id, "ClientDocumentsState.folder_id": R.shared_folder,
    # Browser storage, set by the browser at will (update_vars_internal).
    "ClientDocumentsState.current_account": R.a_id.s, "PortalHomeState.current_account": R.a_id.s,
    "StaffRequestsState._account_id": R.a_id, "StaffRequestsState.folder": R.shared_folder.s,
    "StaffQuestionnairesState._account_id": R.a_id, "StaffQuestionnairesState.send_template": R.template.s,
    "ClientQuestionnaireState._questionnaire_id": R.q1, "ClientQuestionnaireState.upload_question": R.q1_file,
    "TaskPanelState.upload_task_id": R.talk_task,
    "NewConversationForm.account": R.a_id.s,
    "InboxState.mine": "all",
    "StaffClientsState._remind_account": R.a_id,
    "ClientInfoState._invite_contact": R.pending, "ClientInfoState._erase_contact": R.pending,
    "ClientInfoState.erase_name": "Paula Warte", "ClientInfoState.contacts": _info_contacts,
    "NewClientState._created_id": R.a_id, "NewClientState._created_public_id": R.a_public,
    "QuestionnaireTemplatesState.selected": R.template, "QuestionnaireTemplatesState.editing": R.template_q1,
    "FolderTemplatesState.edit_id": R.folder_template, "FolderTemplatesState.edit_name": "Ordnervorlage Neu",
    "FolderTemplatesState.entries": lambda seed: [EntryRow(path="Neu", shared=False, uploads=True)],
    "UploadLinkState._token": _link_token,
    "SessionState.kind": _session_kind,
}

PICKED = {"picked": [{"name": "hochgeladen.png", "size": 120}]}
UPLOAD_UI = {"queue_files": PICKED, "upload_progress": {"progress": {"loaded": 60}},
             "cancel_upload": {"upload_id": "upload"}, "clear_uploads": {}}


def _upload_ui(state: str) -> dict[str, Case]:
    """The per-file progress handlers every upload zone shares: UI only."""
    return {f"{state}.{name}": c(NOONE, **args) for name, args in UPLOAD_UI.items()}


# One line per handler: who may reach the target (and which marks make it visible).
# Several cases on one line when a handler can aim at differently protected objects.
HANDLERS: dict[str, Case | list[Case]] = {
    # The session and public pages
    "SessionState.refresh_counter": c(NOONE),  # the actor's own counter

    # Staff: a client's protocol (audit trail)
    "ClientProtocolState.load": c(STAFF_A, "a_protocol"),
    "ClientProtocolState.refresh": c(STAFF_A, "a_protocol", pre={"ClientProtocolState._account_id": R.a_id}),
    "ClientProtocolState.set_kind": c(STAFF_A, "a_protocol", pre={"ClientProtocolState._account_id": R.a_id},
                                      value="documents"),
    # A tab that had shown Alpha's newest page and offers more: the next step is older than every row.
    "ClientProtocolState.load_more": c(STAFF_A, "a_protocol", pre={"ClientProtocolState._account_id": R.a_id,
                                                                    "ClientProtocolState.has_more": True,
                                                                    "ClientProtocolState._next_before": 10**9}),
    "ClientProtocolState.refresh_soon": c(STAFF_A, "a_protocol", pre={"ClientProtocolState._account_id": R.a_id}),
    "ClientProtocolState.open_export": c(NOONE),
    "ClientProtocolState.set_export_open": c(NOONE, is_open=True),
    "ClientProtocolState.set_since": c(NOONE, value="2026-01-01"),
    "ClientProtocolState.set_until": c(NOONE, value="2026-12-31"),
    "ClientProtocolState.download": c(NOONE, file_format="csv"),  # a link; the route checks access
    "SessionState.staff_heartbeat": c(STAFF),  # the staff user's own presence
    "SessionState.load_public": c(NOONE),
    "SessionState.logout": c(NOONE),
    "EntryState.open_root": c(NOONE),
    "EntryState.open_staff": c(NOONE),
    "LoginState.load": c(NOONE),
    "ResetState.load": c(NOONE),
    "ActivationState.load": c(NOONE),
    "SignupState.load": c(NOONE),
    "SignupState.submit": c(EVERYONE, form={"first_name": "Neu", "last_name": "Anmeldung",
                                            "email": "neu.anmeldung@example.test", "company_name": "Neu GmbH"}),

    # Staff: the clients page and a new client
    "StaffClientsState.load": c(STAFF_A, "a_name"),
    "StaffClientsState.refresh": c(STAFF_A, "a_name"),
    "StaffClientsState.set_tab": c(STAFF_A, "a_name", tab="all"),
    "StaffClientsState.set_query": c(STAFF_A, "a_name", query="xtreu"),
    "StaffClientsState.set_missing_only": c(STAFF_A, "a_name", checked=True),
    "StaffClientsState.set_sort": c(STAFF_A, "a_name", sort="desc"),
    "StaffClientsState.go_to_page": c(STAFF_A, "a_name", page=1),
    "StaffClientsState.show_details": c(STAFF_A, "a_details", account_id=R.a_id),
    "StaffClientsState.set_details_open": c(NOONE, is_open=True),
    "StaffClientsState.open_remind": c(NOONE, account_id=R.a_id, name="Mandant"),
    "StaffClientsState.set_remind_open": c(NOONE, is_open=True),
    "StaffClientsState.send_reminder": c({ADMIN}, form={"kind_missing_receipts": "on", "comment": "Bitte"}),
    "StaffClientsState.reinvite": c(STAFF_A, contact_id=R.pending),
    "NewClientState.open_dialog": c(NOONE),
    "NewClientState.set_open": c(NOONE, is_open=True),
    "NewClientState.create": [
        c(STAFF, form={"account_name": "", "company_name": "Neukunde GmbH", "first_name": "Nora",
                       "last_name": "Neu", "email": "nora.neu@example.test", "login": "on"}),
        # Linking a contact the accountant does not work: another client's person.
        c(STAFF_A, pre={"NewClientState.link_mode": True, "NewClientState.chosen_id": R.full},
          form={"company_name": "Neukunde GmbH", "login": "on", "full_access": "on"}),
    ],
    "NewClientState.send_invite": c(STAFF_A, form={"message": "Willkommen"}),
    "NewClientState.skip_invite": c(NOONE),
    "NewClientState.set_link_mode": c(NOONE, on=True),
    "NewClientState.search_contacts": c(STAFF_A, "full_private", query="vollalpha"),
    "NewClientState.choose_contact": c(NOONE, contact_id=R.full.s, label="Kontakt"),
    "NewClientState.set_kind": c(NOONE, kind="individual"),
    "ClientImportState.load": c(NOONE),
    "ClientImportState.set_invite": c(NOONE, value=True),
    "ClientImportState.set_upload_progress": c(NOONE, progress={"progress": 0.5}),
    "ClientImportState.import_file": [
        c(STAFF, files=(("mandanten.csv", CLIENTS_CSV),)),
        # A line with the address of Alpha's contact links her: only who works Alpha may.
        c(STAFF_A, files=(("mandanten.csv", CLIENTS_CSV.replace(b"ina.import@example.test",
                                                                b"fiona.vollalpha@example.test")),)),
    ],

    # Staff: one client's page (the URL names Alpha)
    "StaffBookingsState.load": c(STAFF_A, "a_bookings"),
    "StaffBookingsState.refresh": c(STAFF_A, "a_bookings"),
    "StaffBookingsState.set_ledger": c(STAFF_A, "a_bookings", ledger="all"),
    "StaffBookingsState.set_talk": c(STAFF_A, "a_bookings", talk="all"),
    "StaffBookingsState.go_to_page": c(STAFF_A, "a_bookings", page=1),
    "StaffBookingsState.open_booking": [c(STAFF_A, "a_talk", booking_id=R.talk_booking),
                                        c(STAFF_A, "a_intern", booking_id=R.intern_booking)],
    "StaffBookingsState.refresh_talk": [c(STAFF_A, "a_talk"),
                                        c(STAFF_A, "a_intern", pre={"StaffBookingsState._booking_id": R.intern_booking})],
    "StaffBookingsState.load_older": c(STAFF_A, "a_talk"),
    "StaffBookingsState.set_flyout_open": c(NOONE, is_open=True),
    "StaffBookingsState.set_recipient": c(NOONE, value="all"),
    "StaffBookingsState.send": [
        c(STAFF_A, form=BODY),
        c(STAFF_A, pre={"StaffBookingsState.thread_id": 0, "StaffBookingsState._booking_id": R.plain_booking},
          form=BODY),
        c(STAFF_A, pre={"StaffBookingsState.thread_id": R.intern_thread}, form=BODY),
    ],
    "StaffBookingsState.send_email_now": c(STAFF_A),
    "StaffBookingsState.delete_message": [c({ASSIGNED}, message_id=R.talk_staff_msg),
                                          c(NOONE, message_id=R.full_msg)],
    "StaffBookingsState.close_talk": c(STAFF_A),
    "ClientDigestState.load": c(NOONE),  # the user's own digest
    "ClientDigestState.set_frequency": c(STAFF_A, choice="daily"),
    "ClientAccessState.open": c(STAFF_A, "full_private"),
    "ClientAccessState.revoke_links": c(STAFF_A, contact_id=R.full.s),
    "BookingTransferState.set_import_open": c(NOONE, is_open=True),
    "BookingTransferState.import_file": c(STAFF_A, files=(("buchungen.csv", BOOKINGS_CSV),)),
    "BookingTransferState.open_export": c(NOONE),  # years and numbers only
    "BookingTransferState.set_export_open": c(NOONE, is_open=True),
    "BookingTransferState.set_year": c(NOONE, year="2026"),
    "BookingTransferState.set_fmt": c(NOONE, fmt="csv"),
    "BookingTransferState.export": c(STAFF_A, pre={"BookingTransferState.year": "2026",
                                                   "BookingTransferState.fmt": "csv"}, form={}),
    "BookingTransferState.set_upload_progress": c(NOONE, progress={"progress": 0.5}),

    "StaffDocumentsState.load": c(STAFF_A, "a_staff_doc"),
    "StaffDocumentsState.refresh": c(STAFF_A, "a_staff_doc"),
    "StaffDocumentsState.load_more_docs": c(STAFF_A, "a_staff_doc"),
    "StaffDocumentsState.open_folder": c(STAFF_A, "a_staff_doc", folder_id=R.staff_folder),
    "StaffDocumentsState.set_view": c(STAFF_A, "a_staff_doc", view="trash"),
    "StaffDocumentsState.restore": c(STAFF_A, kind="document", item_id=R.trashed_doc, name="Datei"),
    "StaffDocumentsState.receive": c(STAFF_A, files=UPLOAD),
    "StaffDocumentsState.start_edit": c(NOONE, kind="rename_document", item_id=R.shared_doc, name="Datei"),
    "StaffDocumentsState.start_retention": c(NOONE, item_id=R.shared_doc, name="Datei", current="none"),
    "StaffDocumentsState.set_edit_open": c(NOONE, is_open=False),
    "StaffDocumentsState.set_edit_target": c(NOONE, target=R.b_folder.s),
    "StaffDocumentsState.apply_edit": [
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "new_folder"}, form={"name": "Neuer Ordner"}),
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "rename_folder",
                        "StaffDocumentsState.edit_id": R.staff_folder}, form={"name": "Umbenannt"}),
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "move_folder", "StaffDocumentsState.edit_id": R.staff_folder,
                        "StaffDocumentsState.edit_target": R.shared_folder.s}, form={}),
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "delete_folder",
                        "StaffDocumentsState.edit_id": R.staff_folder}, form={}),
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "rename_document",
                        "StaffDocumentsState.edit_id": R.shared_doc}, form={"name": "Umbenannt"}),
        # Into another client's folder: nobody, not even who works both.
        c(NOONE, pre={"StaffDocumentsState.edit_kind": "move_document", "StaffDocumentsState.edit_id": R.shared_doc,
                      "StaffDocumentsState.edit_target": R.b_folder.s}, form={}),
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "delete_document",
                        "StaffDocumentsState.edit_id": R.shared_doc}, form={}),
        c(STAFF_A, pre={"StaffDocumentsState.edit_kind": "retention", "StaffDocumentsState.edit_id": R.shared_doc,
                        "StaffDocumentsState.edit_target": "receipt"}, form={}),
    ],
    "StaffDocumentsState.set_folder_shared": c(STAFF_A, folder_id=R.staff_folder, shared=True),
    **_upload_ui("StaffDocumentsState"),

    "StaffRequestsState.load": c(STAFF_A, "a_request"),
    "StaffRequestsState.refresh": c(STAFF_A, "a_request"),
    "StaffRequestsState.load_more": c(STAFF_A, "a_request"),
    "StaffRequestsState.open_create": c(STAFF_A, "a_staff_doc"),  # the folder choices
    "StaffRequestsState.set_create_open": c(NOONE, is_open=True),
    "StaffRequestsState.set_folder": c(NOONE, value=R.b_folder.s),
    "StaffRequestsState.set_send_email": c(NOONE, value=True),
    "StaffRequestsState.set_recipient": c(NOONE, value="other"),
    "StaffRequestsState.create": [c(STAFF_A, form={"message": "Bitte hochladen"}),
                                  c(NOONE, pre={"StaffRequestsState.folder": R.b_folder.s},
                                    form={"message": "Bitte hochladen"})],
    "StaffRequestsState.copy_created": c(NOONE),
    "StaffRequestsState.copy_link": [c(STAFF_A, "a_request_token", request_id=R.request),
                                     c(NOONE, request_id=R.revoked_request)],
    "StaffRequestsState.start_action": c(NOONE, action="revoke", request_id=R.request),
    "StaffRequestsState.set_action_open": c(NOONE, is_open=False),
    "StaffRequestsState.apply_action": [
        c(STAFF_A, pre={"StaffRequestsState.action": "revoke", "StaffRequestsState.action_id": R.request}, form={}),
        c(STAFF_A, pre={"StaffRequestsState.action": "edit", "StaffRequestsState.action_id": R.request},
          form={"message": "Neue Bitte"}),
        c(STAFF_A, pre={"StaffRequestsState.action": "send", "StaffRequestsState.action_id": R.request,
                        "StaffRequestsState.recipient": "other"}, form={"email": "jemand@example.test"}),
    ],
    "StaffRequestsState.open_guest_account": c(STAFF),

    "StaffQuestionnairesState.load": c(STAFF_A, "a_questionnaire"),
    "StaffQuestionnairesState.refresh": c(STAFF_A, "a_questionnaire"),
    "StaffQuestionnairesState.load_more": c(STAFF_A, "a_questionnaire"),
    "StaffQuestionnairesState.toggle": c(STAFF_A, "a_questionnaire", questionnaire_id=R.q1),
    "StaffQuestionnairesState.open_send": c(STAFF, "template"),
    "StaffQuestionnairesState.set_send_open": c(NOONE, is_open=True),
    "StaffQuestionnairesState.set_send_template": c(NOONE, value=R.template.s),
    "StaffQuestionnairesState.send": c(STAFF_A, form={}),
    "StaffQuestionnairesState.reopen": c(STAFF_A, questionnaire_id=R.q2),

    "ClientInfoState.load": c(STAFF_A, "a_details"),
    "ClientInfoState.refresh": c(STAFF_A, "a_details"),
    "ClientInfoState.open_edit": c(NOONE),
    "ClientInfoState.set_edit_open": c(NOONE, is_open=True),
    "ClientInfoState.save_account": c(STAFF_A, form={"account_name": "Umbenannt GmbH",
                                                     "company_name": "Umbenannt GmbH"}),
    "ClientInfoState.open_add_contact": c(NOONE),
    "ClientInfoState.open_edit_contact": c(NOONE, contact_id=R.full),
    "ClientInfoState.set_contact_open": c(NOONE, is_open=True),
    "ClientInfoState.save_contact": [
        c(STAFF_A, form={"first_name": "Neu", "last_name": "Person", "email": "neu.person@example.test"}),
        # Linking the other client's contact: only who works that client too.
        c({ADMIN}, pre={"ClientInfoState.link_mode": True, "ClientInfoState.chosen_id": R.other},
          form={"login": "on"}),
    ],
    "ClientInfoState.set_toggle": c(STAFF_A, contact_id=R.full, name="notify", value=False),
    "ClientInfoState.unlink": c(STAFF_A, contact_id=R.pending),
    "ClientInfoState.open_invite": c(NOONE, contact_id=R.pending, name="Kontakt"),
    "ClientInfoState.set_invite_open": c(NOONE, is_open=False),
    "ClientInfoState.send_invite": c(STAFF_A, form={"message": "Willkommen"}),
    "ClientInfoState.export_contact": c(STAFF_A, contact_id=R.full),
    "ClientInfoState.open_erase": c(NOONE, contact_id=R.pending, name="Paula Warte"),
    "ClientInfoState.set_erase_open": c(NOONE, is_open=False),
    "ClientInfoState.erase": c(STAFF_A, form={"confirm_name": "Paula Warte"}),
    "ClientInfoState.set_assigned": c({ADMIN}, staff_id=R.acc_b, assigned=True),
    "ClientInfoState.set_link_mode": c(NOONE, on=True),
    "ClientInfoState.search_contacts": c(STAFF_A, "full_private", query="vollalpha"),
    "ClientInfoState.choose_contact": c(NOONE, contact_id=R.other.s, label="Kontakt"),
    "ClientInfoState.set_kind": c(NOONE, kind="company"),

    # Staff: inbox, settings, templates, outbox, profile
    "InboxState.load": [c(STAFF_A, "a_conversation"), c(STAFF_A, "a_private")],
    "InboxState.refresh": c(STAFF_A, "a_conversation"),
    "InboxState.load_more": c(STAFF_A, "a_conversation"),
    "InboxState.set_mine": c(STAFF_A, "a_private", value="all"),
    "InboxState.set_state": c(STAFF_A, "a_private", value="all"),
    "FirmSettingsState.load": c(NOONE),  # switches only, no client data
    "FirmSettingsState.set_read_marks": c({ADMIN}, enabled=False),
    "FirmSettingsState.set_mail_include_text": c({ADMIN}, enabled=True),
    "FirmSettingsState.set_mail_include_amounts": c({ADMIN}, enabled=True),
    "FirmSettingsState.set_mail_quiet_minutes": c({ADMIN}, minutes="60"),
    "FirmSettingsState.set_self_signup": c({ADMIN}, enabled=False),
    "FirmSettingsState.set_talk_password": c({ADMIN}, enabled=True),
    "FolderTemplatesState.load": c({ADMIN}, "folder_template"),
    "FolderTemplatesState.start": c(NOONE, template_id=R.folder_template),
    "FolderTemplatesState.cancel": c(NOONE),
    "FolderTemplatesState.add_entry": c(NOONE),
    "FolderTemplatesState.remove_entry": c(NOONE, index=0),
    "FolderTemplatesState.set_path": c(NOONE, index=0, path="Steuern"),
    "FolderTemplatesState.set_shared": c(NOONE, index=0, shared=True),
    "FolderTemplatesState.set_uploads": c(NOONE, index=0),
    "FolderTemplatesState.set_edit_name": c(NOONE, name="Vorlage"),
    "FolderTemplatesState.save": c({ADMIN}),
    "FolderTemplatesState.make_default": c({ADMIN}, template_id=R.folder_template),
    "FolderTemplatesState.delete": c({ADMIN}, template_id=R.folder_template),
    "CustomFieldsState.load": c({ADMIN}, "custom_field"),
    "CustomFieldsState.set_kind": c(NOONE, kind="text"),
    "CustomFieldsState.add": c({ADMIN}, form={"target": "account", "label": "Neues Feld"}),
    "CustomFieldsState.remove": c({ADMIN}, field_id=R.custom_field),
    "QuestionnaireTemplatesState.load": c(STAFF, "template"),
    # A client's sent copy is no template: nobody edits what the client was asked.
    "QuestionnaireTemplatesState.select": [c(STAFF, "template", template_id=R.template),
                                           c(NOONE, "a_questionnaire", template_id=R.q1)],
    "QuestionnaireTemplatesState.create": c(STAFF, form={"title": "Neue Vorlage"}),
    "QuestionnaireTemplatesState.save_template": [
        c(STAFF, form={"title": "Geaendert", "intro": ""}),
        c(NOONE, pre={"QuestionnaireTemplatesState.selected": R.q1}, form={"title": "Geaendert", "intro": ""})],
    "QuestionnaireTemplatesState.ask_delete": c(NOONE, ask=True),
    "QuestionnaireTemplatesState.delete": [c(STAFF),
                                           c(NOONE, pre={"QuestionnaireTemplatesState.selected": R.q1})],
    "QuestionnaireTemplatesState.add_question": [
        c(STAFF, form={"text": "Neue Frage", "kind": "text"}),
        c(NOONE, pre={"QuestionnaireTemplatesState.selected": R.q1}, form={"text": "Neue Frage", "kind": "text"})],
    "QuestionnaireTemplatesState.move": [c(STAFF, question_id=R.template_q1, offset=1),
                                         c(NOONE, question_id=R.q1_text, offset=1)],
    "QuestionnaireTemplatesState.remove": [c(STAFF, question_id=R.template_q1),
                                           c(NOONE, question_id=R.q1_text)],
    "QuestionnaireTemplatesState.start_edit": c(NOONE, question_id=R.template_q1),
    "QuestionnaireTemplatesState.set_edit_open": c(NOONE, is_open=False),
    "QuestionnaireTemplatesState.set_edit_kind": c(NOONE, kind="text"),
    "QuestionnaireTemplatesState.set_edit_required": c(NOONE, required=True),
    "QuestionnaireTemplatesState.save_question": [
        c(STAFF, form={"text": "Geaenderte Frage"}),
        c(NOONE, pre={"QuestionnaireTemplatesState.editing": R.q1_text}, form={"text": "Geaenderte Frage"})],
    "OutboxViewState.load": c({ADMIN}, "full_private"),
    "OutboxViewState.set_status": c({ADMIN}, "full_private", status="all"),
    "OutboxViewState.load_more": c({ADMIN}, "full_private"),
    "OutboxViewState.retry": c({ADMIN}, row_id=R.outbox_row),
    "StaffProfileState.load": c({ASSIGNED}, "a_name"),  # the digest for Alpha is the assigned accountant's
    "StaffProfileState.set_all_frequency": c(STAFF, choice="weekly"),
    "StaffProfileState.remove": c({ASSIGNED}, account_id=R.a_id),
    "StaffProfileState.set_language": c(STAFF, choice="en"),
    "StaffProfileState.set_timezone": c(STAFF, zone="Europe/Vienna"),
    "StaffProfileState.set_email_notices": c(STAFF, enabled=False),

    # Threads, for both sides (staff in the inbox, contacts in their portal)
    "ThreadPanelState.open_thread": [
        c(STAFF_A | {LIMITED}, "a_private", thread_id=R.private_thread),
        c(STAFF_A, "a_intern", thread_id=R.intern_thread),
        c(STAFF_A | {FULL, TALK}, "a_talk", thread_id=R.talk_thread),
        c(STAFF_A | {FULL}, "a_conversation", thread_id=R.conversation_thread),
        c(STAFF_B | {OTHER}, "b_all", thread_id=R.b_thread),
    ],
    "ThreadPanelState.open_linked": [
        c(STAFF_A | {LIMITED}, "a_private", url=lambda s: routes.with_thread(routes.PORTAL, s.private_thread)),
        c(STAFF_A, "a_intern", url=lambda s: routes.with_thread(routes.PORTAL, s.intern_thread)),
    ],
    "ThreadPanelState.refresh": [c(STAFF_A | {LIMITED}, "a_private"),
                                 c(STAFF_A, "a_intern", pre={"ThreadPanelState.thread_id": R.intern_thread})],
    "ThreadPanelState.load_older": c(STAFF_A | {LIMITED}, "a_private"),
    "ThreadPanelState.set_is_open": c(NOONE, is_open=True),
    "ThreadPanelState.send": [
        c(STAFF_A | {LIMITED}, form=BODY),
        c(STAFF_A, pre={"ThreadPanelState.thread_id": R.intern_thread}, form=BODY),
        c(STAFF_A | {FULL, TALK}, pre={"ThreadPanelState.thread_id": R.talk_thread}, form=BODY),
        c(STAFF_A | {FULL}, pre={"ThreadPanelState.thread_id": R.conversation_thread}, form=BODY),
    ],
    "ThreadPanelState.delete_message": [c({FULL, TALK}, message_id=R.full_msg),
                                        c({LIMITED}, message_id=R.limited_msg),
                                        c({ASSIGNED}, message_id=R.private_staff_msg)],
    "ThreadPanelState.start_edit": c(NOONE, message_id=R.limited_msg),
    "ThreadPanelState.set_edit_open": c(NOONE, is_open=True),
    "ThreadPanelState.save_edit": [c({LIMITED}, form={"body": "Geaendert"}),
                                   c({FULL, TALK}, pre={"ThreadPanelState.edit_id": R.full_msg},
                                     form={"body": "Geaendert"})],
    "ThreadPanelState.close_thread": [c(STAFF_A, pre={"ThreadPanelState.thread_id": R.conversation_thread}),
                                      c(STAFF_A, pre={"ThreadPanelState.thread_id": R.talk_thread}),
                                      c(STAFF_A)],
    "ThreadPanelState.set_progress": c(NOONE, progress={"progress": 0.5}),
    "ThreadPanelState.attach": [
        c(STAFF_A | {LIMITED}, files=UPLOAD),
        c(STAFF_A, pre={"ThreadPanelState.thread_id": R.intern_thread}, files=UPLOAD),
        c(STAFF_A | {FULL, TALK}, pre={"ThreadPanelState.thread_id": R.talk_thread}, files=UPLOAD),
    ],
    "TaskPanelState.refresh": [
        c(STAFF_A | {FULL, TALK}, "a_task", pre={"ThreadPanelState.thread_id": R.talk_thread}),
        c(STAFF_A | {LIMITED}, "a_private"),
    ],
    "TaskPanelState.add": [c(STAFF_A, form={"text": "Bitte Ausweis"}),
                           c(STAFF_A, pre={"ThreadPanelState.thread_id": R.talk_thread}, form={"text": "Beleg"})],
    "TaskPanelState.set_task_done": [c(STAFF_A | {FULL, TALK}, task_id=R.talk_task, done=True),
                                     c(STAFF_A | {LIMITED}, task_id=R.private_task, done=True)],
    "TaskPanelState.remove": [c(STAFF_A, task_id=R.talk_task), c(STAFF_A, task_id=R.private_task)],
    "TaskPanelState.choose_upload": c(NOONE, task_id=R.talk_task),
    "TaskPanelState.receive": [c(STAFF_A | {FULL, TALK}, files=UPLOAD),
                               c(STAFF_A | {LIMITED}, pre={"TaskPanelState.upload_task_id": R.private_task},
                                 files=UPLOAD)],
    **_upload_ui("TaskPanelState"),
    "NewConversationForm.set_new_open": c(NOONE, is_open=True),
    "NewConversationForm.set_account": c(NOONE, account=R.a_id.s),
    "NewConversationForm.set_recipient": c(NOONE, recipient=R.limited.s),
    # Staff choose among their assigned clients (admins too).
    "NewConversationForm.prepare": c({ASSIGNED, FULL, LIMITED}, "a_name"),
    "NewConversationForm.create": [
        c(STAFF_A | {FULL, LIMITED}, form={"subject": "Neues Thema", "body": "Hallo"}),
        # Privately to another user of the client: staff may, a contact only to themselves.
        c(STAFF_A | {LIMITED}, pre={"NewConversationForm.recipient": R.limited.s},
          form={"subject": "Neues Thema", "body": "Hallo"}),
        # To another client's user: nobody.
        c(NOONE, pre={"NewConversationForm.recipient": R.other.s}, form={"subject": "Neues Thema", "body": "Hallo"}),
    ],

    # Contacts: home, conversations, documents, questionnaires, profile
    "PortalHomeState.load": [c({FULL, TALK}, "a_talk"), c({FULL}, "a_bookings"), c({FULL}, "a_questionnaire"),
                             c({FULL, LIMITED}, "a_name")],
    "PortalHomeState.refresh": [c({FULL, TALK}, "a_talk"), c({FULL}, "a_bookings")],
    "PortalHomeState.load_more_questions": c({FULL, TALK}, "a_talk"),
    "PortalHomeState.choose_account": c(NOONE, account=R.a_id.s),
    "ClientConversationsState.load": [c({FULL}, "a_conversation"), c({LIMITED}, "a_private")],
    "ClientConversationsState.load_more": [c({FULL}, "a_conversation"), c({LIMITED}, "a_private")],
    "ClientConversationsState.set_view": c({FULL}, "a_conversation", view="all"),
    "ClientDocumentsState.load": c({FULL}, "a_shared_doc"),
    "ClientDocumentsState.choose_account": c(NOONE, account=R.a_id.s),
    "ClientDocumentsState.open_folder": [c({FULL}, "a_shared_doc", folder_id=R.shared_folder),
                                         c(NOONE, "a_staff_doc", folder_id=R.staff_folder)],
    "ClientDocumentsState.load_more_docs": c({FULL}, "a_shared_doc"),
    "ClientDocumentsState.refresh": c({FULL}, "a_shared_doc"),
    "ClientDocumentsState.receive": [c({FULL}, files=UPLOAD),
                                     c(NOONE, pre={"ClientDocumentsState.folder_id": R.staff_folder}, files=UPLOAD)],
    **_upload_ui("ClientDocumentsState"),
    "ClientQuestionnaireState.load": c({FULL}, "a_questionnaire"),
    "ClientQuestionnaireState.refresh": c({FULL}, "a_questionnaire"),
    "ClientQuestionnaireState.save": c({FULL}, question_id=R.q1_text, value="Meine Antwort"),
    "ClientQuestionnaireState.start_upload": c(NOONE, question_id=R.q1_file),
    "ClientQuestionnaireState.receive": c({FULL}, files=UPLOAD),
    "ClientQuestionnaireState.submit": c({FULL}),
    **_upload_ui("ClientQuestionnaireState"),
    "ProfileState.load": c(NOONE),  # the user's own settings
    "ProfileState.set_language": c(PORTAL_USERS, choice="en"),
    "ProfileState.set_timezone": c(PORTAL_USERS, zone="Europe/Vienna"),
    "ProfileState.set_email_notices": c(PORTAL_USERS, enabled=False),
    "PushDevicesState.set_browser": [c({FULL}, "push_full", report={"state": "granted"}),
                                     c({ASSIGNED}, "push_assigned", report={"state": "granted"})],
    "PushDevicesState.enabled": c({FULL}, "push_full", report={"state": "subscribed"}),
    "PushDevicesState.removed": c({FULL}, "push_full", report={"state": "removed"}),

    # The public upload page of a request link: the token in the URL is the permission.
    "UploadLinkState.load": [c({LINK}, "a_request"), c(NOONE, "a_request", url=lambda s: routes.upload_link(
        s.revoked_token))],
    "UploadLinkState.set_uploader_name": c(NOONE, value="Erika"),
    "UploadLinkState.receive": [c({LINK}, files=UPLOAD),
                                c(NOONE, pre={"UploadLinkState._token": R.revoked_token}, files=UPLOAD)],
    **_upload_ui("UploadLinkState"),
}


# HTTP routes


@dataclasses.dataclass(frozen=True)
class Hit:
    """One request to a route, and who may get through."""

    allow: frozenset[str]
    method: str
    path: Any  # a path, or a function of the seed (and the actor)
    reached: Callable[[Any, Seed, bool], bool]  # (response, seed, database changed)
    form: dict | None = None
    json: Any = None
    headers: dict = dataclasses.field(default_factory=dict)
    app: str = "api"  # or "upload": Reflex's upload endpoint
    server_error: str = ""  # why a 5xx is this route's refusal (otherwise it is a failure)


def h(allow, method: str, path: Any, reached: Callable, **kwargs: Any) -> Hit:
    """A line of the route matrix."""
    return Hit(allow=frozenset(allow), method=method, path=path, reached=reached, **kwargs)


def _status(code: int) -> Callable:
    return lambda response, seed, changed: response.status_code == code


def _file(key_attr: str) -> Callable:
    """The stored file itself came back."""
    return lambda response, seed, changed: (response.status_code == 200
                                            and response.content == seed.blobs[getattr(seed, key_attr)])


def _preview(response, seed, changed) -> bool:
    return response.status_code == 200 and response.headers.get("content-type") == "image/png"


def _session_cookie(response, seed, changed) -> bool:
    return auth.SESSION_COOKIE in response.headers.get("set-cookie", "") and "Max-Age=0" not in \
        response.headers.get("set-cookie", "")


def _changed(response, seed, changed) -> bool:
    return changed


def _elsewhere(response, seed, changed) -> bool:
    """Sent to another site (an identity provider)."""
    return response.is_redirect and response.headers.get("location", "").startswith("http")


def _through_gate(response, seed, changed) -> bool:
    """The request link's gate let the request through to the page (here: the bare API's 404)."""
    return response.status_code == 404 and response.text == "Not Found"


def _held_talk_link(seed: Seed, actor: str) -> str:
    """The emailed talk link the actor holds: the contact's own, else one that was revoked."""
    return routes.talk_link(seed.talk_link if actor in (FULL, TALK) else seed.revoked_talk_link)


def _push_json(seed: Seed) -> dict:
    return {"endpoint": "http://127.0.0.1:9/push/neu", "keys": {"p256dh": seed.p256dh, "auth": seed.push_auth}}


_WRONG = "falsch-falsch-falsch"
_file_path = lambda attr: lambda seed: routes.file(getattr(seed, attr))  # noqa: E731

ROUTES: dict[str, Hit | list[Hit]] = {
    "POST /auth/login": h(NOONE, "POST", routes.API_LOGIN, _session_cookie,
                          form={"email": "fiona.vollalpha@example.test", "password": _WRONG}),
    "POST /auth/logout": h(SESSIONS, "POST", routes.API_LOGOUT, _changed),  # ends the actor's own session
    "POST /auth/forgot": h(EVERYONE, "POST", routes.API_FORGOT, _changed,  # the link goes to the owner's inbox
                           form={"email": "fiona.vollalpha@example.test"}),
    "POST /auth/reset": h(NOONE, "POST", routes.API_RESET, _changed,
                          form={"token": "kein-gueltiger-link", "password": _WRONG, "repeat": _WRONG}),
    "POST /auth/activate": h(NOONE, "POST", routes.API_ACTIVATE, _session_cookie,
                             form={"token": "kein-gueltiger-link", "password": _WRONG, "repeat": _WRONG}),
    "POST /auth/password": h(NOONE, "POST", routes.API_PASSWORD, _session_cookie,
                             form={"current": _WRONG, "password": _WRONG + "x", "repeat": _WRONG + "x"}),
    "GET /auth/sso": h(NOONE, "GET", routes.API_SSO, _elsewhere),  # not configured here
    "GET /auth/sso/callback": h(NOONE, "GET", routes.API_SSO_CALLBACK + "?code=x&state=y", _session_cookie),
    "GET /files/{key}": [
        h(STAFF_A | {FULL}, "GET", _file_path("shared_key"), _file("shared_key")),
        h(STAFF_A, "GET", _file_path("staff_key"), _file("staff_key")),
        h(STAFF_A, "GET", _file_path("trashed_key"), _file("trashed_key")),
        h(STAFF_B | {OTHER}, "GET", _file_path("b_key"), _file("b_key")),
        h(STAFF_A | {FULL, TALK}, "GET", _file_path("talk_receipt_key"), _file("talk_receipt_key")),
        h(STAFF_A | {LIMITED}, "GET", _file_path("private_key"), _file("private_key")),
        h(STAFF_A, "GET", _file_path("intern_key"), _file("intern_key")),
        h(NOONE, "GET", _file_path("export_key"), _file("export_key")),  # an export is no document
    ],
    "GET /files/{key}/preview": [
        h(STAFF_A | {FULL}, "GET", lambda s: routes.file_preview(s.shared_key), _preview),
        h(STAFF_A, "GET", lambda s: routes.file_preview(s.staff_key), _preview),
        h(STAFF_A | {FULL, TALK}, "GET", lambda s: routes.file_preview(s.talk_receipt_key), _preview),
        h(STAFF_A | {LIMITED}, "GET", lambda s: routes.file_preview(s.private_key), _preview),
    ],
    "GET /exports/{key}": [h(STAFF_A, "GET", lambda s: routes.export(s.export_key), _file("export_key")),
                           h(NOONE, "GET", lambda s: routes.export(s.shared_key), _status(200))],
    "GET /exports/audit/{client}/{file_format}": [
        h(STAFF_A, "GET", lambda s: routes.audit_export(s.a_public, "csv"), _status(200)),
        h(STAFF_A, "GET", lambda s: routes.audit_export(s.a_public, "pdf"), _status(200)),
    ],
    "GET /exports/contacts/{client}/{contact_id:int}": [
        h(STAFF_A, "GET", lambda s: routes.contact_export(s.a_public, s.full), _status(200)),
        # Through a client the contact is not on, or a contact who is not on that client.
        h(NOONE, "GET", lambda s: routes.contact_export(s.b_public, s.full), _status(200)),
        h(NOONE, "GET", lambda s: routes.contact_export(s.a_public, s.other), _status(200)),
    ],
    "GET /t/{token}": [
        h({FULL, TALK}, "GET", _held_talk_link, _session_cookie),
        h(NOONE, "GET", lambda s: routes.talk_link(s.used_talk_link), _session_cookie),
        h(NOONE, "GET", lambda s: routes.talk_link(s.revoked_talk_link), _session_cookie),
    ],
    "GET /push/key": h(EVERYONE, "GET", routes.API_PUSH_KEY, _status(200)),  # public by nature
    "POST /push/subscriptions": h(PASSWORD_USERS, "POST", routes.API_PUSH_SUBSCRIPTIONS, _status(201),
                                  json=_push_json),
    "DELETE /push/subscriptions/{subscription_id:int}": [
        h({FULL}, "DELETE", lambda s: routes.push_subscription(s.push_full), _status(204)),
        h({ASSIGNED}, "DELETE", lambda s: routes.push_subscription(s.push_assigned), _status(204)),
    ],
    "GET /sw.js": h(EVERYONE, "GET", routes.SERVICE_WORKER, _status(200)),
    "GET /offline": h(EVERYONE, "GET", routes.OFFLINE, _status(200)),
    # Reflex's upload endpoint reaches upload handlers only (each is in HANDLERS, called with files).
    "POST /_upload": h(NOONE, "POST", "/_upload", lambda r, s, changed: r.status_code < 300, app="upload",
                       headers={"reflex-client-token": "tab", "reflex-event-handler": lambda s: _registered_name(
                           "SessionState", "logout")},
                       server_error="Reflex raises UploadValueError for a handler without an upload parameter"),
    "GET /u/{token}": [h({LINK}, "GET", _upload_page, _through_gate),
                       h(NOONE, "GET", lambda s: routes.upload_link(s.revoked_token), _through_gate)],
}


# The seed: one firm, two clients, every kind of private object


@dataclasses.dataclass
class Seed:
    """Ids, keys and tokens of the seeded firm (client Alpha is the target, Beta the other)."""

    a_id: int = 0
    a_public: str = ""
    b_id: int = 0
    b_public: str = ""
    admin: int = 0
    acc_a: int = 0
    acc_b: int = 0
    full: int = 0
    limited: int = 0
    other: int = 0
    pending: int = 0
    talk_booking: int = 0
    intern_booking: int = 0
    plain_booking: int = 0
    talk_thread: int = 0
    intern_thread: int = 0
    conversation_thread: int = 0
    private_thread: int = 0
    b_thread: int = 0
    talk_staff_msg: int = 0
    full_msg: int = 0
    private_staff_msg: int = 0
    limited_msg: int = 0
    talk_task: int = 0
    private_task: int = 0
    shared_folder: int = 0
    staff_folder: int = 0
    b_folder: int = 0
    shared_doc: int = 0
    trashed_doc: int = 0
    shared_key: str = ""
    staff_key: str = ""
    trashed_key: str = ""
    b_key: str = ""
    talk_receipt_key: str = ""
    private_key: str = ""
    intern_key: str = ""
    export_key: str = ""
    request: int = 0
    request_token: str = ""
    revoked_request: int = 0
    revoked_token: str = ""
    template: int = 0
    template_q1: int = 0
    q1: int = 0
    q1_ref: str = ""
    q1_text: int = 0
    q1_file: int = 0
    q2: int = 0
    folder_template: int = 0
    custom_field: int = 0
    outbox_row: int = 0
    push_full: int = 0
    push_assigned: int = 0
    p256dh: str = ""
    push_auth: str = ""
    talk_link: str = ""
    used_talk_link: str = ""
    revoked_talk_link: str = ""
    cookies: dict[str, str] = dataclasses.field(default_factory=dict)
    blobs: dict[str, bytes] = dataclasses.field(default_factory=dict)
    marks: dict[str, tuple[frozenset[str], tuple[str, ...]]] = dataclasses.field(default_factory=dict)


def _actor(kind: SubjectKind, row_id: int, name: str, role: Role | None = None) -> Actor:
    return Actor(kind=kind, id=row_id, name=name, email="", role=role)


async def _bytes(data: bytes):
    yield data


def _push_keys() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return push_domain.b64url_encode(key), push_domain.b64url_encode(os.urandom(16))


def _seed() -> Seed:  # noqa: PLR0915 - one firm, written out in the order a firm would build it
    seed = Seed()
    now = dt.datetime.now(dt.UTC)
    factories.firm(name="Steuerkanzlei Matrix")
    with db.session() as s:
        people = {
            "admin": StaffUser(email="admin@kanzlei.test", name="Adele Admin", role=Role.ADMIN, sender_name="Adele"),
            "acc_a": StaffUser(email="anna@kanzlei.test", name="Anna Alpha", role=Role.ACCOUNTANT, sender_name="Anna"),
            "acc_b": StaffUser(email="bernd@kanzlei.test", name="Bernd Beta", role=Role.ACCOUNTANT,
                               sender_name="Bernd"),
        }
        s.add_all(people.values())
        s.commit()
        seed.admin, seed.acc_a, seed.acc_b = (people[k].id for k in ("admin", "acc_a", "acc_b"))
    with db.session() as s:
        acc_a, acc_b = s.get(StaffUser, seed.acc_a), s.get(StaffUser, seed.acc_b)
    alpha = factories.client(name="Alphaxtreu Treuhand GmbH", accountants=(acc_a,), missing_receipts=3)
    beta = factories.client(name="Betaxbau KG", accountants=(acc_b,), missing_receipts=1)
    seed.a_id, seed.a_public, seed.b_id, seed.b_public = alpha.id, alpha.public_id, beta.id, beta.public_id
    with db.session() as s:
        account = s.get(ClientAccount, alpha.id)
        account.address = "Geheimweg-Alpha 7"
        s.add(account)

        def person(first, last, email, phone, account_id, full_access=True, activated=True):
            row = Contact(first_name=first, last_name=last, email=email, phone=phone,
                          activated_at=now if activated else None)
            s.add(row)
            s.flush()
            s.add(AccountContact(account_id=account_id, contact_id=row.id, login=True, full_access=full_access))
            return row

        full = person("Fiona", "Vollalphazugang", "fiona.vollalpha@example.test", "+49 30 1111 Vollalpha", alpha.id)
        limited = person("Lena", "Teilalphazugang", "lena.teilalpha@example.test", "+49 30 2222 Teilalpha",
                         alpha.id, full_access=False)
        other = person("Otto", "Betaandere", "otto.betaandere@example.test", "", beta.id)
        pending = person("Paula", "Warte", "paula.wartealpha@example.test", "", alpha.id, activated=False)
        bookings = s.exec(select(Booking).where(Booking.account_id == alpha.id).order_by(Booking.id)).all()
        for booking, name in zip(bookings, ("Lieferant-Alphatalk", "Lieferant-Alphaintern", "Lieferant-Alphaoffen")):
            booking.counterparty = name
            s.add(booking)
        # An earlier year, exported below: the export's file exists without touching this year's talks.
        s.add(Booking(account_id=alpha.id, ledger="suppliers", date=dt.date(2025, 3, 1), amount_cents=-500,
                      counterparty="Lieferant Vorjahr", text="Vorjahr", receipt_missing=False))
        s.commit()
        seed.full, seed.limited, seed.other, seed.pending = full.id, limited.id, other.id, pending.id
        seed.talk_booking, seed.intern_booking, seed.plain_booking = (b.id for b in bookings)

    admin = _actor(SubjectKind.STAFF, seed.admin, "Adele Admin", Role.ADMIN)
    anna = _actor(SubjectKind.STAFF, seed.acc_a, "Anna Alpha", Role.ACCOUNTANT)
    bernd = _actor(SubjectKind.STAFF, seed.acc_b, "Bernd Beta", Role.ACCOUNTANT)
    fiona = _actor(SubjectKind.CONTACT, seed.full, "Fiona Vollalphazugang")
    lena = _actor(SubjectKind.CONTACT, seed.limited, "Lena Teilalphazugang")

    # Threads: a booking talk, an internal note, a conversation, one for Lena only; one of Beta's.
    seed.talk_thread = talks.start_talk(actor=anna, booking_id=seed.talk_booking, recipient_contact_id=None,
                                        internal=False, sender_name="", body="Frage-Alphatalk-Beleg")
    seed.intern_thread = talks.start_talk(actor=anna, booking_id=seed.intern_booking, recipient_contact_id=None,
                                          internal=True, sender_name="", body="Notiz-Alphaintern-Geheim")
    seed.full_msg = talks.post_message(actor=fiona, thread_id=seed.talk_thread, body="Antwort-Alphatalk-Kunde")
    seed.conversation_thread = conversations.start_conversation(
        actor=anna, account_id=alpha.id, subject="Betreff-Alphagespraech", body="Text-Alphagespraech")
    seed.private_thread = conversations.start_conversation(
        actor=anna, account_id=alpha.id, subject="Betreff-Alphaprivat", body="Text-Alphaprivat",
        private_contact_id=seed.limited)
    seed.limited_msg = talks.post_message(actor=lena, thread_id=seed.private_thread, body="Antwort-Alphaprivat")
    seed.b_thread = conversations.start_conversation(actor=bernd, account_id=beta.id,
                                                     subject="Betreff-Betagespraech", body="Hallo Beta")
    with db.session() as s:
        seed.talk_staff_msg = s.exec(select(Message.id).where(Message.thread_id == seed.talk_thread)
                                     .order_by(Message.id)).first()
        seed.private_staff_msg = s.exec(select(Message.id).where(Message.thread_id == seed.private_thread)
                                        .order_by(Message.id)).first()
    seed.talk_task = tasks.add_task(actor=anna, thread_id=seed.talk_thread, text="Aufgabe-Alphatalk-Auszug")
    seed.private_task = tasks.add_task(actor=anna, thread_id=seed.private_thread, text="Aufgabe-Alphaprivat-Ausweis")

    # Files: a receipt in the talk, an attachment in Lena's conversation, one in the internal note.
    upload = lambda **kw: asyncio.run(receipts.upload_receipt(chunks=_bytes(PNG), **kw))  # noqa: E731
    upload(actor=fiona, thread_id=seed.talk_thread, filename="alpha-beleg-talk.png")
    upload(actor=lena, thread_id=seed.private_thread, filename="alpha-privat-anhang.png")
    upload(actor=anna, thread_id=seed.intern_thread, filename="alpha-intern-anhang.png")
    # Folders: one shared with the client, one the firm keeps to itself; Beta's.
    documents.browse(actor=anna, account_id=alpha.id)
    documents.browse(actor=bernd, account_id=beta.id)
    seed.shared_folder = folders.create_folder(actor=anna, account_id=alpha.id, parent_id=None,
                                               name="Freigabe-Alphaordner", shared=True)
    seed.staff_folder = folders.create_folder(actor=anna, account_id=alpha.id, parent_id=None,
                                              name="Kanzlei-Alphaintern")
    seed.b_folder = folders.create_folder(actor=bernd, account_id=beta.id, parent_id=None, name="Beta Ordner",
                                          shared=True)

    def document(actor, folder_id, filename, color):
        data = _png(color)
        doc_id = asyncio.run(documents.upload_document(actor=actor, folder_id=folder_id, filename=filename,
                                                       chunks=_bytes(data)))
        return doc_id, data

    seed.shared_doc, _ = document(anna, seed.shared_folder, "alpha-freigegeben.png", (1, 2, 3))
    document(anna, seed.staff_folder, "alpha-kanzleiintern.png", (4, 5, 6))
    seed.trashed_doc, _ = document(anna, seed.shared_folder, "alpha-papierkorb.png", (7, 8, 9))
    documents.delete_document(actor=anna, document_id=seed.trashed_doc)
    document(bernd, seed.b_folder, "beta-dokument.png", (10, 11, 12))

    # Request links: one live, one revoked.
    created = upload_requests.create_request(actor=anna, account_id=alpha.id, folder_id=seed.shared_folder,
                                             message="Bitte-Alphaupload-Belege")
    seed.request, seed.request_token = created.id, created.link.rsplit("/", 1)[1]
    revoked = upload_requests.create_request(actor=anna, account_id=alpha.id, folder_id=seed.shared_folder,
                                             message="Alte-Alphaupload-Anfrage")
    upload_requests.revoke(actor=anna, request_id=revoked.id)
    seed.revoked_request, seed.revoked_token = revoked.id, revoked.link.rsplit("/", 1)[1]

    # Questionnaires: a template, two copies sent to Alpha (the second submitted); then the
    # template moves on, so its title and questions are the firm's and the copies the client's.
    seed.template = questionnaires.create_template(actor=anna, title="Fragebogen-Alphagesendet")
    seed.template_q1 = questionnaires.add_question(actor=anna, template_id=seed.template, text="Frage-Alphaeins",
                                                   kind="text")
    template_q2 = questionnaires.add_question(actor=anna, template_id=seed.template, text="Datei-Alphazwei",
                                              kind="file")
    seed.q1 = questionnaires.send_questionnaire(actor=anna, template_id=seed.template, account_id=alpha.id,
                                                notify=False).questionnaire_id
    seed.q2 = questionnaires.send_questionnaire(actor=anna, template_id=seed.template, account_id=alpha.id,
                                                notify=False).questionnaire_id
    questionnaires.submit(actor=fiona, questionnaire_id=seed.q2)
    questionnaires.update_template(actor=anna, template_id=seed.template, title="Vorlage-Kanzleimuster", intro="")
    questionnaires.update_question(actor=anna, question_id=seed.template_q1, text="Musterfrage-Eins", kind="text",
                                   required=False)
    questionnaires.update_question(actor=anna, question_id=template_q2, text="Musterfrage-Zwei", kind="file",
                                   required=False)
    seed.q1_ref = questionnaires.public_ref(seed.q1)
    view = questionnaires.questionnaire(actor=anna, questionnaire_id=seed.q1)
    seed.q1_text, seed.q1_file = (q.id for q in view.questions)

    # Firm-wide staff things, an export, push devices, a digest.
    seed.folder_template = folders.save_template(actor=admin, template_id=None, name="Ordnervorlage-Kanzlei",
                                                 entries=[{"path": "Steuern", "shared": True, "uploads": True}])
    seed.custom_field = clients.add_custom_field(actor=admin, target="account", label="Feld-Kanzleiintern",
                                                 kind="text")
    seed.export_key = booking_transfer.export_bookings(actor=anna, account_id=alpha.id, fmt="csv", year=2025).key
    seed.p256dh, seed.push_auth = _push_keys()
    seed.push_full = webpush.subscribe(actor=fiona, endpoint="http://127.0.0.1:9/push/fiona", p256dh=seed.p256dh,
                                       auth=seed.push_auth, device="Geraet-Vollalpha")
    seed.push_assigned = webpush.subscribe(actor=anna, endpoint="http://127.0.0.1:9/push/anna", p256dh=seed.p256dh,
                                           auth=seed.push_auth, device="Geraet-Buchhaltung-Alpha")
    digests.subscribe(actor=anna, account_id=alpha.id, frequency="weekly")

    # Sessions: one per password user, one opened by an emailed talk link; links to open.
    with db.session() as s:
        tokens = {name: auth.open_session(s, kind, row_id, now) for name, kind, row_id in (
            (ADMIN, SubjectKind.STAFF, seed.admin), (ASSIGNED, SubjectKind.STAFF, seed.acc_a),
            (UNASSIGNED, SubjectKind.STAFF, seed.acc_b), (FULL, SubjectKind.CONTACT, seed.full),
            (LIMITED, SubjectKind.CONTACT, seed.limited), (OTHER, SubjectKind.CONTACT, seed.other))}
        opened = magic_links.issue_talk_link(s, contact_id=seed.full)
        seed.talk_link = magic_links.issue_talk_link(s, contact_id=seed.full)
        seed.revoked_talk_link = magic_links.issue_talk_link(s, contact_id=seed.full)
        s.commit()
        row = s.exec(select(LoginToken).where(LoginToken.token_hash == hash_token(seed.revoked_talk_link))).one()
        row.revoked_at = now
        s.add(row)
        s.commit()
        seed.outbox_row = s.exec(select(Outbox.id).order_by(Outbox.id)).first()
    tokens[TALK] = magic_links.open_talk_link(token=opened, client="127.0.0.1").session_token
    seed.used_talk_link = opened
    seed.cookies = {name: f"{auth.SESSION_COOKIE}={auth.sign_session_token(token)}" for name, token in tokens.items()}
    seed.cookies[ANON] = seed.cookies[LINK] = ""

    with db.session() as s:
        docs = s.exec(select(Document)).all()
        by_name = {d.filename: d.blob_key for d in docs}
        audit.record(s, actor=None, action=audit.Action.DOCUMENT_DOWNLOADED, account_id=seed.a_id,
                     object_kind="document", detail={"name": "Protokoll-Alphaeintrag.pdf"})
        s.commit()
    seed.shared_key, seed.staff_key = by_name["alpha-freigegeben.png"], by_name["alpha-kanzleiintern.png"]
    seed.trashed_key, seed.b_key = by_name["alpha-papierkorb.png"], by_name["beta-dokument.png"]
    seed.talk_receipt_key, seed.private_key = by_name["alpha-beleg-talk.png"], by_name["alpha-privat-anhang.png"]
    seed.intern_key = by_name["alpha-intern-anhang.png"]
    from portal.storage import get_store
    for key in (*by_name.values(), seed.export_key):
        with get_store().open(key) as handle:
            seed.blobs[key] = handle.read()
    seed.marks = {**MARKS, "a_request_token": (MARKS["a_request_token"][0], (seed.request_token,)),
                  "a_export": (MARKS["a_export"][0], (seed.export_key,))}
    return seed


# Running calls


# Not compared between snapshots: counters of failed logins and guessed tokens (every refused
# attempt must write them) and when a session was last seen.
# The audit trail records refused attempts too (failed logins); tests/unit/test_audit.py checks it.
SKIPPED_TABLES = {"login_failure", "audit_event"}
VOLATILE_COLUMNS = {"auth_session": {"last_seen_at"}}


def snapshot(engine) -> dict[str, str]:
    """Row count and a hash of every row, per table."""
    out = {}
    with engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))]
        for table in sorted(set(tables) - SKIPPED_TABLES):
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            keep = [i for i, col in enumerate(result.keys()) if col not in VOLATILE_COLUMNS.get(table, set())]
            rows = sorted(repr(tuple(row[i] for i in keep)) for row in result)
            out[table] = f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()}"
    return out


def blob_files() -> set[str]:
    root = get_settings().blob_root
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@dataclasses.dataclass
class World:
    """The seeded database, the live copy the calls run against, and the seed's snapshot."""

    seed: Seed
    engine: Any
    live: Path
    seeded: Path
    baseline: dict[str, str]
    _watch: sqlite3.Connection | None = None

    def version(self) -> int:
        """SQLite's data version as this side connection sees it: moves with every commit of
        another connection, so an unchanged one spares the full snapshot."""
        if self._watch is None:
            self._watch = sqlite3.connect(self.live)
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def changed(self, version: int, blobs: set[str]) -> bool:
        """Whether rows or stored files differ from the seed since ``version`` and ``blobs``."""
        if blob_files() != blobs:
            return True
        return self.version() != version and snapshot(self.engine) != self.baseline

    def restore(self) -> None:
        """Back to the seed, after a call that changed something."""
        self.close()
        self.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.live}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.seeded, self.live)

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None


@pytest.fixture(scope="module")
def world(migrated_template, tmp_path_factory):
    patch = pytest.MonkeyPatch()
    work = tmp_path_factory.mktemp("authz")
    live, seeded = work / "live.db", work / "seeded.db"
    shutil.copy(migrated_template, live)
    engine = db.make_engine(f"sqlite:///{live}")
    patch.setattr(db, "get_engine", lambda: engine)
    patch.setattr(webpush, "_send_all", lambda pushes: None)  # no push service here
    patch.setattr(push_api, "_limit", push_api._RateLimit(100_000, 60.0))
    try:
        seed = _seed()
        engine.dispose()
        shutil.copy(live, seeded)
        world = World(seed=seed, engine=engine, live=live, seeded=seeded, baseline=snapshot(engine))
        yield world
        world.close()
    finally:
        engine.dispose()
        patch.undo()


@functools.cache
def _state_classes() -> dict[str, type[rx.State]]:
    found: dict[str, type[rx.State]] = {}

    def walk(cls: type[rx.State]) -> None:
        for sub in cls.get_substates():
            found[sub.__name__] = sub
            walk(sub)

    found[State.__name__] = State
    walk(State)
    return found


def _registered_name(state: str, handler: str) -> str:
    cls = _state_classes()[state]
    return next(name for name, reg in RegistrationContext.get().event_handlers.items()
                if reg.handler.fn is cls.event_handlers[handler].fn and cls in reg.states)


def _upload_param(handler) -> str | None:
    for name, param in inspect.signature(handler.fn).parameters.items():
        if "UploadChunkIterator" in str(param.annotation):
            return name
    return None


async def _chunks(files: tuple[tuple[str, bytes], ...]) -> UploadChunkIterator:
    chunks = UploadChunkIterator(maxsize=len(files) + 1)
    for filename, data in files:
        await chunks.push(UploadChunk(filename=filename, offset=0, content_type="application/octet-stream",
                                      data=data))
    await chunks.finish()
    return chunks


async def _dispatch(root: State, cls: type[rx.State], name: str, payload: dict, sent: list[Event],
                    depth: int = 0) -> None:
    """Run one handler as Reflex would (payload conversion, chained backend events); collect
    what goes to the browser."""
    handler = cls.event_handlers[name]
    state = await root.get_state(cls)
    result = handler.fn(state, **_prepare_event_payload(handler, payload))
    if inspect.isawaitable(result):
        result = await result
    produced = []
    if inspect.isasyncgen(result):
        produced = [item async for item in result]
    elif inspect.isgenerator(result):
        while True:
            try:
                produced.append(next(result))
            except StopIteration as done:
                produced.append(done.value)
                break
    else:
        produced = [result]
    for item in produced:
        for event in Event.from_event_type(item):
            if event.name.startswith("_"):
                sent.append(event)
            elif depth < 3:
                path, chained = event.name.rsplit(".", 1)
                await _dispatch(root, State.get_class_substate(path), chained, dict(event.payload), sent, depth + 1)


def _tab(seed: Seed, actor: str, url: str) -> State:
    root = State(_reflex_internal_init=True)
    parts = urlsplit(url)
    root.router_data = {"pathname": parts.path, "asPath": url, "query": dict(parse_qsl(parts.query)),
                        "headers": {"cookie": seed.cookies[actor], "accept-language": "de-DE,de;q=0.9",
                                    "origin": get_settings().base_url, "user-agent": "Matrix"},
                        "token": f"tab-{actor}", "sid": f"sid-{actor}", "ip": "127.0.0.1"}
    root.router = RouterData.from_router_data(root.router_data)
    return root


def _shown(root: State, sent: list[Event]) -> str:
    """Everything the browser gets: every state's vars and the events sent (not the router data,
    which only echoes the browser's own URL)."""
    tree = root.dict()
    for name, values in tree.items():
        tree[name] = {k: v for k, v in values.items() if not k.startswith("router")
                      and not (name.endswith("session_state") and k.startswith("messages"))}
    return json.dumps(tree, default=str) + json.dumps([e.payload for e in sent], default=str)


@dataclasses.dataclass
class Outcome:
    """What one call did: changed rows or blobs, offered a download, showed private strings."""

    changed: bool
    shown: set[str]
    offered: bool = False
    error: BaseException | None = None
    server_error: bool = False


def _visible_marks(seed: Seed, shown_text: str) -> set[str]:
    return {mark for mark, (_, strings) in seed.marks.items() if any(s in shown_text for s in strings)}


def call(world: World, key: str, case: Case, actor: str) -> Outcome:
    """Call ``key``'s handler as ``actor`` in a hostile tab; restore the seed if it changed anything."""
    seed, classes = world.seed, _state_classes()
    state_name, name = key.split(".")
    cls = classes[state_name]
    url = resolve(case.url or STATE_URLS.get(state_name, routes.INDEX), seed, actor)

    root, sent, errors = _tab(seed, actor, url), [], []

    async def run() -> None:
        # Returns nothing: asyncio.run's SIGINT bookkeeping would repr a returned state tree.
        for target, value in {**TAB, **case.pre}.items():
            owner, var = target.split(".")
            setattr(await root.get_state(classes[owner]), var, resolve(value, seed, actor))
        payload = resolve(case.args, seed, actor)
        param = _upload_param(cls.event_handlers[name])
        if param:
            payload[param] = await _chunks(case.files)
        try:
            await _dispatch(root, cls, name, payload, sent)
        except Exception as err:  # noqa: BLE001 - judged below
            errors.append(err)

    version, blobs = world.version(), blob_files()
    asyncio.run(run())
    error = errors[0] if errors else None
    changed = world.changed(version, blobs)
    if changed:
        world.restore()
    return Outcome(changed=changed, shown=_visible_marks(seed, _shown(root, sent)),
                   offered=any(e.name == "_download" for e in sent), error=error)


def _cases(line: Case | list[Case]) -> list[Case]:
    return line if isinstance(line, list) else [line]


def judge(world: World, label: str, actor: str, outcome: Outcome, *, allow: frozenset[str], reached: bool,
          readers: frozenset[str] = NOONE) -> list[str]:
    """What is wrong with one call's outcome (empty: as the matrix says).

    Args:
        allow: Who may reach the target.
        reached: Whether the call reached it.
        readers: Who may read with this handler at all (their own read marks may change rows
            even where this line's target is not theirs).
    """
    problems = []
    leaked = sorted(m for m in outcome.shown if actor not in world.seed.marks[m][0])
    if leaked:
        problems.append(f"{label} as {actor}: LEAK of {leaked}")
    if actor in allow and not reached:
        problems.append(f"{label} as {actor}: expected to get through, did nothing ({outcome.error!r})")
    if actor not in allow and reached:
        problems.append(f"{label} as {actor}: LEAK, got through (changed={outcome.changed}, shows {outcome.shown})")
    if actor not in allow | readers and outcome.changed:
        problems.append(f"{label} as {actor}: refused, but rows or files changed")
    if outcome.server_error:
        problems.append(f"{label} as {actor}: server error instead of an answer")
    error = outcome.error
    if error is not None and not isinstance(error, AccessDenied | UserError):
        problems.append(f"{label} as {actor}: unexpected {error!r}")
    return problems


def _http_clients() -> dict[str, TestClient]:
    from reflex_components_core.core._upload import upload

    base = get_settings().base_url
    upload_app = Starlette(routes=[Route("/_upload", upload(portal_app.app), methods=["POST"])])
    return {"api": TestClient(build_api(), base_url=base, raise_server_exceptions=False),
            "upload": TestClient(upload_app, base_url=base, raise_server_exceptions=False)}


def request(world: World, clients: dict[str, TestClient], hit: Hit, actor: str):
    """Send ``hit`` with ``actor``'s cookie; restore the seed if it changed anything."""
    seed = world.seed
    headers = {"origin": get_settings().base_url, **resolve(hit.headers, seed, actor)}
    if seed.cookies[actor]:
        headers["cookie"] = seed.cookies[actor]
    kwargs: dict[str, Any] = {}
    if hit.form is not None:
        kwargs["data"] = resolve(hit.form, seed, actor)
    if hit.json is not None:
        kwargs["json"] = resolve(hit.json, seed, actor)
    version, blobs = world.version(), blob_files()
    response = clients[hit.app].request(hit.method, resolve(hit.path, seed, actor), headers=headers,
                                        follow_redirects=False, **kwargs)
    changed = world.changed(version, blobs)
    if changed:
        world.restore()
    shown_text = response.content.decode("utf-8", "replace") + json.dumps(dict(response.headers))
    return response, Outcome(changed=changed, shown=_visible_marks(seed, shown_text),
                             server_error=response.status_code >= 500 and not hit.server_error)


# Discovery

# Reflex's own states: hydration, on_load dispatch, browser storage sync, frontend error reports.
# Their portal-visible effects are covered here: the on_load handlers they queue are lines of
# HANDLERS, and the browser storage they write (update_vars_internal) is prefilled in TAB.
REFLEX_STATES = {"State", "OnLoadInternalState", "UpdateVarsInternalState", "FrontendEventExceptionState",
                 "SharedStateBaseInternal"}
# ``setvar`` only calls a state's ``set_<var>`` handler (test_setvar_reaches_only_listed_handlers).
SETVAR = "setvar"


def discovered_handlers() -> set[str]:
    keys = set()
    for name, cls in _state_classes().items():
        if name in REFLEX_STATES:
            assert cls.__module__.startswith("reflex"), f"{name} is not Reflex's own state"
            continue
        keys.update(f"{name}.{handler}" for handler in cls.event_handlers if handler != SETVAR)
    return keys


def discovered_routes() -> set[str]:
    api = build_api()
    keys = {f"{method} {route.path}" for route in api.routes for method in route.methods - {"HEAD"}}
    keys.add(f"POST {rx.constants.Endpoint.UPLOAD}")
    if any(m.cls is upload_links.UploadLinkGate for m in api.user_middleware):
        keys.add("GET " + routes.UPLOAD_LINK.replace("[token]", "{token}"))
    return keys


def test_every_handler_and_route_has_a_line():
    classes = [cls.__name__ for cls in _state_classes().values()]
    assert len(classes) == len(set(classes)), "state class names must be unique for the matrix"
    handlers = discovered_handlers()
    assert sorted(handlers - set(HANDLERS)) == [], "handlers without a line in HANDLERS"
    assert sorted(set(HANDLERS) - handlers) == [], "lines in HANDLERS for handlers that do not exist"
    found = discovered_routes()
    assert sorted(found - set(ROUTES)) == [], "routes without a line in ROUTES"
    assert sorted(set(ROUTES) - found) == [], "lines in ROUTES for routes that do not exist"
    # Auto-generated setters (state_auto_setters) would be handlers like any other: discovered above.


def test_setvar_reaches_only_listed_handlers():
    """``setvar(name, value)`` calls ``set_<name>``: only ever one of the handlers listed above
    (or Reflex's own ``set_is_hydrated``, which every state inherits)."""
    for name, cls in _state_classes().items():
        if name in REFLEX_STATES:
            continue
        for attr in dir(cls):
            if attr.startswith("set_") and attr not in State.event_handlers and callable(getattr(cls, attr, None)):
                assert attr in cls.event_handlers and f"{name}.{attr}" in HANDLERS, f"{name}.{attr}"


def test_browser_storage_of_portal_states_is_prefilled():
    """Browser storage is the browser's to set; each such var starts hostile in every tab."""
    for name, cls in _state_classes().items():
        if name in REFLEX_STATES:
            continue
        for var in cls.base_vars:
            if cls._is_client_storage(var):
                assert f"{name}.{var}" in TAB, f"{name}.{var} is browser storage: aim it at Alpha in TAB"


def reaches(case: Case, outcome: Outcome) -> bool:
    """A read reaches its target when a mark of it shows; a write when anything changed."""
    if outcome.offered or outcome.shown & set(case.marks):
        return True
    return not case.marks and outcome.changed


@pytest.mark.parametrize("key", sorted(HANDLERS))
def test_handler(world, key):
    cases = _cases(HANDLERS[key])
    readers = frozenset().union(*(case.allow for case in cases if case.marks))
    problems = []
    for index, case in enumerate(cases):
        for actor in ACTORS:
            outcome = call(world, key, case, actor)
            problems += judge(world, f"{key}[{index}]", actor, outcome, allow=case.allow,
                              reached=reaches(case, outcome), readers=readers)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_route(world, key):
    clients = _http_clients()
    problems = []
    for index, hit in enumerate(_cases(ROUTES[key])):
        for actor in ACTORS:
            response, outcome = request(world, clients, hit, actor)
            problems += judge(world, f"{key}[{index}]", actor, outcome, allow=hit.allow,
                              reached=hit.reached(response, world.seed, outcome.changed))
    assert not problems, "\n".join(problems)


def test_explicit_cases_are_in_the_matrix():
    """What the issue names, so a rewrite of the tables cannot drop it silently."""
    threads = _cases(HANDLERS["ThreadPanelState.open_thread"])
    # A private conversation: the other contact of the same client is refused.
    assert any("a_private" in case.marks and FULL not in case.allow and LIMITED in case.allow for case in threads)
    # An internal talk: every contact is refused.
    assert any("a_intern" in case.marks and not case.allow - STAFF for case in threads)
    # Another client's document: its contact and accountant are refused.
    shared = _cases(ROUTES["GET /files/{key}"])[0]
    assert not shared.allow & {OTHER, UNASSIGNED, LIMITED, TALK}
    # Revoked links (request links, talk links) let nobody in.
    assert not _cases(ROUTES["GET /u/{token}"])[1].allow and not _cases(ROUTES["GET /t/{token}"])[2].allow
    assert not _cases(HANDLERS["UploadLinkState.receive"])[1].allow
    # A talk link's session reaches no documents: neither the page nor a filed document.
    assert TALK not in HANDLERS["ClientDocumentsState.load"].allow
    assert all(TALK not in hit.allow for hit in _cases(ROUTES["GET /files/{key}"])[:4])
