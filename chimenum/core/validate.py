"""The one check of every answer against the API model, made while the answer is parsed.

botocore parses leniently: a 200 whose body is not JSON becomes ``{}`` (the AWS CLI then prints
nothing and exits 0), a body cut off before its ``Content-Length`` is parsed as far as it goes,
wrong types pass straight through, and a boolean sent as ``"yes"`` becomes ``False``. So chimenum
plugs its own JSON parser into botocore's parser factory (:func:`parser_factory`): it decodes the
body once and, in the one walk in which it builds the parsed answer from the output shape, checks
each raw JSON value against the type the model promises. Anything that does not fit raises
:class:`~chimenum.core.errors.MalformedResponse` with a line that says what arrived, so the
answer ends in exit 12 instead of a silent success or a misleading message. botocore still signs,
sends, and parses error answers.

A list item or map value must fit the model's element type like any other value: a ``null``
item (which botocore passes through, and every reader of a list then trips over) is a malformed
answer, as is a wrong-typed one. The model's min/max lengths and patterns are not checked: they
limit what a request may send, and an answer outside them is still read.

The walk is compiled once per shape into plain functions (no per-value dispatch on the type
name), and timestamps use :func:`parse_timestamp`'s fast path: this is what makes chimenum faster
than a bare botocore loop. The domain checks that the model cannot express (the answer is about
the resource asked for) are :mod:`chimenum.core.checks`, made on the parsed answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chimenum.core.errors import MalformedResponse

if TYPE_CHECKING:
    from botocore.model import Shape
    from botocore.parsers import ResponseParserFactory

#: How much of an unexpected body or value the error message quotes.
QUOTE_LENGTH = 60

_ISO_UTC = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z", re.ASCII)
#: Python 3.11's ``fromisoformat`` reads every string :data:`_ISO_UTC` matches, ``Z`` included.
_FROMISOFORMAT_READS_Z = sys.version_info >= (3, 11)


def parse_timestamp(value: Any) -> dt.datetime:
    """botocore's ``parse_timestamp``, with a fast path for the form the APIs send.

    ``2024-01-15T10:20:30.123Z`` is parsed here to the very ``datetime`` botocore's dateutil
    path returns (same instant, same microseconds, UTC); every other form (offsets, epoch
    numbers, RFC 822) goes to botocore, so the JSON stays the AWS CLI's.
    """
    if type(value) is str and (match := _ISO_UTC.fullmatch(value)):
        try:
            if _FROMISOFORMAT_READS_Z:
                return dt.datetime.fromisoformat(value)  # C code: ten times the regex's speed
            year, month, day, hour, minute, second, fraction = match.groups()
            return dt.datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second),
                int(fraction.ljust(6, "0")) if fraction else 0,
                dt.timezone.utc,
            )
        except ValueError:
            pass  # e.g. a 61st second: botocore decides what it is
    from botocore.utils import parse_timestamp as botocore_parse_timestamp

    result: dt.datetime = botocore_parse_timestamp(value)
    return result


def _quote(text: str | bytes) -> str:
    if isinstance(text, bytes):
        shown = text[:QUOTE_LENGTH].decode("utf-8", "replace")
    else:
        shown = text[:QUOTE_LENGTH]
    return repr(shown + ("…" if len(text) > QUOTE_LENGTH else ""))


def _json_name(value: Any) -> str:
    names = {
        dict: "object",
        list: "list",
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
    }
    return names.get(type(value), type(value).__name__)


class _Misfit(Exception):
    """A value that does not fit its shape; ``path`` is filled in, innermost first, as it rises."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path: list[str] = []

    def message(self) -> str:
        return "response" + "".join(reversed(self.path)) + self.problem


#: The exact JSON types a value of each scalar model type may have on the wire (exact, so that
#: ``true`` is no integer), and the conversion botocore's REST-JSON parser applies.
_SCALAR_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "blob": frozenset({str}),
    "boolean": frozenset({bool}),
    "integer": frozenset({int}),
    "long": frozenset({int}),
    "float": frozenset({int, float}),
    "double": frozenset({int, float}),
    "timestamp": frozenset({str, int, float}),
}

#: One member of a structure: model name, JSON key, and either the exact JSON types and
#: conversion (``None``: as is) of a scalar, or ``None`` and the converter of a container.
_Member = tuple[str, str, "frozenset[type] | None", "Callable[[Any], Any] | None"]


