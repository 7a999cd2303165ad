"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

import asyncio
import os
import weakref

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from center.domain import DomainError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("center-dummy-password-for-timing")

MIN_LENGTH = 10


class PasswordPolicyError(DomainError):
    pass


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"密码至少需要 {MIN_LENGTH} 个字符")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# argon2 costs ~0.5 s of one core and releases the GIL (argon2-cffi calls C through cffi). Run on the event loop,
# twenty wrong logins stalled the hall screen and the canteen terminals for seconds (issue #11, finding 2). So it
# runs in a worker thread, at most one per core at a time; the others wait their turn without blocking the loop.
SLOTS = max(1, os.cpu_count() or 1)
_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = weakref.WeakKeyDictionary()


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(SLOTS)
    return slot


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    async with _slot():
        return await asyncio.to_thread(verify_password, password_hash, password)


async def hash_password_off_loop(password: str) -> str:
    async with _slot():
        return await asyncio.to_thread(hash_password, password)
