"""The demo district's dining data agrees with itself: a grant comes before the meals it pays for."""

from center.tables import LedgerTxn, Meal


async def test_no_demo_meal_is_older_than_the_grant_that_funds_it(demo_db):
    grants = {(g["senior"], g["year"]): g for g in await LedgerTxn.select(
        LedgerTxn.senior, LedgerTxn.year, LedgerTxn.at, LedgerTxn.book_date).where(LedgerTxn.kind == "grant")}
    meals = await Meal.select(Meal.senior, Meal.eaten_at, Meal.book_date, Meal.subsidy_fen).where(Meal.subsidy_fen > 0)
    assert meals
    for meal in meals:
        grant = grants[(meal["senior"], meal["book_date"].year)]
        assert grant["at"] <= meal["eaten_at"] and grant["book_date"] <= meal["book_date"], (meal, grant)
