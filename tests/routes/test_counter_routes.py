"""The counter, cases, slip and status page over HTTP: full pages and htmx fragments, forms with and without htmx."""

import re

import pytest

from center.tables import AuditLog, Case, Item
from tests.factories import csrf_token, item_id, soup, without_csrf_tokens

HTMX = {"hx-request": "true"}
ID_NUMBER = "11010519491231002X"


async def receive(client, code="MZ01", headers=None, **fields):
    token = await csrf_token(client, "/counter")
    data = {"_csrf_token": token, "item_id": str(await item_id(code)), "action": "accept", "resident_name": "张桂英",
            "id_number": ID_NUMBER, "phone": "13812345678", "brought": ["0", "1"], **fields}
    return await client.post("/counter/receive", data=data, headers=headers or {}, follow_redirects=False)


async def test_counter_page_has_the_search_box_and_sidebar(worker_client):
    page = soup(await worker_client.get("/counter"))
    box = page.select_one("#counter-search")
    assert box.has_attr("autofocus") and box["name"] == "q"
    # 今日提醒 first when something is due (the demo worker has demands due), then 我的在办
    assert any(h.get_text().startswith("我的在办") for h in page.select("#sidebar h3"))
    assert page.select_one("#work-panel .panel-welcome")


async def test_search_fragment_as_you_type(worker_client):
    response = await worker_client.get("/counter?q=老年", headers={**HTMX, "hx-target": "search-results"})
    assert response.status_code == 200 and "<html" not in response.text
    # Accept-Encoding joins when the answer is gzipped (the client asks for it)
    assert {v.strip() for v in response.headers["vary"].split(",")} - {"Accept-Encoding"} == {"HX-Request", "HX-Target"}
    names = [a.select_one(".result-name").get_text() for a in soup(response).select("a[data-result]")]
    assert names[0] == "老年人优待证办理（老年证）" and "老年人助餐服务登记" in names
    full = await worker_client.get("/counter?q=老年")
    assert "老年人优待证办理（老年证）" in full.text and "<html" in full.text


@pytest.mark.parametrize(("query", "expected"), [("lnz", "老年人优待证办理（老年证）"), ("gjj", "住房公积金提取（离退休）"),
                                                 ("ZF04", "住房公积金缴存证明开具"), ("juzhuzheng", "居住证申领")])
async def test_search_by_pinyin_and_code(worker_client, query, expected):
    response = await worker_client.get(f"/counter?q={query}", headers={**HTMX, "hx-target": "search-results"})
    assert expected in [a.get_text() for a in soup(response).select(".result-name")]


async def test_item_panel_fragment_shows_materials_and_the_promise(worker_client):
    response = await worker_client.get(f"/counter?item={await item_id('MZ01')}", headers={**HTMX, "hx-target": "work-panel"})
    panel = soup(response)
    assert "<html" not in response.text
    assert "承诺 5 个工作日" in panel.select_one(".promise").get_text()
    assert len(panel.select("input[name=brought]")) == 3
    buttons = [b["value"] for b in panel.select("button[name=action]")]
    assert buttons == ["accept", "consult"]  # Enter submits the first: 受理


async def test_sidebar_fragment(worker_client):
    response = await worker_client.get("/counter", headers={**HTMX, "hx-target": "sidebar"})
    assert "<html" not in response.text and "我的在办" in response.text


async def test_accept_with_a_plain_form_post_redirects_to_the_case(worker_client):
    response = await receive(worker_client, brought=["0", "1", "2"])  # everything brought: 已受理
    assert response.status_code == 302
    case_url = response.headers["location"]
    assert re.fullmatch(r"/cases/\d+", case_url)
    page = soup(await worker_client.get(case_url))
    assert page.select_one(".status").get_text() == "已受理"
    assert "已受理，办件编号" in page.select_one(".flash-success").get_text()


