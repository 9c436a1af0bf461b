"""The documents area: folders from the template, sharing, uploads, changes, who reads what."""

import asyncio

import pytest
from sqlmodel import select

from portal import realtime
from portal.domain.enums import AccountKind
from portal.models import Document, Folder, FolderTemplate
from portal.services import db, documents, folders
from portal.services.access import AccessDenied, NotFound
from portal.services.folders import FolderError
from portal.services.uploads import UploadRefused
from portal.storage import get_store
from tests import factories

PDF = b"%PDF-1.4\n" + b"x" * 600


async def _chunks(data: bytes, size: int = 100):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def upload(actor, folder_id: int, data: bytes = PDF, name: str = "Bescheid.pdf") -> int:
    return asyncio.run(documents.upload_document(actor=actor, folder_id=folder_id, filename=name,
                                                 chunks=_chunks(data)))


@pytest.fixture
def office(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    anna = factories.staff()
    account = factories.client(name="Ordner GmbH", accountants=(anna,))
    maria = factories.contact(account=account)
    stranger = factories.staff(name="Fremd")
    view = documents.browse(actor=factories.actor(anna), account_id=account.id)
    return {"anna": factories.actor(anna), "maria": factories.actor(maria), "account": account,
            "stranger": factories.actor(stranger), "uploads": view.subfolders[0]}


def test_new_client_gets_the_default_upload_folder_shared(office):
    top = office["uploads"]
    assert top.name == "Vom Kunden hochgeladene Dokumente" and top.shared and top.uploads_default
    with db.session() as s:
        assert folders.uploads_folder(s, office["account"].id).id == top.id


def test_firm_template_creates_nested_folders(fresh_db):
    with db.session() as s:
        s.add(FolderTemplate(name="Standard", is_default=True, folders=[
            {"path": "Steuern/2026", "shared": True}, {"path": "Intern"},
            {"path": "Belege", "shared": True, "uploads": True}]))
        s.commit()
    anna = factories.staff()
    account = factories.client(name="Vorlage KG", accountants=(anna,))
    names = [(n.depth, n.name, n.visible_to_client) for n in
             documents.browse(actor=factories.actor(anna), account_id=account.id).tree]
    assert names == [(0, "Belege", True), (0, "Intern", False), (0, "Steuern", False), (1, "2026", True)]


def test_client_users_see_shared_folders_only(office):
    anna, maria = office["anna"], office["maria"]
    secret = folders.create_folder(actor=anna, account_id=office["account"].id, parent_id=None, name="Intern")
    upload(anna, secret, name="Kalkulation.pdf")
    seen = documents.browse(actor=maria, account_id=office["account"].id)
    assert [f.name for f in seen.subfolders] == ["Vom Kunden hochgeladene Dokumente"]
    with pytest.raises(NotFound):
        documents.browse(actor=maria, account_id=office["account"].id, folder_id=secret)
    with db.session() as s:
        key = s.exec(select(Document.blob_key)).one()
    with pytest.raises(NotFound):
        documents.readable_document(actor=maria, key=key)
    folders.set_shared(actor=anna, folder_id=secret, shared=True)
    assert documents.readable_document(actor=maria, key=key).filename == "Kalkulation.pdf"


def test_sharing_a_folder_shares_its_subfolders(office):
    anna = office["anna"]
    parent = folders.create_folder(actor=anna, account_id=office["account"].id, parent_id=None, name="Steuern")
    child = folders.create_folder(actor=anna, account_id=office["account"].id, parent_id=parent, name="2026")
    folders.set_shared(actor=anna, folder_id=parent, shared=True)
    view = documents.browse(actor=office["maria"], account_id=office["account"].id, folder_id=child)
    assert [p.name for p in view.path] == ["Steuern", "2026"]


def test_client_uploads_into_a_shared_folder_and_staff_see_who(office):
    doc_id = upload(office["maria"], office["uploads"].id, name="../../etc/Lohn\u202egpj.pdf")
    view = documents.browse(actor=office["anna"], account_id=office["account"].id, folder_id=office["uploads"].id)
    (row,) = view.documents
    assert row.id == doc_id and row.uploaded_by == "Maria Hofmann"
    assert "/" not in row.filename and "\u202e" not in row.filename and row.filename.endswith(".pdf")


def test_a_folder_lists_its_newest_documents_first_a_step_at_a_time(office):
    ids = [upload(who, office["uploads"].id, name=f"Beleg {i}.pdf")
           for i, who in enumerate((office["maria"], office["anna"], office["maria"]))]
    def listed(limit):
        view = documents.browse(actor=office["anna"], account_id=office["account"].id,
                                folder_id=office["uploads"].id, limit=limit)
        return [(d.id, d.uploaded_by) for d in view.documents]

    assert listed(2) == [(ids[2], "Maria Hofmann"), (ids[1], "Anna Schmidt")]
    assert [doc_id for doc_id, _ in listed(10)] == ids[::-1]


def test_client_cannot_upload_into_an_unshared_folder(office):
    secret = folders.create_folder(actor=office["anna"], account_id=office["account"].id, parent_id=None,
                                   name="Intern")
    with pytest.raises(NotFound):
        upload(office["maria"], secret)


@pytest.mark.parametrize("data, key", [
    (b"MZ\x90\x00" + b"x" * 600, "upload.error.document_type"), (b"", "upload.error.empty")])
def test_refused_uploads_leave_nothing(office, data, key):
    with pytest.raises(UploadRefused) as refused:
        upload(office["anna"], office["uploads"].id, data=data, name="rechnung.pdf")
    assert refused.value.key == key
    with db.session() as s:
        assert s.exec(select(Document)).all() == []


def test_html_is_stored_but_only_as_a_download(office):
    doc_id = upload(office["anna"], office["uploads"].id, data=b"<html><script>alert(1)</script></html>",
                    name="seite.html")
    with db.session() as s:
        doc = s.get(Document, doc_id)
    assert doc.content_type == "text/html"


@pytest.mark.parametrize("name, char", [("Steuer: 2026", ":"), ('A"B', '"'), ("a/b", "/"), ("a\\b", "\\"),
                                        ("a|b", "|"), ("wer?", "?"), ("*", "*")])
def test_folder_names_with_forbidden_characters_are_refused_naming_the_character(office, name, char):
    with pytest.raises(FolderError) as refused:
        folders.create_folder(actor=office["anna"], account_id=office["account"].id, parent_id=None, name=name)
    assert refused.value.key == "folder.error.char" and refused.value.params["char"] == char


def test_rename_move_and_delete(office):
    anna, account_id = office["anna"], office["account"].id
    a = folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="A")
    b = folders.create_folder(actor=anna, account_id=account_id, parent_id=a, name="B")
    with pytest.raises(FolderError) as cycle:
        folders.move_folder(actor=anna, folder_id=a, parent_id=b)
    assert cycle.value.key == "folder.error.cycle"
    with pytest.raises(FolderError):
        folders.create_folder(actor=anna, account_id=account_id, parent_id=None, name="a")  # same name
    folders.rename_folder(actor=anna, folder_id=b, name="Bescheide")
    folders.move_folder(actor=anna, folder_id=b, parent_id=None)
    doc_id = upload(anna, b)
    documents.rename_document(actor=anna, document_id=doc_id, name="Bescheid 2026")
    documents.move_document(actor=anna, document_id=doc_id, folder_id=a)
    with db.session() as s:
        doc = s.get(Document, doc_id)
        assert (doc.filename, doc.folder_id) == ("Bescheid 2026.pdf", a)
        key = doc.blob_key
    # Deleting moves into the trash (tests/unit/test_retention.py): the file stays until the purge.
    documents.delete_document(actor=anna, document_id=doc_id)
    assert documents.browse(actor=anna, account_id=account_id, folder_id=a).documents == ()
    get_store().open(key).close()
    folders.delete_folder(actor=anna, folder_id=b)
    assert [n.name for n in documents.browse(actor=anna, account_id=account_id).tree if n.name == "Bescheide"] == []
    with pytest.raises(FolderError):
        folders.delete_folder(actor=anna, folder_id=office["uploads"].id)  # the uploads folder stays


