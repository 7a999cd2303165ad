"""帮办代办 over HTTP as plain form posts: a household registered (a bad one told in Chinese with the form kept), a
home visit logged, a 代办 order that opens a case with the 委托书, and the proactive list confirmed by ticking."""

from __future__ import annotations

from center.tables import Demand, DemandCase, HomeVisit, Household
from tests.factories import csrf_token, soup


async def post(client, path: str, page: str, **fields):
    token = await csrf_token(client, page)
    return await client.post(path, data={"_csrf_token": token, **fields}, follow_redirects=False)


async def test_register_a_household_log_a_visit_and_open_a_case_from_its_errand(worker_client):
    client = worker_client
    bad = await post(client, "/demands/households", "/demands/households", name="周秀梅", address="",
                     tags="独居")
    assert bad.status_code == 422 and "请填写住址" in bad.text
    assert soup(bad).select_one("#h-name")["value"] == "周秀梅"
    made = await post(client, "/demands/households", "/demands/households", name="周秀梅",
                      address="纸箱厂小区6号楼1单元101", tags=["独居", "空巢"], phone="13700001111")
    assert made.status_code in (302, 303), made.text
    household_id = int(made.headers["location"].rstrip("/").rsplit("/", 1)[1])
    page = soup(await client.get(f"/demands/households/{household_id}"))
    assert "周**" in page.text and "137****1111" in page.text and "周秀梅" not in page.text

    logged = await post(client, f"/demands/households/{household_id}/visits", f"/demands/households/{household_id}",
                        day="2026-12-01", who="王磊", done="陪同就医")
    assert logged.status_code in (302, 303)
    assert await HomeVisit.count().where(HomeVisit.household == household_id) == 1

    order = await post(client, f"/demands/households/{household_id}/errand", f"/demands/households/{household_id}",
                       content="代办助餐登记")
    assert order.status_code in (302, 303)
    demand_id = int(order.headers["location"].rstrip("/").rsplit("/", 1)[1])
    version = (await Demand.select(Demand.version).where(Demand.id == demand_id).first())["version"]
    await post(client, f"/demands/{demand_id}/act", f"/demands/{demand_id}", action="sign", version=str(version))
    form = soup(await client.get(f"/demands/{demand_id}")).select_one("form.errand-form")
    item = next(o["value"] for o in form.select("option") if "助餐" in o.text)
    opened = await post(client, f"/demands/{demand_id}/cases", f"/demands/{demand_id}", item=item, attorney="1")
    assert opened.status_code in (302, 303)
    link = await DemandCase.select().where(DemandCase.demand == demand_id).first()
    assert link["attorney"] is True
    shown = soup(await client.get(f"/demands/{demand_id}"))
    slip = shown.select_one("[data-demand=errand] a[href$='/slip']")
    assert slip is not None and (await client.get(slip["href"])).status_code == 200


async def test_the_proactive_list_needs_a_tick_and_the_manager(manager_client):
    page = soup(await manager_client.get("/demands/proactive?month=2026-12"))
    boxes = page.select("input[name=keys]")
    assert boxes, "the demo has seniors turning 60/70/80 in December"
    none = await post(manager_client, "/demands/proactive", "/demands/proactive?month=2026-12", month="2026-12")
    assert none.status_code == 422 and "请勾选要生成代办单的老人" in none.text
    before = await Demand.count()
    done = await post(manager_client, "/demands/proactive", "/demands/proactive?month=2026-12", month="2026-12",
                      keys=boxes[0]["value"])
    assert done.status_code in (302, 303) and await Demand.count() == before + 1
    again = soup(await manager_client.get("/demands/proactive?month=2026-12"))
    assert again.select_one(f"[data-proactive='{boxes[0]['value']}'] a") is not None  # now 已生成, not a box
