"""The public caches (issue #11, finding 11): one computation however many screens ask at the minute's turn, and
nothing computed from before a write is served after it commits."""

import asyncio

import pytest

from center import db as center_db
from center.services import audit, cache
from center.services.cache import Cache
from center.tables import AuditLog


async def test_many_asking_at_once_cost_one_computation():
    minute, computed, release = Cache(), [], asyncio.Event()

    async def compute():
        computed.append(1)
        await release.wait()
        return "the screen"

    waiting = [asyncio.create_task(minute.get("daxi", compute)) for _ in range(128)]
    while not computed:
        await asyncio.sleep(0)  # until the first one has started its computation
    release.set()
    assert await asyncio.gather(*waiting) == ["the screen"] * 128
    assert computed == [1]
    assert await minute.get("daxi", compute) == "the screen" and computed == [1]  # then served from the cache


async def test_a_failed_computation_fails_those_waiting_and_the_next_ask_computes_again():
    minute, calls = Cache(), []

    async def broken():
        calls.append(1)
        await asyncio.sleep(0)
        raise RuntimeError("database away")

    results = await asyncio.gather(*(minute.get("k", broken) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results) and calls == [1]

    async def fine():
        return "back"

    assert await minute.get("k", fine) == "back"


async def test_a_value_computed_during_a_write_is_not_served_after_it_commits(db):
    minute = Cache()

    async def before():
        return "as it was"

    async def after():
        return "as it is"

    async with center_db.write_transaction():
        await audit.record("test.write", object_type="test")
        assert await minute.get("k", before) == "as it was"  # a reader while the write is not yet committed
    assert await minute.get("k", after) == "as it is"


async def test_a_value_whose_computation_spans_a_write_is_not_kept():
    minute = Cache()

    async def spanning():
        cache.bump()  # a write commits while this is being computed
        return "from before the write"

    assert await minute.get("k", spanning) == "from before the write"

    async def fresh():
        return "fresh"

    assert await minute.get("k", fresh) == "fresh"


@pytest.mark.parametrize("raised", [True, False])
async def test_an_audited_write_drops_the_caches_once_it_commits_and_not_before(db, raised):
    generation = cache.generation()
    with pytest.raises(RuntimeError) if raised else _nothing():
        async with center_db.write_transaction():
            await audit.record("test.write", object_type="test")
            assert cache.generation() == generation  # not yet: a reader now would see the data from before
            if raised:
                raise RuntimeError("rolled back")
    assert cache.generation() == generation + (0 if raised else 1)


async def test_a_write_no_public_page_shows_keeps_the_caches(db):
    """A login attempt or a terminal's meal records no audit row: the hall screens' caches stay warm."""
    generation = cache.generation()
    async with center_db.write_transaction():
        await AuditLog.count()  # some work in the transaction, but nothing audited
    assert cache.generation() == generation


async def test_an_audit_row_outside_a_transaction_drops_the_caches_at_once(db):
    generation = cache.generation()
    await audit.record("test.write", object_type="test")
    assert cache.generation() == generation + 1


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


async def test_the_calendar_and_catalog_caches_follow_their_own_writes_after_commit_not_every_audited_one(db):
    """A case accepted (audited) keeps the catalog's search index; an edit of the catalog drops it once committed."""
    index, values = Cache(public=False), iter(["before", "after"])

    async def load():
        return next(values)

    assert await index.get("k", load) == "before"
    await audit.record("test.write", object_type="test")
    assert await index.get("k", load) == "before"
    async with center_db.write_transaction():
        index.changed()
        assert await index.get("k", load) == "before"  # not yet: the edit is not committed
    assert await index.get("k", load) == "after" and index.latest("k") == "after"