def test_only_staff_of_the_client_change_folders(office):
    with pytest.raises(NotFound):
        folders.create_folder(actor=office["stranger"], account_id=office["account"].id, parent_id=None, name="X")
    with pytest.raises(AccessDenied):
        folders.rename_folder(actor=office["maria"], folder_id=office["uploads"].id, name="X")
    with pytest.raises(NotFound):
        documents.browse(actor=office["stranger"], account_id=office["account"].id)


def test_guest_account_folders_are_never_shared(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    admin = factories.actor(factories.staff(role=factories.Role.ADMIN))
    guest = factories.client(name="Gastkonto", kind=AccountKind.GUEST)
    (top,) = documents.browse(actor=admin, account_id=guest.id).subfolders
    assert not top.shared
    with pytest.raises(FolderError):
        folders.set_shared(actor=admin, folder_id=top.id, shared=True)
    with db.session() as s:
        assert s.get(Folder, top.id) is not None


def test_admins_manage_folder_templates(fresh_db):
    admin = factories.actor(factories.staff(role=factories.Role.ADMIN))
    anna = factories.actor(factories.staff())
    with pytest.raises(AccessDenied):
        folders.save_template(actor=anna, template_id=None, name="X", entries=[{"path": "A"}])
    template_id = folders.save_template(actor=admin, template_id=None, name="GmbH", entries=[
        {"path": " Buchhaltung / Belege ", "shared": True, "uploads": True}, {"path": ""}, {"path": "Verträge"}])
    (view,) = folders.list_templates(actor=anna)
    assert view.entries == ({"path": "Buchhaltung/Belege", "shared": True, "uploads": True},
                            {"path": "Verträge", "shared": False, "uploads": False})
    for entries, key in [([], "template.error.no_folders"),
                         ([{"path": "A", "uploads": True}, {"path": "B", "uploads": True}],
                          "template.error.two_upload_folders"),
                         ([{"path": "A"}, {"path": "a"}], "template.error.duplicate"),
                         ([{"path": "Steuer: 2026"}], "folder.error.char")]:
        with pytest.raises(FolderError) as refused:
            folders.save_template(actor=admin, template_id=template_id, name="GmbH", entries=entries)
        assert refused.value.key == key
    folders.set_default_template(actor=admin, template_id=template_id)
    account = factories.client(name="Neu GmbH")
    names = [n.name for n in documents.browse(actor=admin, account_id=account.id).tree]
    assert names == ["Buchhaltung", "Belege", "Verträge"]
    folders.delete_template(actor=admin, template_id=template_id)
    assert folders.list_templates(actor=admin) == []
