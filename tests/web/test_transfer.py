"""The import and export page: the inventory's own actions, behind the roles that may use them."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forceb.inventory.models import BusinessService


def test_export_gives_the_organisations_own_rows_only(sector, inventory, ui):
    response = ui(sector.bank_auditor).get(reverse("web:inventory-export"), {"fmt": "json"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    names = [s["name"] for s in json.loads(response.content)["services"]]
    assert names == ["Retail payments"]
    csv = ui(sector.bank_admin).get(reverse("web:inventory-export"), {"fmt": "csv", "kind": "systems"})
    assert b"Core banking" in csv.content and b"Claims engine secret" not in csv.content
    assert ui(sector.bank_admin).get(reverse("web:inventory-export"), {"fmt": "csv"}).status_code == 400


def test_import_stores_a_good_file_and_refuses_a_bad_one_whole(sector, inventory, ui):
    client = ui(sector.bank_analyst)
    page = reverse("web:inventory-transfer")
    good = SimpleUploadedFile("services.csv", b"name,criticality\nCard issuing,high\nATM network,critical\n")
    response = client.post(page, {"file": good, "kind": "services"})
    assert response.status_code == 200 and "Imported: 2 created" in response.content.decode()
    assert BusinessService.objects.filter(owner=sector.bank, name="ATM network", criticality="critical").exists()

    bad = SimpleUploadedFile("services.csv", b"name,criticality\nBranch,high\nTeller,urgent\n")
    response = client.post(page, {"file": bad, "kind": "services"})
    body = response.content.decode()
    assert response.status_code == 400 and "Refused, nothing was imported" in body and "line 3" in body
    assert not BusinessService.objects.filter(name="Branch").exists()

    unnamed = SimpleUploadedFile("services.csv", b"name\nX\n")
    response = client.post(page, {"file": unnamed})
    assert response.status_code == 400 and "Say which kind of rows" in response.content.decode()


def test_readers_export_but_do_not_import(sector, inventory, ui):
    page = reverse("web:inventory-transfer")
    auditor = ui(sector.bank_auditor)
    assert auditor.get(page).status_code == 200
    upload = SimpleUploadedFile("services.csv", b"name\nSneaky\n")
    assert auditor.post(page, {"file": upload, "kind": "services"}).status_code == 404
    assert not BusinessService.objects.filter(name="Sneaky").exists()
    assert ui(sector.hub_analyst).get(page).status_code == 404
