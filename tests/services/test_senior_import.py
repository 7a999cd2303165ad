"""Seniors from the 民政 spreadsheet (issue #16, point 1b), on a real database: every row or none, bad rows by row
number in Chinese, idempotent by ID number, categories dated by the import with the file as evidence; and the
`center seniors import` command's exit codes."""

import os
from datetime import date

import pytest

from center.domain.senior_import import SENIOR_HEADER
from center.services.dining.policies import categories_held
from center.services.dining.senior_import import ImportRefused, import_seniors
from center.tables import Senior, SeniorCategory
from tests.factories import as_user, id_number, make_center, make_staff, xlsx_bytes
from tests.support.live_server import center_command

DAY = date(2026, 12, 9)


@pytest.fixture
async def center(db):
    return await make_center()


def sheet(center, *rows):
    return xlsx_bytes(SENIOR_HEADER, [[name, number, phone, center["slug"] if slug is None else slug, kinds, card]
                                      for name, number, phone, slug, kinds, card in rows])


async def test_a_good_sheet_registers_everyone_with_their_categories_dated_by_the_import(center):
    a, b = id_number(date(1944, 3, 1), 901), id_number(date(1960, 7, 7), 902)
    result = await import_seniors(None, sheet(center, ("王秀英", a, "13800000001", None, "低保、独居", "M0901"),
                                              ("李建国", b, "", None, "", "M0902")), "名册.xlsx", today=DAY)
    assert (result.created, result.updated, result.categories_added) == (2, 0, 2)
    senior = await Senior.select().where(Senior.id_number == a).first()
    assert (senior["name"], senior["birth_date"], senior["card_no"], senior["center"]) == (
        "王秀英", date(1944, 3, 1), "M0901", center["id"])  # the birth date is read from the ID number
    kinds = await SeniorCategory.select().where(SeniorCategory.senior == senior["id"]).order_by(SeniorCategory.category)
    assert {k["category"] for k in kinds} == {"低保", "独居"}
    assert all(k["since"] == DAY and "名册.xlsx" in k["evidence"] and DAY.isoformat() in k["evidence"] for k in kinds)
    assert await categories_held(senior["id"], DAY) == {"低保", "独居"}
    assert await categories_held(senior["id"], date(2026, 12, 8)) == set()  # not before the evidence


async def test_importing_the_same_sheet_again_changes_nothing(center):
    content = sheet(center, ("赵桂兰", id_number(date(1940, 1, 9), 903), "13800000003", None, "特困", "M0903"))
    await import_seniors(None, content, today=DAY)
    before = (await Senior.count(), await SeniorCategory.select().order_by(SeniorCategory.id))
    again = await import_seniors(None, content, today=date(2026, 12, 20))
    assert (again.created, again.updated, again.unchanged, again.categories_added) == (0, 0, 1, 0)
    assert (await Senior.count(), await SeniorCategory.select().order_by(SeniorCategory.id)) == before


async def test_a_changed_row_updates_the_senior_and_a_category_no_longer_listed_ends(center):
    number = id_number(date(1941, 2, 2), 904)
    await import_seniors(None, sheet(center, ("孙玉兰", number, "", None, "低保", "M0904")), today=DAY)
    later = date(2027, 1, 5)
    result = await import_seniors(None, sheet(center, ("孙玉兰", number, "13800000004", None, "残疾", "M0904")),
                                  today=later)
    assert (result.updated, result.categories_added, result.categories_ended) == (1, 1, 1)
    senior = await Senior.select().where(Senior.id_number == number).first()
    assert senior["phone"] == "13800000004"
    assert await categories_held(senior["id"], date(2027, 1, 4)) == {"低保"}
    assert await categories_held(senior["id"], later) == {"残疾"}