class _Compiler:
    """Compiles a shape into a converter: raw JSON in, parsed answer out, or :class:`_Misfit`."""

    def __init__(
        self, timestamp_parser: Callable[[Any], Any], blob_parser: Callable[[Any], Any]
    ) -> None:
        self.timestamp_parser = timestamp_parser
        self.blob_parser = blob_parser
        #: id(shape) -> (shape, converter), complete converters only (the shape is kept so that
        #: its id is not reused); read without the lock by every worker thread of a batch.
        self.converters: dict[int, tuple[Shape, Callable[[Any], Any]]] = {}
        #: Converters being compiled: a structure is registered before its members are filled
        #: in (so that a recursive shape finds itself), and no other thread may use it then.
        self._building: dict[int, tuple[Shape, Callable[[Any], Any]]] = {}
        self._lock = threading.RLock()

    def scalar(self, shape: Shape) -> tuple[frozenset[type] | None, Callable[[Any], Any] | None]:
        kind = shape.type_name
        convert: Callable[[Any], Any] | None = None
        if kind in ("float", "double"):
            convert = float
        elif kind in ("timestamp", "blob"):
            parse = self.timestamp_parser if kind == "timestamp" else self.blob_parser

            def convert(value: Any) -> Any:
                try:
                    return parse(value)
                except (ValueError, TypeError, OverflowError, OSError):
                    raise _Misfit(
                        f" does not fit the API model: {_quote(str(value))} is not a {kind}"
                    ) from None

        return _SCALAR_TYPES.get(kind), convert

    def converter(self, shape: Shape) -> Callable[[Any], Any]:
        known = self.converters.get(id(shape))
        if known is not None:
            return known[1]
        with self._lock:
            known = self.converters.get(id(shape)) or self._building.get(id(shape))
            if known is not None:
                return known[1]
            nothing_in_progress = not self._building
            kind = shape.type_name
            convert: Callable[[Any], Any]
            if kind == "structure":
                convert = self.structure(shape)
            elif kind == "list":
                convert = self.list_of(shape)
            elif kind == "map":
                convert = self.map_of(shape)
            else:
                convert = self.checked_scalar(shape)
            self._building[id(shape)] = (shape, convert)
            if nothing_in_progress:
                self.converters.update(self._building)  # every one of them complete now
                self._building.clear()
            return convert

    def checked_scalar(self, shape: Shape) -> Callable[[Any], Any]:
        types, convert = self.scalar(shape)
        problem = f" should be a {shape.type_name}, got "

        def scalar(value: Any) -> Any:
            if types is not None and type(value) not in types:
                raise _Misfit(problem + _json_name(value))
            return value if convert is None else convert(value)

        return scalar

    def structure(self, shape: Shape) -> Callable[[Any], Any]:
        if getattr(shape, "is_document_type", False):
            return lambda value: value
        members: list[_Member] = []

        def structure(value: Any) -> Any:
            if type(value) is not dict:
                raise _Misfit(f" should be an object, got {_json_name(value)}")
            parsed = {}
            get = value.get
            for name, key, types, convert in members:
                raw = get(key)
                if raw is None:
                    continue
                try:
                    if types is None:
                        parsed[name] = convert(raw)  # type: ignore[misc]
                    elif type(raw) in types:
                        parsed[name] = raw if convert is None else convert(raw)
                    else:
                        kind = shape.members[name].type_name  # type: ignore[attr-defined]
                        raise _Misfit(f" should be a {kind}, got {_json_name(raw)}")
                except _Misfit as misfit:
                    misfit.path.append(f".{name}")
                    raise
            return parsed

        # Registered before its members are compiled, so that a recursive shape finds itself.
        self._building[id(shape)] = (shape, structure)
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if member.serialization.get("location"):
                continue  # a header or the status code: botocore reads those
            key = member.serialization.get("name", name)
            if member.type_name in ("structure", "list", "map"):
                members.append((name, key, None, self.converter(member)))
            else:
                types, convert = self.scalar(member)
                if types is None:  # a type the model may grow: checked and converted as is
                    types, convert = None, self.checked_scalar(member)
                members.append((name, key, types, convert))
        return structure

    def list_of(self, shape: Shape) -> Callable[[Any], Any]:
        convert_item = self.converter(shape.member)  # type: ignore[attr-defined]
        item_kind = shape.member.type_name  # type: ignore[attr-defined]

        def items(value: Any) -> Any:
            if type(value) is not list:
                raise _Misfit(f" should be a list, got {_json_name(value)}")
            parsed = []
            for index, item in enumerate(value):
                try:
                    if item is None:
                        raise _Misfit(f" should be a {item_kind}, got null")
                    parsed.append(convert_item(item))
                except _Misfit as misfit:
                    misfit.path.append(f"[{index}]")
                    raise
            return parsed

        return items

    def map_of(self, shape: Shape) -> Callable[[Any], Any]:
        convert_value = self.converter(shape.value)  # type: ignore[attr-defined]
        value_kind = shape.value.type_name  # type: ignore[attr-defined]

        def entries(value: Any) -> Any:
            if type(value) is not dict:
                raise _Misfit(f" should be an object, got {_json_name(value)}")
            parsed = {}
            for key, item in value.items():
                try:
                    if item is None:
                        raise _Misfit(f" should be a {value_kind}, got null")
                    parsed[key] = convert_value(item)
                except _Misfit as misfit:
                    misfit.path.append(f"[{key!r}]")
                    raise
            return parsed

        return entries


