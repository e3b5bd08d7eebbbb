"""DIGITS_TRUSTED_PROXIES: behind nginx, the client is the address nginx forwards (a rate limit per person)."""

from tests.support.drawings import feedback_app as make_app
from tests.support.drawings import feedback_body

PROXY = {"REMOTE_ADDR": "10.0.0.5"}  # every request arrives from nginx


def poster(app):
    client = app.test_client()

    def post(forwarded_for: str) -> int:
        headers = {"X-Forwarded-For": forwarded_for}
        return client.post("/feedback", json=feedback_body(), environ_base=PROXY, headers=headers).status_code

    return post


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(predictor, tmp_path):
    database = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    app = make_app(predictor, database, tmp_path, FEEDBACK_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    post = poster(app)
    assert [post("192.0.2.1") for _ in range(3)] == [201, 201, 429]
    assert post("192.0.2.2") == 201  # another person behind the same proxy
    # nginx appends the address it saw; what a client wrote before it is not believed
    assert post("192.0.2.2, 192.0.2.1") == 429


def test_without_trusted_proxies_forwarded_addresses_are_ignored(predictor, tmp_path):
    app = make_app(predictor, f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, FEEDBACK_RATE_LIMIT="2 per minute")
    post = poster(app)
    assert [post(f"192.0.2.{n}") for n in range(3)] == [201, 201, 429]  # all one client: the proxy
