"""argon2 done once per distinct input in the test process, not once per test.

One argon2id hash or check costs 0.5–0.9 s of a core (production's parameters, on purpose), and hundreds of tests
make the same staff with the same password and log the same demo accounts in: those repeats were the largest part
of the unit and integration passes' setup time. In this process (never in the servers the tests start, nor in the
e2e journeys):
- hashing a password hashes it for real once, with production's hasher, and hands the same hash out again for the
  same password (a valid argon2id hash of it; only the salt is shared between the tests' accounts);
- a check that succeeded for a (hash, password) pair answers True again for that pair without rerunning argon2.
A check that fails always runs argon2 in full, so the throttling and flood tests still pay argon2's real cost for
every wrong password, and every call still goes through `passwords.verify_password` (a test that counts the checks
counts them all).
"""

from __future__ import annotations

from center.services import passwords

_real_hash = passwords.hash_password
_real_verify = passwords.verify_password
_hashes: dict[str, str] = {}
_verified: set[tuple[str, str]] = set()


def hash_password(password: str) -> str:
    if password not in _hashes:
        _hashes[password] = _real_hash(password)
    return _hashes[password]


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is not None and (password_hash, password) in _verified:
        return True
    ok = _real_verify(password_hash, password)
    if ok and password_hash is not None:
        _verified.add((password_hash, password))
    return ok


def install() -> None:
    passwords.hash_password = hash_password
    passwords.verify_password = verify_password
