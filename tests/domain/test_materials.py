"""Materials of a case, one meaning everywhere (☑ = received): received, missing when required, optional otherwise."""

import pytest

from center.domain.cases import (
    MaterialState,
    material_states,
    missing_materials,
    received_before_tracking,
    received_materials,
)

R, M, O = MaterialState.received, MaterialState.missing, MaterialState.optional
# The item of the tables below: 居民身份证 (required), 户口簿 (required), 残疾证 (如有: optional).
REQUIRED = (True, True, False)


def states(received=(), required=REQUIRED):
    return material_states(required, received)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ((), [M, M, O]),  # nothing brought: both required ones are missing, the optional one is not
        ((0,), [R, M, O]),
        ((0, 1), [R, R, O]),  # every required material received: nothing missing
        ((0, 1, 2), [R, R, R]),  # an optional material brought is received like any other
        ((2,), [M, M, R]),  # an optional one never stands in for a required one
    ],
)
def test_a_material_is_received_if_ticked_else_missing_when_required(received, expected):
    assert states(received) == expected


@pytest.mark.parametrize(
    ("received", "missing"),
    [((), [0, 1]), ((1,), [0]), ((0, 1), []), ((0, 1, 2), []), ((2,), [0, 1])],
)
def test_missing_means_required_and_not_received(received, missing):
    assert missing_materials(REQUIRED, received) == missing


def test_received_and_missing_never_overlap_and_cover_the_required():
    for received in [(), (0,), (1,), (2,), (0, 2), (0, 1, 2)]:
        missing = set(missing_materials(REQUIRED, received))
        assert not missing & set(received)
        assert {i for i, needed in enumerate(REQUIRED) if needed} <= missing | set(received)


@pytest.mark.parametrize(
    ("ticked", "cleaned"),
    [([2, 0, 2], [0, 2]), ([-1, 0, 3, 99], [0]), ([], []), ([1, 1, 1], [1])],
)
def test_received_indexes_are_kept_once_in_order_and_inside_the_list(ticked, cleaned):
    assert received_materials(len(REQUIRED), ticked) == cleaned


@pytest.mark.parametrize(
    ("missing", "received"),
    [([], [0, 1]), ([1], [0]), ([0, 1], [])],
)
def test_cases_from_before_received_the_required_materials_not_marked_missing(missing, received):
    assert received_before_tracking(REQUIRED, missing) == received
    assert missing_materials(REQUIRED, received) == missing  # and the derived list says the same as before
