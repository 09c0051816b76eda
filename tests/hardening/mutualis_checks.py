"""Schemathesis hooks for the Mutualis hardening run (loaded through SCHEMATHESIS_HOOKS).

One custom check, `mutualis_graphql_contract`, the response contract of /graphql beside
schemathesis's own `not_a_server_error` and `response_schema_conformance`:

- the status is 200 (GraphQL over HTTP with `Accept: application/json`: errors are in the body)
  — except 429 (rate limited), counted apart and not a failure;
- the body is a JSON object with `data` and/or `errors` and nothing else but `extensions`;
- every error has a string `message` and an `extensions.code` from the server's stable set
  (api/src/graphql/errors.rs), and none is INTERNAL_SERVER_ERROR (a bug, whatever the input).

Schemathesis's own `not_a_server_error` counts a resolver error as a server error unless its
`extensions.code` is one of Apollo's client-error codes (BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED,
...). Mutualis answers a random id with NOT_FOUND, a role without the permission with FORBIDDEN,
no credentials with UNAUTHENTICATED, a duplicate with CONFLICT: refusals of the request, not
failures of the server. They are added to its list of client-error codes below, so that the check
still fails on a 5xx, on INTERNAL_SERVER_ERROR and on an error with no code at all.

UUID arguments are drawn from the ids of the objects in the database ($MUTUALIS_HARDENING_IDS,
one a line, collected by run.sh after the demo data is in) as often as from random UUIDs: a random
id stops every mutation at NOT_FOUND, a real one takes the generated input down to the rules and
the SQL.

Counts of the responses seen (by status, and by error code) are written as JSON to
$MUTUALIS_HARDENING_STATS when the run ends.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from collections import Counter

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.specs.graphql import validation as _graphql_validation

# api/src/graphql/errors.rs `code`, and RATE_LIMITED of the HTTP layer.
STABLE_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "NOT_CONFIGURED",
        "GRAPHQL_VALIDATION_FAILED",
        "RATE_LIMITED",
        "BAD_REQUEST",
    }
)

# Refusals of the request (api/src/graphql/errors.rs): client errors for `not_a_server_error`.
MUTUALIS_CLIENT_CODES = frozenset({"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "NOT_CONFIGURED", "RATE_LIMITED"})
_graphql_validation.CLIENT_ERROR_MARKERS = _graphql_validation.CLIENT_ERROR_MARKERS | MUTUALIS_CLIENT_CODES


def _known_ids() -> list[str]:
    path = os.environ.get("MUTUALIS_HARDENING_IDS")
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return sorted({line.strip() for line in f if line.strip()})


_ids = _known_ids()
_uuids = st.uuids().map(str)
schemathesis.graphql.scalar(
    "UUID",
    (st.one_of(st.sampled_from(_ids), _uuids) if _ids else _uuids).map(nodes.String),
)

_lock = threading.Lock()
_statuses: Counter[str] = Counter()
_codes: Counter[str] = Counter()


def _write_stats() -> None:
    path = os.environ.get("MUTUALIS_HARDENING_STATS")
    if not path:
        return
    with _lock:
        doc = {
            "responses": sum(_statuses.values()),
            "statuses": dict(_statuses),
            "error_codes": dict(_codes),
        }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)


atexit.register(_write_stats)


@schemathesis.check
def mutualis_graphql_contract(ctx, response, case):
    """Status 200, a GraphQL response object, every error with a stable extensions.code."""
    status = response.status_code
    with _lock:
        _statuses[str(status)] += 1
    if status == 429:
        return None
    if status != 200:
        raise AssertionError(f"HTTP {status} (expected 200): {response.text[:500]}")
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    if not content_type.startswith("application/json"):
        raise AssertionError(f"Content-Type {content_type!r}, expected application/json")
    try:
        body = json.loads(response.content)
    except ValueError as e:
        raise AssertionError(f"body is not JSON ({e}): {response.text[:500]}") from None
    if not isinstance(body, dict):
        raise AssertionError(f"body is not a JSON object: {response.text[:500]}")
    extra = set(body) - {"data", "errors", "extensions"}
    if extra or not ({"data", "errors"} & set(body)):
        raise AssertionError(f"not a GraphQL response (keys {sorted(body)})")
    errors = body.get("errors")
    if errors is None:
        if body.get("data") is None:
            raise AssertionError("neither data nor errors")
        with _lock:
            _codes["(none: data)"] += 1
        return None
    if not isinstance(errors, list) or not errors:
        raise AssertionError(f"`errors` must be a non-empty list: {errors!r}")
    for e in errors:
        if not isinstance(e, dict) or not isinstance(e.get("message"), str):
            raise AssertionError(f"error without a message: {e!r}")
        ext = e.get("extensions")
        code = ext.get("code") if isinstance(ext, dict) else None
        with _lock:
            _codes[str(code)] += 1
        if code == "INTERNAL_SERVER_ERROR":
            raise AssertionError(f"internal error: {e['message']} (path {e.get('path')})")
        if code not in STABLE_CODES:
            raise AssertionError(f"error without a stable extensions.code: {e!r}")
    return None