async def test_accept_with_htmx_returns_the_case_panel_and_refreshes_the_sidebar(worker_client):
    response = await receive(worker_client, headers={**HTMX, "hx-target": "work-panel"})
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "cases-changed"
    panel = soup(response)
    assert "<html" not in response.text and panel.select_one(".case-panel")
    assert "缺 1 项" in panel.select_one(".materials-section h3").get_text()


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"resident_name": ""}, "请填写居民姓名"), ({"id_number": "12345"}, "身份证号须为 18 位"),
     ({"phone": "999"}, "手机号|电话"), ({"note": "长" * 600}, "500"), ({"action": "hack"}, "答复咨询或受理")],
)
async def test_bad_input_is_refused_in_the_form_keeping_what_was_typed(worker_client, fields, message):
    for headers in ({}, {**HTMX, "hx-target": "work-panel"}):
        response = await receive(worker_client, headers=headers, **fields)
        assert response.status_code == 422
        page = soup(response)
        assert re.search(message, page.select_one("[role=alert]").get_text())
        name_input = page.select_one("input[name=resident_name]")
        assert name_input["value"] == fields.get("resident_name", "张桂英")


async def test_unknown_item_is_refused_without_a_500(worker_client):
    token = await csrf_token(worker_client, "/counter")
    response = await worker_client.post("/counter/receive", data={"_csrf_token": token, "item_id": "abc", "action": "accept"})
    assert response.status_code == 422 and "有效的服务事项" in response.text


async def test_case_actions_with_and_without_htmx_and_a_stale_version(worker_client):
    case_id = int((await receive(worker_client, brought=["0", "1", "2"])).headers["location"].rsplit("/", 1)[1])
    token = await csrf_token(worker_client, f"/cases/{case_id}")
    version = (await Case.select(Case.version).where(Case.id == case_id).first())["version"]
    response = await worker_client.post(f"/cases/{case_id}/actions", data={"_csrf_token": token, "action": "forward",
                                                                   "reason": "区民政局", "version": str(version)},
                                 follow_redirects=False)
    assert response.status_code == 302
    stale = await worker_client.post(f"/cases/{case_id}/actions", data={"_csrf_token": token, "action": "complete",
                                                                "version": str(version)},
                              headers={**HTMX, "hx-target": "work-panel"})
    assert stale.status_code == 409
    assert "刚被他人更新" in soup(stale).select_one("[role=alert]").get_text()
    assert soup(stale).select_one(".status").get_text() == "已转办"  # the fresh state is shown
    refused = await worker_client.post(f"/cases/{case_id}/actions", data={"_csrf_token": token, "action": "refuse",
                                                                  "reason": "", "version": str(version + 1)},
                                headers={**HTMX, "hx-target": "work-panel"})
    assert refused.status_code == 422 and "请填写不予受理的原因" in refused.text
    done = await worker_client.post(f"/cases/{case_id}/actions", data={"_csrf_token": token, "action": "complete",
                                                               "version": str(version + 1), "confirm": "1"},
                             headers={**HTMX, "hx-target": "work-panel"})
    assert done.status_code == 200 and soup(done).select_one(".status").get_text() == "已办结"
    assert done.headers["hx-trigger"] == "cases-changed"


async def test_someone_elses_case_is_refused(worker_client, db):
    other_center = await Case.select(Case.id).where(Case.center.slug == "huanghe").first()
    assert (await worker_client.get(f"/cases/{other_center['id']}")).status_code == 403
    token = await csrf_token(worker_client, "/counter")
    response = await worker_client.post(f"/cases/{other_center['id']}/actions", data={"_csrf_token": token, "action": "complete"})
    assert response.status_code == 403
    colleague_case = await Case.select(Case.id, Case.version).where(
        (Case.center.slug == "daxi") & (Case.owner.username != "worker") & (Case.status == "accepted")).first()
    refused = await worker_client.post(f"/cases/{colleague_case['id']}/actions",
                                data={"_csrf_token": token, "action": "complete", "version": str(colleague_case["version"])})
    assert refused.status_code == 422 and "首问责任人" in refused.text


async def test_slip_lists_every_material_with_the_missing_marked_and_a_qr(worker_client):
    case_id = int((await receive(worker_client)).headers["location"].rsplit("/", 1)[1])
    slip = soup(await worker_client.get(f"/cases/{case_id}/slip"))
    assert "一次性告知单" in slip.select_one(".slip-title").get_text()
    rows = slip.select(".slip-materials tbody tr")
    assert len(rows) == 3 and ["missing" in r.get("class", []) for r in rows] == [False, False, True]
    status_url = slip.select_one(".qr")["data-url"]
    assert re.search(r"/s/[A-Za-z0-9_-]{24,}$", status_url)
    assert "0543-4321001" in slip.get_text()  # the center's phone


