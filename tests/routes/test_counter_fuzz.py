"""Property test: whatever is typed into the counter's case form, the answer is a page, never a 500."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from center.app import create_app
from center.config import DEMO_PASSWORD
from tests.factories import CSRF_RE

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
digits = st.text(alphabet="0123456789Xx -", max_size=24)


@pytest.fixture
def worker_client(demo_db):
    """One logged-in kiosk for all the examples (hypothesis runs them inside one test call)."""
    with TestClient(app=create_app(demo_db), base_url="http://testserver.local") as client:
        token = CSRF_RE.search(client.get("/login").text).group(1)
        client.post("/login", data={"_csrf_token": token, "username": "worker", "password": DEMO_PASSWORD})
        yield client


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    resident_name=text, id_number=st.one_of(digits, text), phone=st.one_of(digits, text), note=st.text(max_size=700),
    action=st.sampled_from(["accept", "consult", "", "refuse", "<script>"]),
    item_id=st.one_of(st.integers(min_value=-5, max_value=60).map(str), text),
    brought=st.lists(st.one_of(st.integers(min_value=-3, max_value=9).map(str), text), max_size=4),
    htmx=st.booleans(),
)
def test_case_form_never_answers_500(worker_client, resident_name, id_number, phone, note, action, item_id, brought,
                                     htmx):
    token = CSRF_RE.search(worker_client.get("/counter").text).group(1)
    headers = {"hx-request": "true", "hx-target": "work-panel"} if htmx else {}
    response = worker_client.post("/counter/receive", headers=headers, follow_redirects=False, data={
        "_csrf_token": token, "resident_name": resident_name, "id_number": id_number, "phone": phone,
        "note": note, "action": action, "item_id": item_id, "brought": brought,
    })
    assert response.status_code in (200, 302, 422), response.text[:500]
    if response.status_code == 422:
        alert = re.search(r'role="alert">([^<]+)<', response.text)
        assert alert and re.search(r"[\u4e00-\u9fff]", alert.group(1))
    assert "Traceback" not in response.text
