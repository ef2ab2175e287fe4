"""The fake's accounts: broken accounts, STS logged and faulted, and generated estates.

An account is chosen by the access key a request is signed with (:mod:`chimenum.demo.accounts`).
:meth:`FakeChime.break_account <testing.fakechime.FakeChime.break_account>` makes every request
with one key fail; STS (:mod:`chimenum.demo.sts`) answers such a fault with its own error code
(:data:`STS_CODES`), as STS and Chime name the same refusal differently.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chimenum.demo.accounts import ANY_REGION, Account
from chimenum.demo.sts import xml_error
from testing.fakechime.faults import FaultAnswers

if TYPE_CHECKING:
    from testing.fakechime import FakeChime
    from testing.fakechime.faults import Fault

#: What STS answers for the fault an API listener answers with a Chime error code.
STS_CODES: dict[str, str] = {
    "ExpiredTokenException": "ExpiredToken",
    "ForbiddenException": "AccessDenied",
    "AccessDeniedException": "AccessDenied",
    "UnauthorizedClientException": "InvalidClientTokenId",
    "UnrecognizedClientException": "InvalidClientTokenId",
    "BadRequestException": "ValidationError",
    "NotFoundException": "ValidationError",
    "ThrottledClientException": "Throttling",
    "ServiceUnavailableException": "ServiceUnavailable",
    "ServiceFailureException": "InternalFailure",
}


class AccountAnswers(FaultAnswers):
    """The fake's handler: a broken account's fault, and STS requests logged like the others."""

    if TYPE_CHECKING:

        @property
        def fake(self) -> FakeChime: ...

        def log(self, **fields: Any) -> None: ...

    def broken(self, access_key: str | None) -> Fault | None:
        """The fault of the account ``access_key`` selects, if it was broken; a hang is waited
        out here (until the fake stops), and the request then answered as usual."""
        fake = self.fake
        with fake.lock:
            fault = fake.broken.get(access_key or "")
        if fault is not None and fault.kind == "slow":
            fake.released.wait(fault.delay)
            return None
        return fault

    def answer_sts(self, form: dict[str, str], auth: re.Match[str] | None) -> None:
        action = form.get("Action", "")
        self.log(query={name: [value] for name, value in form.items()}, operation=action)
        fake = self.fake
        fault = self.broken(auth["akid"] if auth else None)
        if fault is None and auth is not None:
            # Injected for one STS operation (``fake.inject("sts:AssumeRole", ...)``): "*" faults
            # are the Chime APIs' and leave STS alone.
            fault = fake._take_fault(f"sts:{action}", auth["region"], wildcard=False)
            if fault is not None and fault.kind == "slow":
                fake.released.wait(fault.delay)
                fault = None
        if fault is None:
            super().answer_sts(form, auth)
        elif fault.kind in STS_CODES:
            status, body = xml_error(STS_CODES[fault.kind], fault.message or f"fake {fault.kind}")
            self.send(status, body, "text/xml")
        else:
            self._fault(fault, fake, None)


def bench_key(n: int) -> str:
    """The access key id of the ``n``th generated account (``AKIDESTATE0000000001``)."""
    return f"AKIDESTATE{n:010d}"


def generated_accounts(
    count: int, regions: tuple[str, ...], numbers: int, first: int = 12100000000
) -> dict[str, Account]:
    """``count`` accounts (keys :func:`bench_key` 1..count, ids ``100000000001``...), each with
    ``numbers`` regional Chime SDK Voice numbers in each of ``regions``, spread over 3 voice
    connectors, 2 SIP rules and 4 orders of that account and region, all healthy."""
    from testing.fakechime import generate_numbers
    from testing.fakechime.related import share_related

    accounts: dict[str, Account] = {}
    for n in range(1, count + 1):
        account_id = f"{100000000000 + n}"
        voice: dict[str, list[dict[str, Any]]] = {ANY_REGION: []}
        resources = {}
        for r, region in enumerate(regions):
            start = first + (n * len(regions) + r) * numbers
            voice[region], resources[region] = share_related(
                generate_numbers(numbers, start, voice=True)
            )
        accounts[bench_key(n)] = Account(
            account_id, voice_records=voice, resources=resources, user=f"bench{n:02d}"
        )
    return accounts
