"""Catalog search: the words residents say find the right item first; exact before partial; keywords as data."""

import pytest

from center.domain.catalog import (
    MAX_KEYWORDS,
    CatalogError,
    ItemSpec,
    format_keywords,
    parse_keywords,
    search,
    validate_item,
)
from center.services.catalog import index_entry, search_key
from center.demo.catalog import CATEGORIES, KEYWORDS


def entry(code="XX01", name="测试事项", keywords="", order=0):
    """An index entry as the counter's search reads it (pinyin keys computed like the service does)."""
    return index_entry({"code": code, "name": name, "search_key": search_key(name, code), "keywords": keywords,
                        "category_order": 0, "sort_order": order})


DEMO = [index_entry({"code": item[0], "name": item[1], "search_key": search_key(item[1], item[0]),
                     "keywords": KEYWORDS[item[0]], "category_order": c, "sort_order": i})
        for c, (_, _, items) in enumerate(CATEGORIES) for i, item in enumerate(items)]


def first(query):
    found = search(query, DEMO)
    return found[0]["code"] if found else None


# What a resident says at the window -> the item the worker must see first (the 43 demo items).
EVERYDAY_WORDS = [
    ("社保", "SB01"),  # 交社保: residents' pension insurance first, then 灵活就业 (SB03)
    ("医保", "SB06"),  # 交医保: residents' medical insurance
    ("低保", "MZ05"),  # 最低生活保障: no character of 低保 is next to the other in the name
    ("社保卡", "SB04"),  # 社会保障卡申领: the name never says 社保卡
    ("医保卡", "SB04"),  # what most residents call the social security card
    ("公积金", "ZF01"),  # 住房公积金提取（离退休）: the most common at a community center
    ("户口", "GA03"),  # 户口迁入 before 出生登记, 变更, 注销
    ("上户口", "GA04"),  # a newborn
    ("居住证", "GA01"),
    ("暂住证", "GA01"),  # the old name people still use
    ("老年证", "MZ01"),
    ("残疾证", "MZ08"),  # the name says 残疾人证
    ("失业", "SB10"),
    ("失业金", "SB10"),
    ("失业登记", "SB11"),  # done with the 就业创业证
    ("养老金", "SB02"),
    ("退休", "ZF01"),  # 离退休 withdrawal of the housing fund
    ("退休金", "SB02"),
    ("生育", "GA04"),  # after a birth: register the newborn
    ("五保", "MZ06"),
    ("丧葬费", "MZ11"),
    ("两项补贴", "MZ09"),
    ("公租房", "ZF05"),
    ("无房证明", "ZF09"),
    ("良民证", "GA07"),
    ("驾照", "GA10"),
    ("护照", "GA11"),
    ("身份证丢了", "GA06"),
    ("报销", "SB09"),
    ("慢性病", "SB08"),
    ("加装电梯", "ZF07"),
    ("助餐", "MZ03"),
    # pinyin of the everyday words works like pinyin of the names
    ("sbk", "SB04"),
    ("yb", "SB06"),
    ("dibao", "MZ05"),
    ("lnz", "MZ01"),
]


@pytest.mark.parametrize(("word", "code"), EVERYDAY_WORDS)
def test_each_everyday_word_finds_the_right_item_first(word, code):
    assert first(word) == code


def test_every_demo_item_has_everyday_words():
    assert {e["code"] for e in DEMO} == set(KEYWORDS)
    assert all(len(e["keyword_keys"]) >= 3 for e in DEMO)


@pytest.mark.parametrize(("word", "codes"), [
    ("社保", {"SB01", "SB03", "SB04", "SB05"}),  # insurance and the card
    ("医保", {"SB06", "SB07", "SB04"}),
    ("公积金", {"ZF01", "ZF02", "ZF03", "ZF04"}),
    ("户口", {"GA03", "GA04", "GA08", "GA09"}),
])
def test_a_word_several_items_share_lists_them_all(word, codes):
    assert codes <= {e["code"] for e in search(word, DEMO)}


def test_a_word_no_item_covers_finds_nothing():
    assert search("独生子女", DEMO) == []  # no family-planning item among the 43: nothing wrong is offered


def test_a_result_found_by_an_everyday_word_names_it():
    found = search("社保卡", DEMO)[0]
    assert found["matched"] == "社保卡"
    assert "matched" not in search("高龄", DEMO)[0]  # found by its name


def test_an_exact_keyword_comes_before_a_name_that_only_starts_with_the_word():
    items = [entry("AA01", "户口迁入登记", order=0), entry("AA02", "死亡人员注销", keywords="户口", order=1)]
    assert [e["code"] for e in search("户口", items)] == ["AA02", "AA01"]


@pytest.mark.parametrize(("query", "better", "worse"), [
    # exact name or exact keyword  <  name starts with  <  keyword starts with  <  in the name  <  in a keyword
    ("社保", entry("AA01", keywords="社保", order=1), entry("AA02", name="社保登记")),
    ("社保", entry("AA01", name="社保登记", order=1), entry("AA02", keywords="社保卡")),
    ("社保", entry("AA01", keywords="社保卡", order=1), entry("AA02", name="补办社保登记")),
    ("社保", entry("AA01", name="补办社保登记", order=1), entry("AA02", keywords="补社保")),
    # the Chinese words before pinyin
    ("sb", entry("AA01", keywords="社保", order=1), entry("SB01")),
])
def test_exact_before_partial(query, better, worse):
    # The worse match stands first in the catalog: only how well each matches can put the better one first.
    assert [e["code"] for e in search(query, [worse, better])] == [better["code"], worse["code"]]


def test_ties_keep_the_catalog_order():
    items = [entry("AA02", "乙", keywords="社保", order=2), entry("AA01", "甲", keywords="社保", order=1)]
    assert [e["code"] for e in search("社保", items)] == ["AA01", "AA02"]


@pytest.mark.parametrize(("typed", "words"), [
    ("社保、医保", ("社保", "医保")),
    ("社保，医保, 低保；公积金 户口/居住证", ("社保", "医保", "低保", "公积金", "户口", "居住证")),
    ("  社保  、、社保 ", ("社保",)),  # blanks and repeats dropped
    ("ETC、etc", ("ETC",)),  # the same word in another case is a repeat
    ("", ()),
])
def test_keywords_are_parsed_from_what_the_manager_types(typed, words):
    assert parse_keywords(typed) == words


def test_keywords_are_stored_with_the_chinese_list_separator():
    assert format_keywords(parse_keywords("社保 医保,低保")) == "社保、医保、低保"
    spec = validate_item(ItemSpec(code="sb99", name="测试事项", category_id=1, department="区医保局", kind="immediate",
                                  promised_days=0, keywords="医保， 医疗保险"))
    assert spec.keywords == "医保、医疗保险"


@pytest.mark.parametrize(("typed", "message"), [
    ("社保、" + "很" * 21, "每个不超过 20 个字"),
    ("、".join(f"词{i}" for i in range(MAX_KEYWORDS + 1)), f"最多 {MAX_KEYWORDS} 个"),
])
def test_bad_keywords_are_refused_in_chinese(typed, message):
    with pytest.raises(CatalogError, match=message):
        parse_keywords(typed)


@pytest.mark.parametrize("query", [w for w, _ in EVERYDAY_WORDS] + ["老年", "SB", "sb0", "zf04", "jzz", "证", "（", "x"])
def test_the_quick_substring_test_never_drops_a_match(query):
    without = [{k: v for k, v in e.items() if k != "haystack"} for e in DEMO]
    assert [e["code"] for e in search(query, DEMO, limit=50)] == [e["code"] for e in search(query, without, limit=50)]
