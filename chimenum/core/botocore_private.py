"""botocore's private surface: every attribute chimenum uses that botocore does not promise.

Everything else in chimenum uses botocore's public API only; what is here is reached through this
module alone, so a botocore release that changes it breaks one file, and
:func:`surface_problems` (run by tests/test_botocore_private.py) says what changed. pyproject.toml
bounds botocore to :data:`TESTED_VERSIONS`; raise the bound only after that test passes on the
new release.

- the REST-JSON parser's steps (``_do_parse``, ``_populate_response_metadata``,
  ``_parse_non_payload_attrs``): :mod:`chimenum.core.validate` decodes and checks an answer in one
  walk, then lets botocore add the headers and metadata exactly as it would;
- a client's HTTP session (``client._endpoint.http_session``): :mod:`chimenum.core.wire` sends
  the request itself so that it can bound the body as it streams in;
- that session's connection-pool classes (``URLLib3Session._pool_classes_by_scheme``, shared
  with its pool managers, proxy managers included): :mod:`chimenum.core.wire` gives its
  connections a response class of its own, the one place where the status line and the
  headers are read, so that one deadline bounds them as well as the body.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

#: The botocore releases this surface was checked against (pyproject.toml says the same).
TESTED_VERSIONS = (">=1.34", "<1.45")

#: Each private method used, with its parameters: what :func:`surface_problems` checks.
PARSER_METHODS: dict[str, tuple[str, ...]] = {
    "_do_parse": ("self", "response", "shape"),
    "_populate_response_metadata": ("self", "response"),
    "_parse_non_payload_attrs": ("self", "response", "shape", "member_shapes", "final_parsed"),
}


@lru_cache(maxsize=1)
def rest_json_parser() -> type[Any]:
    """botocore's ``RestJSONParser`` with its private steps under names of chimenum's own.

    A subclass overrides :meth:`parse_document` (botocore's ``_do_parse``: the whole answer,
    after the error check) and may call the others.
    """
    from botocore.parsers import RestJSONParser

    class Parser(RestJSONParser):
        def _do_parse(self, response: Mapping[str, Any], shape: Any) -> Any:
            return self.parse_document(response, shape)

        def parse_document(self, response: Mapping[str, Any], shape: Any) -> Any:
            return self.botocore_parse(response, shape)

        def botocore_parse(self, response: Mapping[str, Any], shape: Any) -> Any:
            """What botocore itself would parse."""
            base: Any = RestJSONParser
            return base._do_parse(self, response, shape)

        def response_metadata(self, response: Mapping[str, Any]) -> dict[str, Any]:
            own: Any = self
            metadata: dict[str, Any] = own._populate_response_metadata(response)
            return metadata

        def header_members(
            self,
            response: Mapping[str, Any],
            shape: Any,
            members: Mapping[str, Any],
            parsed: dict[str, Any],
        ) -> None:
            """The members read from headers and the status code, added to ``parsed``."""
            own: Any = self
            own._parse_non_payload_attrs(response, shape, members, parsed)

    return Parser


def http_session(client: Any) -> Any:
    """The ``URLLib3Session`` ``client`` sends its requests with."""
    return client._endpoint.http_session


def read_answers_with(client: Any, response_class: type[Any]) -> None:
    """Make every connection of ``client`` read its answers (status line, headers, body) with
    ``response_class``, an ``http.client.HTTPResponse`` subclass."""
    pools = http_session(client)._pool_classes_by_scheme
    for scheme, pool in list(pools.items()):
        pools[scheme] = _pool_reading_with(pool, response_class)


#: Pool classes made so far, by (botocore's pool class, response class): one class per pair,
#: however many clients a run builds.
_POOLS: dict[tuple[type[Any], type[Any]], type[Any]] = {}


def _pool_reading_with(pool: type[Any], response_class: type[Any]) -> type[Any]:
    if getattr(pool.ConnectionCls, "response_class", None) is response_class:
        return pool  # installed already
    made = _POOLS.get((pool, response_class))
    if made is None:
        connection = type(
            pool.ConnectionCls.__name__, (pool.ConnectionCls,), {"response_class": response_class}
        )
        made = _POOLS[(pool, response_class)] = type(
            pool.__name__, (pool,), {"ConnectionCls": connection}
        )
    return made


def surface_problems(client: Any | None = None) -> list[str]:
    """What no longer matches in the installed botocore (``[]``: all of it is as expected).

    ``client``: a botocore client whose HTTP session is checked too.
    """
    from botocore.parsers import RestJSONParser

    problems = []
    for name, expected in PARSER_METHODS.items():
        method = getattr(RestJSONParser, name, None)
        if not callable(method):
            problems.append(f"RestJSONParser.{name} is gone")
            continue
        found = tuple(inspect.signature(method).parameters)
        if found != expected:
            problems.append(f"RestJSONParser.{name}{found} is not {expected}")
    if client is not None:
        session = getattr(getattr(client, "_endpoint", None), "http_session", None)
        if session is None:
            problems.append("client._endpoint.http_session is gone")
        elif not callable(getattr(session, "send", None)):
            problems.append("client._endpoint.http_session has no send()")
        else:
            problems += _pool_problems(session)
    return problems


def _pool_problems(session: Any) -> list[str]:
    import http.client

    pools: Any = getattr(session, "_pool_classes_by_scheme", None)
    if not isinstance(pools, dict) or set(pools) != {"http", "https"}:
        return ["the HTTP session's _pool_classes_by_scheme is not {'http': ..., 'https': ...}"]
    problems = []
    if getattr(getattr(session, "_manager", None), "pool_classes_by_scheme", None) is not pools:
        problems.append("the HTTP session's pool manager does not share _pool_classes_by_scheme")
    for scheme, pool in pools.items():
        connection = getattr(pool, "ConnectionCls", None)
        response = getattr(connection, "response_class", None)
        if not (isinstance(response, type) and issubclass(response, http.client.HTTPResponse)):
            problems.append(f"the {scheme} connections' response_class is not an HTTPResponse")
    return problems
