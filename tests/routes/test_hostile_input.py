"""Hostile text in every free-text field is stored as typed and rendered escaped on every page that shows it."""

import re


from center.config import DEMO_PASSWORD
from center.tables import Case
from center.timeutil import local_today
from tests.factories import csrf_token, item_id, load_demo, login, logout

PAYLOADS = ['<img src=x onerror=alert(1)>', "{{7*7}}", 'hx-get="/logout"']
RAW = re.compile(r"<img src=x|hx-get=\"/logout\"")  # live markup; "{{7*7}}" must stay literal (not 49)


async def test_hostile_text_is_escaped_everywhere(client, db):
    await load_demo(db)
    evil = " ".join(PAYLOADS)
    await login(client, "worker", DEMO_PASSWORD)
    token = await csrf_token(client, "/counter")
    created = await client.post("/counter/receive", follow_redirects=False, data={
        "_csrf_token": token, "item_id": str(await item_id("MZ01")), "action": "accept",
        "resident_name": evil[:40], "note": evil, "brought": ["0"]})
    assert created.status_code == 302
    case_url = created.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    version = (await Case.select(Case.version).where(Case.id == case_id).first())["version"]
    await client.post(f"{case_url}/actions", data={"_csrf_token": token, "action": "forward", "reason": evil,
                                                   "version": str(version)})
    worker_pages = ["/counter", case_url, f"{case_url}/slip", "/cases", "/cases?view=mine"]
    await logout(client)

    await login(client, "manager", DEMO_PASSWORD)
    token = await csrf_token(client, "/rosters/hours")
    today = local_today().isoformat()
    await client.post("/rosters/hours/announcements", data={"_csrf_token": token, "text": evil,
                                                            "starts_on": today, "ends_on": today})
    catalog = await client.get(f"/catalog/{await item_id('ZF04')}/edit")
    assert catalog.status_code == 200
    form_token = re.search(r'name="_csrf_token" value="([^"]+)"', catalog.text).group(1)
    version = re.search(r'name="version" value="(\d+)"', catalog.text).group(1)
    category = re.search(r'<option value="(\d+)" selected>', catalog.text).group(1)
    saved = await client.post(f"/catalog/{await item_id('ZF04')}", follow_redirects=False, data={
        "_csrf_token": form_token, "version": version, "code": "ZF04", "name": "缴存证明 " + evil[:60],
        "category_id": category, "department": "市住房公积金管理中心", "kind": "immediate", "promised_days": "0",
        "fee": "不收费", "legal_basis": evil, "m_name": ["居民身份证 " + PAYLOADS[0]], "m_form": ["original"],
        "m_copies": ["1"], "m_note": [evil]})
    assert saved.status_code == 302
    manager_pages = [f"/catalog/{await item_id('ZF04')}", "/catalog", "/catalog?q=zf04", "/rosters/hours",
                     "/counter/stats", case_url]
    for path in manager_pages:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert not RAW.search(response.text), f"unescaped payload on {path}"
        if path in (manager_pages[0], "/rosters/hours", case_url):
            assert "{{7*7}}" in response.text, f"template text evaluated on {path}"
    await logout(client)

    await login(client, "worker", DEMO_PASSWORD)
    for path in worker_pages:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert not RAW.search(response.text), f"unescaped payload on {path}"
        if path == case_url:
            assert "&lt;img src=x" in response.text and "{{7*7}}" in response.text
    screen = await client.get("/screen/daxi")
    assert "&lt;img src=x onerror=alert(1)&gt;" in screen.text and not RAW.search(screen.text)
    token_row = await Case.select(Case.public_token).where(Case.id == case_id).first()
    status = await client.get(f"/s/{token_row['public_token']}")
    assert not RAW.search(status.text)
    search = await client.get("/counter?q=" + PAYLOADS[0], headers={"hx-request": "true", "hx-target": "search-results"})
    assert not RAW.search(search.text)