async def test_the_slip_qr_scales_with_a_four_module_quiet_zone_and_prints_its_address(worker_client):
    case_id = int((await receive(worker_client)).headers["location"].rsplit("/", 1)[1])
    slip = soup(await worker_client.get(f"/cases/{case_id}/slip"))
    svg = slip.select_one(".qr svg")
    assert not svg.has_attr("width") and not svg.has_attr("height")  # print.css sizes it; the viewBox scales it
    _, _, width, height = (int(v) for v in svg["viewbox"].split())  # html.parser lower-cases names
    modules = width - 8
    assert width == height and (modules - 17) % 4 == 0  # a QR version's size plus 4 light modules each side
    assert slip.select_one("main.sheet")  # one main landmark on the print page
    status_url = slip.select_one(".qr")["data-url"]
    text = slip.get_text()
    assert status_url in text and slip.select_one(".case-code, .slip-meta strong").get_text() in text


async def test_ticks_on_the_case_page_mean_received_with_and_without_htmx(worker_client):
    case_id = int((await receive(worker_client)).headers["location"].rsplit("/", 1)[1])  # brought 0 and 1, not the photos
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    boxes = page.select(".materials-section input[name=received]")
    assert [b.has_attr("checked") for b in boxes] == [True, True, False]
    assert "已收 2 项" in page.select_one(".materials-section h3").get_text()
    assert page.select_one(".materials-missing").get_text() == "尚缺：近期免冠一寸彩色照片"
    version = page.select_one(".materials-section input[name=version]")["value"]
    token = await csrf_token(worker_client, f"/cases/{case_id}")
    fragment = await worker_client.post(f"/cases/{case_id}/materials", headers={**HTMX, "hx-target": "work-panel"},
                                 data={"_csrf_token": token, "version": version, "received": ["0", "2"]})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    panel = soup(fragment)
    assert [b.has_attr("checked") for b in panel.select("input[name=received]")] == [True, False, True]
    assert panel.select_one(".materials-missing").get_text() == "尚缺：户口簿"
    version = panel.select_one("input[name=version]")["value"]
    plain = await worker_client.post(f"/cases/{case_id}/materials", follow_redirects=False,
                              data={"_csrf_token": token, "version": version, "received": ["0", "1", "2"]})
    assert plain.status_code in (302, 303) and plain.headers["location"] == f"/cases/{case_id}"
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    assert "齐全" in page.select_one(".materials-section h3").get_text() and not page.select(".materials-missing")
    slip = soup(await worker_client.get(f"/cases/{case_id}/slip"))
    assert [r.select("td")[4].get_text(strip=True) for r in slip.select(".slip-materials tbody tr")] == ["☑ 已收"] * 3


async def test_a_consultation_offers_its_materials_list_without_a_deadline(worker_client):
    response = await receive(worker_client, code="ZF02", action="consult", resident_name="", brought=[])
    case_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = soup(await worker_client.get(f"/cases/{case_id}"))
    link = page.find("a", string=re.compile("打印所需材料清单"))
    assert link["href"] == f"/cases/{case_id}/slip"
    sheet = soup(await worker_client.get(f"/cases/{case_id}/slip"))
    assert "咨询答复" in sheet.select_one(".slip-title").get_text()
    assert len(sheet.select(".slip-materials tbody tr")) == 4
    text = sheet.select_one("main").get_text()
    assert "承诺办结" not in text and "需补交" not in text and "已收" not in text


async def test_public_status_page_needs_no_login_and_shows_no_personal_data(worker_client, client):
    case_id = int((await receive(worker_client)).headers["location"].rsplit("/", 1)[1])
    token = (await Case.select(Case.public_token).where(Case.id == case_id).first())["public_token"]
    await worker_client.post("/logout", data={"_csrf_token": await csrf_token(worker_client, "/logout")})
    page = await client.get(f"/s/{token}")
    assert page.status_code == 200
    text = soup(page).get_text()
    assert "已受理" in text and "老年人优待证" in text
    for secret in ("张桂英", ID_NUMBER, "13812345678", "王磊"):
        assert secret not in text
    assert (await client.get("/s/not-a-token")).status_code == 404


FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


async def test_no_page_or_fragment_shows_a_full_id_number_or_phone(worker_client, client, db):
    await receive(worker_client)
    case_ids = [r["id"] for r in await Case.select(Case.id).where(Case.center.slug == "daxi").limit(40)]
    tokens = [r["public_token"] for r in await Case.select(Case.public_token).limit(5)]
    item = await item_id("MZ01")
    urls = [("/counter", {}), ("/counter?q=老年", {**HTMX, "hx-target": "search-results"}),
            (f"/counter?item={item}", {}), (f"/counter?item={item}", {**HTMX, "hx-target": "work-panel"}),
            ("/counter", {**HTMX, "hx-target": "sidebar"}), ("/cases", {}), ("/cases?view=mine", {}),
            ("/catalog", {}), ("/centers/daxi", {})]
    for case_id in case_ids:
        urls += [(f"/cases/{case_id}", {}), (f"/cases/{case_id}", {**HTMX, "hx-target": "work-panel"}),
                 (f"/cases/{case_id}/slip", {})]
    urls += [(f"/s/{t}", {}) for t in tokens]
    checked = 0
    for url, headers in urls:
        response = await worker_client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert not FULL_ID.search(without_csrf_tokens(response.text)), f"full ID number on {url}"
        assert not FULL_PHONE.search(without_csrf_tokens(response.text)), f"full phone on {url}"
        checked += 1
    assert checked == len(urls) > 100
    # Revealing is the one explicit exception, and it is logged.
    case = await Case.select(Case.visit).where(Case.visit.id_number != "").where(Case.center.slug == "daxi").first()
    token = await csrf_token(worker_client, "/counter")
    before = await AuditLog.count().where(AuditLog.action == "pii.reveal")
    revealed = await worker_client.post(f"/visits/{case['visit']}/reveal", data={"_csrf_token": token},
                                 headers={**HTMX, "hx-target": f"identity-{case['visit']}"})
    assert revealed.status_code == 200 and FULL_ID.search(revealed.text)
    assert revealed.headers["cache-control"] == "no-store"
    assert await AuditLog.count().where(AuditLog.action == "pii.reveal") == before + 1
    masked = await worker_client.get(f"/visits/{case['visit']}/identity")
    assert not FULL_ID.search(masked.text)


async def test_center_open_cases_list_and_fragment(worker_client):
    page = await worker_client.get("/cases?view=center")
    rows = soup(page).select("#case-rows tr")
    assert len(rows) > 3
    fragment = await worker_client.get("/cases?view=center", headers={**HTMX, "hx-target": "case-rows"})
    assert fragment.text.strip().startswith("<tr") and "<html" not in fragment.text


async def test_an_inactive_item_cannot_be_accepted(worker_client):
    await Item.update({Item.active: False}).where(Item.code == "GA11")
    response = await receive(worker_client, code="GA11")
    assert response.status_code == 422 and "有效的服务事项" in response.text
    await Item.update({Item.active: True}).where(Item.code == "GA11")


async def test_without_javascript_the_intake_says_the_case_will_wait_and_the_case_does(worker_client):
    """The line by 受理 is the server's too (no JS): what is missing; accepted so, the case is 待补正 at once."""
    page = soup(await worker_client.get(f"/counter?item={await item_id('MZ01')}"))
    line = page.select_one("[data-accept-outcome]")
    assert "户口簿" in line.select_one("[data-when-missing]").get_text()
    assert line.select_one("[data-when-complete]").has_attr("hidden")
    response = await receive(worker_client)  # 居民身份证 and 户口簿 brought, the photos not
    assert response.status_code == 302
    case = soup(await worker_client.get(response.headers["location"]))
    assert case.select_one(".status").get_text() == "待补正"
    assert "待补正（暂停计时）：近期免冠一寸彩色照片" in case.select_one(".flash-success").get_text()
    assert "受理时材料不全，待补正：近期免冠一寸彩色照片" in case.select_one(".timeline").get_text()
