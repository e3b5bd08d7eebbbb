"""backend/serving/feedback.py, feedback_input.py, limits.py: POST /feedback, GET /drawings/<id>, /d/<id>."""

import base64

import pytest

from backend.core.database import drawings
from backend.core.samples import data_url
from backend.serving.storage import get_db
from tests.support.drawings import ONE, SEVEN, feedback_body, probabilities
from tests.support.drawings import feedback_app as make_app
from tests.support.images import png_claiming


@pytest.fixture
def app(predictor, tmp_path):
    return make_app(predictor, f"sqlite:///{tmp_path / 'feedback.sqlite3'}", tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


def stored(app, drawing_id):
    with app.app_context():
        return get_db().get(drawing_id)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_correction_is_stored_whole_and_stays_private(predictor, database_url, tmp_path):
    app = make_app(predictor, database_url, tmp_path)
    client = app.test_client()
    body = feedback_body(SEVEN, predicted=1, label=7)
    response = client.post("/feedback", json=body)
    assert response.status_code == 201, response.json
    answer = response.json
    assert answer["label"] == 7 and answer["shared"] is False and "url" not in answer
    drawing = stored(app, answer["id"])
    assert drawing.strokes == SEVEN and drawing.label == 7 and drawing.predicted == 1 and not drawing.shared
    assert drawing.png == base64.b64decode(body["image"].split(",", 1)[1])
    assert drawing.probabilities == body["probabilities"] and drawing.model == "cnn-test"
    assert (drawing.canvas_width, drawing.canvas_height) == (320, 320)
    assert client.get(f"/drawings/{answer['id']}").status_code == 404  # a correction is not public
    app.extensions["drawings"].engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_shared_drawing_can_be_read_by_its_link(predictor, database_url, tmp_path):
    app = make_app(predictor, database_url, tmp_path)
    client = app.test_client()
    body = feedback_body(ONE, predicted=1, label=None)  # a plain save is shared
    response = client.post("/feedback", json=body)
    assert response.status_code == 201
    drawing_id = response.json["id"]
    assert response.json["url"] == f"/d/{drawing_id}" and response.headers["Location"] == f"/drawings/{drawing_id}"
    shared = client.get(f"/drawings/{drawing_id}")
    assert shared.status_code == 200 and shared.headers["Cache-Control"] == "no-store"
    assert shared.json["strokes"] == ONE and shared.json["image"] == body["image"]
    assert shared.json["predicted"] == 1 and shared.json["probabilities"] == body["probabilities"]
    assert shared.json["confidence"] == pytest.approx(0.9) and shared.json["label"] is None
    assert shared.json["canvas"] == {"width": 320, "height": 320}
    app.extensions["drawings"].engine.dispose()


def test_a_correction_can_be_shared_too(client):
    response = client.post("/feedback", json=feedback_body(label=7, share=True))
    assert response.status_code == 201 and response.json["shared"] is True
    assert client.get(response.json["url"].replace("/d/", "/drawings/")).json["label"] == 7


def test_the_share_page_is_the_web_app_with_its_headers(client):
    drawing_id = client.post("/feedback", json=feedback_body(label=None)).json["id"]
    page = client.get(f"/d/{drawing_id}")
    assert page.status_code == 200 and b"Digit recognizer" in page.data
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["Cache-Control"] == "no-cache"


def test_the_share_page_of_a_drawing_not_shared_is_the_web_app_with_a_404(client):
    correction = client.post("/feedback", json=feedback_body(label=7)).json["id"]  # a correction, not shared
    for drawing_id in (correction, "AAAAAAAAAAAAAAAAAAAAAA", "a" * 65):
        page = client.get(f"/d/{drawing_id}")
        assert page.status_code == 404 and b"Digit recognizer" in page.data, drawing_id
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_unknown_and_malformed_ids_are_404(client):
    for path in ("/drawings/AAAAAAAAAAAAAAAAAAAAAA", "/drawings/..%2F..", "/drawings/" + "a" * 65):
        response = client.get(path)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found", path


def test_no_address_of_the_client_is_stored(app, client):
    client.post("/feedback", json=feedback_body(), environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert {c.name for c in drawings.columns} == {
        "id",
        "created_at",
        "label",
        "shared",
        "predicted",
        "probabilities",
        "model",
        "strokes",
        "canvas_width",
        "canvas_height",
        "png",
    }
    with app.app_context():
        (drawing,) = get_db().find().drawings
    assert "203.0.113" not in repr(drawing)


def bad(**fields):
    """A good body with some fields replaced."""
    body = feedback_body()
    body.update(fields)
    return body


def without(name):
    body = feedback_body()
    del body[name]
    return body


BAD_BODIES = [
    ("not JSON", dict(data="{nope", content_type="application/json"), 400, "invalid_json"),
    ("a form", dict(data={"label": "7"}), 415, "unsupported_media_type"),
    ("a list", dict(json=[1, 2]), 400, "invalid_feedback"),
    ("no strokes", dict(json=without("strokes")), 400, "invalid_feedback"),
    ("no image", dict(json=without("image")), 400, "invalid_feedback"),
    ("an unknown field", dict(json=bad(ip="1.2.3.4")), 400, "invalid_feedback"),
    ("label 10", dict(json=bad(label=10)), 400, "invalid_feedback"),
    ("label -1", dict(json=bad(label=-1)), 400, "invalid_feedback"),
    ("label '7'", dict(json=bad(label="7")), 400, "invalid_feedback"),
    ("label 7.0", dict(json=bad(label=7.0)), 400, "invalid_feedback"),
    ("label true", dict(json=bad(label=True)), 400, "invalid_feedback"),
    ("predicted 11", dict(json=bad(predicted=11)), 400, "invalid_feedback"),
    ("nine probabilities", dict(json=bad(probabilities=[0.1] * 9)), 400, "invalid_feedback"),
    ("eleven probabilities", dict(json=bad(probabilities=[1 / 11] * 11)), 400, "invalid_feedback"),
    ("probabilities not adding up", dict(json=bad(probabilities=[0.5] * 10)), 400, "invalid_feedback"),
    ("a negative probability", dict(json=bad(probabilities=[-0.1, 1.1] + [0] * 8)), 400, "invalid_feedback"),
    ("a string probability", dict(json=bad(probabilities=["0.1"] * 10)), 400, "invalid_feedback"),
    ("empty strokes", dict(json=bad(strokes=[])), 400, "invalid_feedback"),
    ("an empty stroke", dict(json=bad(strokes=[[]])), 400, "invalid_feedback"),
    ("a point off the canvas", dict(json=bad(strokes=[[[0.5, 1.5]]])), 400, "invalid_feedback"),
    ("a point of three", dict(json=bad(strokes=[[[0.5, 0.5, 0.5]]])), 400, "invalid_feedback"),
    ("a point as an object", dict(json=bad(strokes=[[{"x": 0.5, "y": 0.5}]])), 400, "invalid_feedback"),
    ("a stroke that is a number", dict(json=bad(strokes=[7])), 400, "invalid_feedback"),
    ("canvas without height", dict(json=bad(canvas={"width": 300})), 400, "invalid_feedback"),
    ("canvas of 0", dict(json=bad(canvas={"width": 0, "height": 300})), 400, "invalid_feedback"),
    ("an empty model", dict(json=bad(model="")), 400, "invalid_feedback"),
    ("a model of 65 characters", dict(json=bad(model="m" * 65)), 400, "invalid_feedback"),
    ("share 'yes'", dict(json=bad(share="yes")), 400, "invalid_feedback"),
    ("no label, not shared", dict(json=bad(label=None, share=False)), 400, "invalid_feedback"),
    ("image a number", dict(json=bad(image=5)), 400, "invalid_image_field"),
    ("image not base64", dict(json=bad(image="data:image/png;base64,@@@")), 400, "invalid_base64"),
    ("image not a PNG", dict(json=bad(image=data_url(b"GIF89a" + b"\0" * 40))), 400, "invalid_image"),
    ("image a huge PNG", dict(json=bad(image=data_url(png_claiming(5000, 5000)))), 413, "image_too_large"),
    ("too many strokes", dict(json=bad(strokes=[[[0.5, 0.5]]] * 101)), 413, "drawing_too_large"),
    ("too many points", dict(json=bad(strokes=[[[0.5, 0.5]] * 20_001])), 413, "drawing_too_large"),
]


@pytest.mark.parametrize(("why", "request_", "status", "code"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_feedback_is_refused_with_a_clear_json_error_and_nothing_stored(app, client, why, request_, status, code):
    response = client.post("/feedback", **request_)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code and response.json["error"]["message"]
    with app.app_context():
        assert get_db().count() == 0


def test_the_error_names_the_field(client):
    message = client.post("/feedback", json=feedback_body(label=12)).json["error"]["message"]
    assert '"label"' in message and "0 to 9" in message
    message = client.post("/feedback", json=feedback_body(probabilities=probabilities(1)[:9])).json["error"]["message"]
    assert '"probabilities"' in message and "ten" in message


def test_a_body_over_the_request_limit_is_413(predictor, tmp_path):
    app = make_app(predictor, f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, MAX_CONTENT_LENGTH=10_000)
    response = app.test_client().post("/feedback", json=feedback_body(strokes=[[[0.5, 0.5]] * 2000]))
    assert response.status_code == 413 and response.json["error"]["code"] == "request_too_large"


def test_writes_are_rate_limited_per_client(predictor, tmp_path):
    app = make_app(predictor, f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, FEEDBACK_RATE_LIMIT="3 per minute")
    client = app.test_client()
    alice, bob = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
    statuses = [client.post("/feedback", json=feedback_body(), environ_base=alice).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = client.post("/feedback", json=feedback_body(), environ_base=alice)
    assert refused.json["error"]["code"] == "rate_limited" and 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.post("/feedback", json=feedback_body(), environ_base=bob).status_code == 201  # another client
    assert client.get("/health", environ_base=alice).status_code == 200  # reads are not limited
    assert client.post("/predict", json={"image": ""}, environ_base=alice).json["error"]["code"] == "invalid_base64"
    with app.app_context():
        assert get_db().count() == 4


def test_the_rate_limiter_runs_only_for_the_feedback_blueprint(predictor, tmp_path):
    """Flask-Limiter's hooks cost every request of the app; POST /predict has no limit to check."""
    app = make_app(predictor, f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, FEEDBACK_RATE_LIMIT="3 per minute")
    registries = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)

    def limiter_hooks(scope):
        hooks = [hook for registry in registries for hook in registry.get(scope, ())]
        return [hook for hook in hooks if getattr(hook, "func", hook).__module__.startswith("flask_limiter")]

    assert limiter_hooks(None) == [] and len(limiter_hooks("feedback")) == 3


def test_the_rate_limit_can_be_turned_off(predictor, tmp_path):
    app = make_app(predictor, f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, FEEDBACK_RATE_LIMIT="off")
    client = app.test_client()
    assert {client.post("/feedback", json=feedback_body()).status_code for _ in range(40)} == {201}