def check_complete(response: Mapping[str, Any]) -> None:
    """Raise unless the whole body arrived (a body cut off is parsed as far as it goes)."""
    body = response.get("body")
    if not isinstance(body, (bytes, bytearray)):
        return  # a streaming body: nothing chimenum calls has one
    headers = response.get("headers") or {}
    declared = headers.get("content-length")
    encoding = (headers.get("content-encoding") or "identity").lower()
    if (
        declared is not None
        and declared.isdigit()
        and encoding == "identity"
        and len(body) < int(declared)
    ):
        raise MalformedResponse(
            f"the answer was cut off: {len(body)} of {int(declared)} bytes arrived"
        )


def decode_body(response: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object of a successful answer, decoded once; raises MalformedResponse."""
    body = response["body"]
    status = response["status_code"]
    if not body.strip():
        raise MalformedResponse(f"HTTP {status} with an empty body")
    try:
        document = json.loads(body)
    except ValueError:
        content_type = response["headers"].get("content-type") or "no Content-Type"
        raise MalformedResponse(
            f"HTTP {status} body is not JSON ({content_type}): {_quote(bytes(body))}"
        ) from None
    if type(document) is not dict:
        raise MalformedResponse(
            f"HTTP {status} body is JSON but not an object ({_json_name(document)})"
        )
    return document


@lru_cache(maxsize=1)
def _factory_class() -> type[ResponseParserFactory]:
    from botocore.parsers import ResponseParserFactory

    from chimenum.core.botocore_private import rest_json_parser

    class CheckedRestJSONParser(rest_json_parser()):  # type: ignore[misc]
        """botocore's REST-JSON parser, with successful answers decoded and checked in one walk."""

        def __init__(self, compiler: _Compiler, **defaults: Any) -> None:
            super().__init__(**defaults)
            self._compiler = compiler

        def parse(self, response: Mapping[str, Any], shape: Shape) -> Any:
            check_complete(response)
            return super().parse(response, shape)

        def parse_document(self, response: Mapping[str, Any], shape: Shape | None) -> Any:
            members: Any = shape.members if shape is not None else {}  # type: ignore[attr-defined]
            payload = shape.serialization.get("payload") if shape is not None else None
            body_shape = members[payload] if payload else shape
            if (
                not 200 <= response["status_code"] < 300
                or body_shape is None
                or body_shape.type_name != "structure"
                or body_shape.serialization.get("eventstream")
                or not isinstance(response["body"], (bytes, bytearray))
            ):
                return self.botocore_parse(response, shape)  # nothing chimenum calls
            document = decode_body(response)
            parsed = {"ResponseMetadata": self.response_metadata(response)}
            self.header_members(response, shape, members, parsed)
            try:
                body = self._compiler.converter(body_shape)(document)
            except _Misfit as misfit:
                raise MalformedResponse(misfit.message()) from None
            if payload:
                parsed[payload] = body
            else:
                parsed.update(body)
            return parsed

    class CheckedParserFactory(ResponseParserFactory):
        def __init__(self) -> None:
            super().__init__()
            self._chosen: dict[str, Any] = {}
            self.set_parser_defaults(timestamp_parser=parse_timestamp)

        def set_parser_defaults(self, **kwargs: Any) -> None:
            super().set_parser_defaults(**kwargs)
            self._chosen.update(kwargs)
            self._compiler = _Compiler(
                self._chosen.get("timestamp_parser") or parse_timestamp,
                self._chosen.get("blob_parser") or _base64,
            )

        def create_parser(self, protocol_name: str) -> Any:
            if protocol_name == "rest-json":
                return CheckedRestJSONParser(self._compiler, **self._chosen)
            return super().create_parser(protocol_name)

    return CheckedParserFactory


def _base64(value: str) -> bytes:
    import base64

    return base64.b64decode(value)


def parser_factory() -> ResponseParserFactory:
    """A botocore ``response_parser_factory`` whose REST-JSON parser is the one check."""
    return _factory_class()()
