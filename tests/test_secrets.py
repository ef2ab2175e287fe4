"""Secrets never reach output: an explicit list of secret members, held to both botocore models,
and a user's PersonalPIN absent from every format of ``describe``."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from chimenum.core.resources import OPERATIONS, SECRET_MEMBERS, SHOWN_ON_PURPOSE
from chimenum.demo import resources as demo
from testing.fakechime import FakeChime

SERVICES = {"chime": "chime", "voice": "chime-sdk-voice"}
#: What get, list and wait read; describe and audit read these and OPERATIONS.
NUMBER_OPERATIONS = ("GetPhoneNumber", "ListPhoneNumbers")
PIN = "8402197365"


def read_operations() -> Iterator[tuple[str, str]]:
    for api in SERVICES:
        for operation in NUMBER_OPERATIONS:
            yield api, operation
    for api, operation, _, _ in OPERATIONS.values():
        yield api, operation


def members(shape: Any, seen: set[str]) -> Iterator[tuple[str, str, Any]]:
    """``(shape name, member name, member shape)`` of every member reachable from ``shape``."""
    if shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            yield shape.name, name, member
            yield from members(member, seen)
    elif shape.type_name == "list":
        yield shape.name, "member", shape.member
        yield from members(shape.member, seen)
    elif shape.type_name == "map":
        yield from members(shape.value, seen)


def read_members() -> set[tuple[str, str, bool]]:
    import botocore.session

    session = botocore.session.get_session()
    found: set[tuple[str, str, bool]] = set()
    for api, operation in read_operations():
        model = session.get_service_model(SERVICES[api])
        output = model.operation_model(operation).output_shape
        for owner, name, member in members(output, set()):
            found.add((owner, name, bool(member.metadata.get("sensitive"))))
    return found


def test_every_sensitive_member_read_is_either_secret_or_shown_on_purpose() -> None:
    """A member a model marks sensitive, new in either model, fails here until someone decides."""
    found = read_members()
    sensitive = {(owner, name) for owner, name, flag in found if flag}
    undecided = sensitive - SECRET_MEMBERS - SHOWN_ON_PURPOSE
    assert undecided == set(), "add each to SECRET_MEMBERS or SHOWN_ON_PURPOSE"
    assert not SECRET_MEMBERS & SHOWN_ON_PURPOSE
    # Neither list names a member no operation read has (a typo would silently protect nothing).
    names = {(owner, name) for owner, name, _ in found}
    assert (SECRET_MEMBERS | SHOWN_ON_PURPOSE) - names == set()
    assert ("User", "PersonalPIN") in SECRET_MEMBERS  # not marked sensitive by the model


@pytest.mark.parametrize(
    "args", [("--json",), ("-o", "ndjson"), ("-o", "csv"), ("-o", "table"), ("--color", "always")]
)
def test_a_users_pin_never_reaches_output(fake: FakeChime, chimenum, args) -> None:
    user = copy.deepcopy(fake.resources["us-east-1"][("User", demo.CHIME_USER)])
    fake.put("us-east-1", "User", demo.CHIME_USER, {**user, "PersonalPIN": PIN})
    run = chimenum("describe", "+12065550100", *args)
    assert run.exit_code == 0, run.stderr
    assert fake.count("GetUser") == 1  # the answer carrying the PIN was read
    assert "jane.doe@anycompany.example" in run.stdout or args == ("-o", "csv")
    assert PIN not in run.stdout + run.stderr
    assert "PersonalPIN" not in run.stdout
