"""帮办代办 rules: a household's record, a home visit, and the proactive list of seniors turning 60, 70 or 80 with
the items each milestone proposes."""

from datetime import date

import pytest

from center.domain.errands import (
    ErrandError,
    Person,
    check_home_visit,
    check_household,
    milestone_list,
    proactive_key,
    proposals,
    turning,
)
from center.domain.privacy import id_check_digit

TODAY = date(2026, 12, 7)


def id_for(birth: str, seq: int = 11) -> str:
    first17 = f"371626{birth.replace('-', '')}{seq:03d}"
    return first17 + id_check_digit(first17)


def household(**kw):
    fields = dict(name="刘桂兰", id_number=id_for("1938-03-12"), phone="13865430000", address="纸箱厂小区2号楼102",
                  tags=["独居", "高龄"], note="", today=TODAY)
    fields.update(kw)
    return check_household(**fields)


def test_a_household_needs_a_name_an_address_and_a_known_tag():
    got = household(tags=["独居", "高龄", "独居"])
    assert got.tags == ("独居", "高龄") and got.tags_json == '["独居", "高龄"]'
    for kw, message, field in (({"name": ""}, "请填写帮扶对象姓名", "name"),
                               ({"address": " "}, "请填写住址", "address"),
                               ({"tags": []}, "请至少选择一个帮扶类别", "tags"),
                               ({"tags": ["富裕"]}, "帮扶类别只能是", "tags"),
                               ({"id_number": "371626193803120119"}, "校验位不正确", "id_number"),
                               ({"phone": "123"}, "手机号须为 11 位数字", "phone")):
        with pytest.raises(ErrandError, match=message) as exc:
            household(**kw)
        assert exc.value.field == field


def test_a_home_visit_has_a_day_not_in_the_future_who_went_and_what_was_done():
    assert check_home_visit(day=TODAY, who=" 王磊 ", what="送药上门", today=TODAY) == (TODAY, "王磊", "送药上门")
    with pytest.raises(ErrandError, match="不能晚于今天"):
        check_home_visit(day=date(2026, 12, 8), who="王磊", what="x", today=TODAY)
    with pytest.raises(ErrandError, match="请填写服务内容"):
        check_home_visit(day=TODAY, who="王磊", what=" ", today=TODAY)
    with pytest.raises(ErrandError, match="请填写上门日期"):
        check_home_visit(day=None, who="王磊", what="x", today=TODAY)


def test_turning_60_70_80_in_the_month_of_the_birthday():
    december = date(2026, 12, 1)
    assert turning(date(1946, 12, 20), december) == 80
    assert turning(date(1966, 12, 31), december) == 60
    assert turning(date(1956, 12, 31), december) == 70
    assert turning(date(1956, 11, 30), december) is None
    assert turning(date(1950, 12, 1), december) is None  # 76


def test_each_milestone_proposes_its_items():
    assert proposals(60, dining_registered=False) == ["senior_card", "dining"]
    assert proposals(70, dining_registered=False) == ["dining"]
    assert proposals(70, dining_registered=True) == []
    assert proposals(80, dining_registered=True) == ["longevity"]


def test_the_list_names_each_person_once_with_the_registrys_record_first():
    december = date(2026, 12, 1)
    a = id_for("1946-12-20")
    people = [Person(a, "孙玉珍（来访）", date(1946, 12, 20), "", "visit"),
              Person(a, "孙玉珍", date(1946, 12, 20), "139", "dining"),
              Person(id_for("1966-12-02", 12), "赵六十", date(1966, 12, 2), "", "household"),
              Person(id_for("1956-12-05", 13), "钱七十", date(1956, 12, 5), "", "dining"),
              Person(id_for("1977-12-05", 14), "年轻人", date(1977, 12, 5), "", "visit")]
    rows = milestone_list(people, december, registered={a, id_for("1956-12-05", 13)})
    assert [(r["person"].name, r["age"], r["items"]) for r in rows] == [
        ("赵六十", 60, ["senior_card", "dining"]), ("孙玉珍", 80, ["longevity"])]  # 钱七十 proposes nothing
    key = proactive_key(a, 80, 1)
    assert key.startswith("P80-") and a not in key and key == proactive_key(a, 80, 1) != proactive_key(a, 70, 1)
    assert key != proactive_key(a, 80, 2)  # another center's register proposes its own order


def test_every_wrong_field_of_a_household_is_told_at_once():
    with pytest.raises(ErrandError) as exc:
        household(name="", address="", tags=[])
    assert list(exc.value.errors) == ["name", "address", "tags"]
