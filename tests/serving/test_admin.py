"""backend/serving/admin.py: the token, listing with filters and pages, one drawing, export, delete."""

import io
import json
import zipfile

import pytest

from backend.core.drawing_export import read_export
from tests.support.drawings import ONE, SEVEN, feedback_body
from tests.support.drawings import feedback_app as make_app

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(predictor, database_url, tmp_path):
    app = make_app(predictor, database_url, tmp_path, ADMIN_TOKEN=TOKEN, FEEDBACK_RATE_LIMIT="off")
    yield app
    app.extensions["drawings"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, **fields):
    response = client.post("/feedback", json=feedback_body(**fields))
    assert response.status_code == 201, response.json
    return response.json["id"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_a_token_setting_the_admin_endpoints_are_off(predictor, database_url, tmp_path):
    client = make_app(predictor, database_url, tmp_path, ADMIN_TOKEN="").test_client()
    for method, path in (("GET", "/admin/drawings"), ("GET", "/admin/export"), ("DELETE", "/admin/drawings/x")):
        response = client.open(path, method=method, headers=AUTH)
        assert response.status_code == 404 and response.json["error"]["code"] == "admin_disabled", path


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": TOKEN}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Basic czNjcmV0"}],
    ids=["none", "no scheme", "wrong token", "basic"],
)
def test_a_missing_or_wrong_token_is_401(client, headers):
    post(client)
    for method, path in (("GET", "/admin/drawings"), ("GET", "/admin/export"), ("DELETE", "/admin/drawings/x")):
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized", path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_list_with_filters_and_pages(client):
    sevens = [post(client, strokes=SEVEN, predicted=1, label=7) for _ in range(3)]
    confirmed = post(client, strokes=ONE, predicted=1, label=1)
    shared = post(client, strokes=ONE, predicted=1, label=None)

    listing = client.get("/admin/drawings?per_page=2", headers=AUTH).json
    assert (listing["total"], listing["pages"], listing["page"], listing["per_page"]) == (5, 3, 1, 2)
    assert [d["id"] for d in listing["drawings"]] == [shared, confirmed]
    assert set(listing["drawings"][0]) == {
        *("id", "created_at", "label", "predicted", "confidence", "model", "shared", "strokes", "points"),
    }
    last = client.get("/admin/drawings?per_page=2&page=3", headers=AUTH).json
    assert [d["id"] for d in last["drawings"]] == [sevens[0]]

    def ids(query):
        response = client.get(f"/admin/drawings?{query}", headers=AUTH)
        assert response.status_code == 200, response.json
        return {d["id"] for d in response.json["drawings"]}

    assert ids("label=7") == set(sevens)
    assert ids("wrong=true") == set(sevens) and ids("wrong=false") == {confirmed}
    assert ids("corrected=false") == {shared} and ids("shared=true") == {shared}
    assert ids("predicted=1&label=1") == {confirmed}
    assert ids("model=cnn-test") == {*sevens, confirmed, shared} and ids("model=other") == set()
    assert ids("since=2000-01-01&until=2999-01-01T00:00Z") == {*sevens, confirmed, shared}
    assert ids("since=2999-01-01") == set()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "query", ["label=10", "label=x", "page=0", "per_page=501", "wrong=maybe", "since=yesterday", "colour=red"]
)
def test_bad_queries_are_400(client, query):
    response = client.get(f"/admin/drawings?{query}", headers=AUTH)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_query"
    assert query.split("=")[0] in response.json["error"]["message"]


def test_one_drawing_in_full_even_when_not_shared(client):
    drawing_id = post(client, strokes=SEVEN, label=7)
    drawing = client.get(f"/admin/drawings/{drawing_id}", headers=AUTH).json
    assert drawing["strokes"] == SEVEN and drawing["label"] == 7 and drawing["shared"] is False
    assert drawing["image"].startswith("data:image/png;base64,")


def test_export_is_a_zip_data_set_of_the_drawings_that_match(client, tmp_path):
    sevens = [post(client, strokes=SEVEN, predicted=1, label=7) for _ in range(2)]
    post(client, strokes=ONE, predicted=1, label=None)
    response = client.get("/admin/export?corrected=true", headers=AUTH)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["X-Drawings-Count"] == "2"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = set(archive.namelist())
        content = json.loads(archive.read("drawings.json"))
    assert names == {"drawings.csv", "drawings.json", *(f"images/{i}.png" for i in sevens)}
    assert [(d["id"], d["label"], d["strokes"]) for d in content["drawings"]] == [(i, 7, SEVEN) for i in sevens]
    path = tmp_path / "export.zip"
    path.write_bytes(response.data)
    assert [d["id"] for d in read_export(path)] == sevens  # what training reads


def test_delete(client):
    drawing_id = post(client, label=None)
    assert client.delete(f"/admin/drawings/{drawing_id}", headers=AUTH).status_code == 204
    assert client.get(f"/drawings/{drawing_id}").status_code == 404
    again = client.delete(f"/admin/drawings/{drawing_id}", headers=AUTH)
    assert again.status_code == 404 and again.json["error"]["code"] == "not_found"
    assert client.get("/admin/drawings", headers=AUTH).json["total"] == 0
