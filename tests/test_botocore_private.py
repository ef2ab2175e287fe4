"""botocore's private surface, used through chimenum.core.botocore_private alone.

Fails loudly, naming what changed, on a botocore whose private methods or attributes are not
what chimenum was tested against; and when the installed botocore is outside the declared bound.
"""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

from chimenum.core import botocore_private
from chimenum.core.run import Run
from chimenum.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = re.compile(
    r"\._(?:do_parse|populate_response_metadata|parse_non_payload_attrs|endpoint"
    r"|pool_classes_by_scheme)\b"
)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_the_private_surface_is_what_chimenum_was_tested_against(fake: object) -> None:
    client = Run(Settings()).client()
    assert botocore_private.surface_problems(client) == []


def test_the_installed_botocore_is_within_the_declared_bound() -> None:
    import botocore

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = next(d for d in project["dependencies"] if d.startswith("botocore"))
    low, high = botocore_private.TESTED_VERSIONS
    assert declared == f"botocore{low},{high}"
    installed = _version(botocore.__version__)
    assert _version(low) <= installed < _version(high)


def test_no_other_module_reaches_into_botocore() -> None:
    users = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "chimenum").rglob("*.py")
        if PRIVATE.search(path.read_text())
    )
    assert users == ["chimenum/core/botocore_private.py"]


def test_a_changed_surface_is_named() -> None:
    """The check can fail: a client without the attribute is reported."""

    class NoEndpoint:
        pass

    assert botocore_private.surface_problems(NoEndpoint()) == [
        "client._endpoint.http_session is gone"
    ]


def test_connections_that_no_longer_read_through_chimenums_response_are_named() -> None:
    """The check can fail for the connection pools too: a session whose pool classes are not
    botocore's kind (a response class that is no HTTPResponse) is reported."""

    class Connection:
        response_class = object

    class Pool:
        ConnectionCls = Connection

    class Session:
        def __init__(self) -> None:
            self._pool_classes_by_scheme = {"http": Pool, "https": Pool}
            self._manager = None

        def send(self) -> None:
            pass

    class Endpoint:
        http_session = Session()

    class Client:
        _endpoint = Endpoint()

    assert botocore_private.surface_problems(Client()) == [
        "the HTTP session's pool manager does not share _pool_classes_by_scheme",
        "the http connections' response_class is not an HTTPResponse",
        "the https connections' response_class is not an HTTPResponse",
    ]
