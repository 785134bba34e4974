"""A fuzzer for the parameters of the named queries (issue 13): whatever a user types, it is one value.

Parameters arrive from HTTP (``/queries/NAME?param=…``, the comparison page) and the CLI (``-p name=value``). Each
value is refused with a QueryError or becomes one RDF term written where its variable stands
(``ssekg.binding.bind_values``). For any text, the bound query must parse, must pass the outbound check, and must
give the same answer as Oxigraph's own pre-binding of that term (``substitutions``): the value can change which
rows match, never the query.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssekg.binding import bind_values
from ssekg.namespaces import DEFAULT_BASE
from ssekg.outbound import check_text
from ssekg.query import QueryError, _prefixes, bind_params, named_queries
from ssekg.store import Store

QUERIES = {name: q for name, q in named_queries().items() if q.params}
HOSTILE = ['"} ; DROP ALL #', "' } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #", '"""', "\\", "\\u0022", ">",
           "<http://x/> } INSERT DATA { <a> <b> <c> } #", "SN", "Sénégal", "السنغال", "access-to-finance",
           "challenge/access-to-finance", "2026", "2026-02", "0.5", "1e3", "?s", "$x", "#", "\n", "\x00", "\u202e"]


@pytest.fixture(scope="module")
def store() -> Store:
    from support import EXAMPLES  # the bundled example cards, ingested once

    from ssekg.ingest.pipeline import ingest_paths

    s = Store.memory()
    ingest_paths(s, sorted(EXAMPLES.glob("*.yaml")))
    return s


def _rows(result) -> list:
    if isinstance(result, ox.QueryBoolean):
        return [bool(result)]
    return sorted(sorted((str(k), str(v)) for k, v in zip(result.variables, row)) for row in result)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(QUERIES)), data=st.data(),
       value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)))
def test_any_value_is_one_term_and_changes_no_query(store, name, data, value):
    named = QUERIES[name]
    param = data.draw(st.sampled_from(named.params))
    try:
        bindings = bind_params(named, {param.name: value}, DEFAULT_BASE)
    except QueryError:
        return
    text = bind_values(named.text, bindings)
    check_text(text)  # no outbound syntax can come in with a value
    prefixes = _prefixes(store.base)
    written = store.ox.query(text, prefixes=prefixes)
    prebound = store.ox.query(named.text, prefixes=prefixes, substitutions=bindings)
    assert _rows(written) == _rows(prebound)