async def test_bad_rows_are_listed_by_row_number_and_nothing_is_imported(center):
    good = id_number(date(1945, 5, 5), 905)
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    count = await Senior.count()
    with pytest.raises(ImportRefused) as refused:
        await import_seniors(None, sheet(
            center,
            ("周淑珍", good, "", None, "", "M0905"),  # row 2: good
            ("吴强", bad_checksum, "", None, "", "M0906"),  # row 3
            ("", id_number(date(1946, 6, 6), 906), "12345", "nowhere", "低宝", "M0907"),  # row 4
            ("郑伟", good, "", None, "", "M0905"),  # row 5: the same ID number and card as row 2
        ), today=DAY)
    errors = {e.row: e.message for e in refused.value.row_errors}
    assert set(errors) == {3, 4, 5}
    assert "校验位不正确" in errors[3]
    assert all(text in errors[4] for text in ("缺少姓名", "手机号", "中心“nowhere”不认识", "类别“低宝”不认识"))
    assert "与第 2 行重复" in errors[5]
    assert await Senior.count() == count  # not even row 2


async def test_a_card_of_another_senior_is_refused(center):
    await import_seniors(None, sheet(center, ("钱芳", id_number(date(1947, 7, 7), 907), "", None, "", "M0908")),
                         today=DAY)
    with pytest.raises(ImportRefused) as refused:
        await import_seniors(None, sheet(center, ("冯军", id_number(date(1948, 8, 8), 908), "", None, "", "M0908")),
                             today=DAY)
    assert "已属于另一位老人" in refused.value.row_errors[0].message


async def test_a_manager_imports_only_into_their_own_center(center, db):
    manager = await as_user(await make_staff(db, role="manager", center=center))
    other = await make_center()
    with pytest.raises(ImportRefused) as refused:
        await import_seniors(manager, sheet(center, ("陈红", id_number(date(1949, 9, 9), 909), "", other["slug"], "",
                                                     "M0909")), today=DAY)
    assert "不是本账号可以导入的中心" in refused.value.row_errors[0].message


async def test_the_command_exits_0_when_all_rows_import_and_1_listing_the_bad_rows(center, db, tmp_path):
    env = {**os.environ, "DATABASE_URL": db.database_url, "CENTER_DEMO": "1"}
    good = tmp_path / "good.xlsx"
    good.write_bytes(sheet(center, ("褚丽", id_number(date(1943, 3, 3), 910), "", None, "高龄", "M0910")))
    assert "新登记 1 人" in center_command(["seniors", "import", str(good)], env)
    assert "无变化 1 人" in center_command(["seniors", "import", str(good)], env)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet(center, ("卫东", "123", "", None, "", "M0911")))
    with pytest.raises(RuntimeError) as failed:
        center_command(["seniors", "import", str(bad)], env)
    assert "第 2 行" in str(failed.value) and "身份证号" in str(failed.value)


async def test_policy_load_exits_0_with_its_schemes_and_1_with_every_problem_in_chinese(db, tmp_path):
    env = {**os.environ, "DATABASE_URL": db.database_url, "CENTER_DEMO": "1"}
    good = tmp_path / "tianjin.toml"
    good.write_text(open("center/demo/policies/tianjin.toml", encoding="utf-8").read().replace(
        "effective = 2026-12-09", "effective = 2041-01-01"), encoding="utf-8")
    out = center_command(["policy", "load", str(good)], env)
    assert "自 2041-01-01 起生效" in out and "高龄每餐补贴" in out and "困难老人每餐补贴" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('effective = 2041-02-01\n[[scheme]]\nname = "甲"\npays = "per_meal"\namount_fen = 500\n'
                   'cap_per_meal_fen = 300\n', encoding="utf-8")
    with pytest.raises(RuntimeError) as refused:
        center_command(["policy", "load", str(bad)], env)
    text = str(refused.value)
    assert "未载入" in text and "两者矛盾" in text and "缺少资金来源" in text
    from center.services.dining.policies import policy_on

    assert (await policy_on(date(2041, 2, 2))).schemes[0].name == "高龄每餐补贴"  # the bad file changed nothing
