"""Journey: a manager registers leave with the end before the start: the message is at 结束, in Chinese, and
everything typed is still there to correct; corrected, the leave is registered."""

from datetime import timedelta

from playwright.sync_api import expect

from e2e.helpers import login


def test_a_wrong_leave_is_told_at_the_field_and_nothing_typed_is_lost(page, server, artifacts):
    login(page, server, "manager")
    page.goto(f"{server.url}/rosters")
    form = page.locator("form[action='/rosters/leave']")
    person = form.get_by_label("人员").locator("option").nth(3).inner_text()
    start, end = server.today + timedelta(weeks=6), server.today + timedelta(weeks=6, days=-2)
    form.get_by_label("人员").select_option(label=person)
    form.get_by_label("开始").fill(start.isoformat())
    form.get_by_label("结束").fill(end.isoformat())
    form.get_by_label("事由").fill("年休假（探亲）")
    form.get_by_role("button", name="登记请假").click()

    form = page.locator("form[action='/rosters/leave']")
    end_field = form.get_by_label("结束")
    expect(end_field).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#leave-end-error")).to_have_text("结束日期不能早于开始日期")
    expect(end_field).to_be_focused()
    expect(form.get_by_label("人员").locator("option:checked")).to_have_text(person)
    expect(form.get_by_label("开始")).to_have_value(start.isoformat())
    expect(end_field).to_have_value(end.isoformat())
    expect(form.get_by_label("事由")).to_have_value("年休假（探亲）")
    page.screenshot(path=str(artifacts / "roster-leave-error.png"), full_page=True)

    end_field.fill((start + timedelta(days=1)).isoformat())
    form.get_by_role("button", name="登记请假").click()
    expect(page.locator(".flash-success")).to_contain_text("已登记请假")
