"""Named queries as pandas DataFrames, for analysts (spreadsheets, notebooks, charts).

    from ssekg.analysis import dataframe
    df = dataframe("challenges-by-country", store_dir="/data/ssekg", dimension="speaker", lang="fr")
    df.pivot_table(index="countryLabel", columns="categoryLabel", values="statements", fill_value=0)

pandas is an optional dependency: ``pip install 'ssekg[analysis]'``.
"""

from __future__ import annotations

import os
from typing import Any

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    _XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
        "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}
_FLOAT_TYPES = {_XSD + "decimal", _XSD + "double", _XSD + "float"}


def _pandas():
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "ssekg.analysis needs pandas, an optional dependency: pip install 'ssekg[analysis]' (or pip install pandas)"
        ) from None
    return pandas


def dataframe(name: str, store: Any = None, store_dir: str | os.PathLike[str] | None = None, **params: Any):
    """The answer of the named query ``name`` (``queries/NAME.rq``) as a ``pandas.DataFrame``.

    ``store`` is an open :class:`ssekg.store.Store`; without it, the store at ``store_dir`` (or the configured one,
    ``SSEKG_STORE``) is opened for the query and closed after, or, while ``ssekg serve`` holds it, read through
    that server (``ssekg.backends.open_for_reading``). ``params`` are the query's parameters
    (``dimension="speaker"``, ``lang="fr"``, ``country="SN"`` …), bound as values, never pasted into the query.
    One column per SELECT variable, in order: integer columns are ``int64`` (``Int64`` when some rows have no
    value), decimal ones ``float64``, booleans ``boolean``; IRIs, texts and dates are strings (``None`` if unbound).
    Raises :class:`ssekg.query.QueryError` for an unknown query or parameter or a malformed value.
    """
    pd = _pandas()
    from .query import run_named

    own = store is None
    if own:
        from .backends import open_for_reading
        from .settings import load_settings

        settings = load_settings({"store": str(store_dir) if store_dir is not None else None})
        store, _note = open_for_reading(settings)  # through the running server when it holds the store
    try:
        result = run_named(store, name, {k: v for k, v in params.items() if v is not None})
        columns = [v.value for v in result.variables]
        rows = [[row[c] for c in columns] for row in result]
    finally:
        if own:
            store.close()
    return pd.DataFrame({c: _column(pd, [r[i] for r in rows]) for i, c in enumerate(columns)}, columns=columns)


def _column(pd, terms: list[Any]):
    """One column: typed by the datatypes of its literals when they all agree on a numeric or boolean type."""
    datatypes = {getattr(getattr(t, "datatype", None), "value", None) for t in terms if t is not None}
    values = [None if t is None else t.value for t in terms]
    missing = any(v is None for v in values)
    if datatypes and datatypes <= _INTEGER_TYPES:
        series = pd.Series([None if v is None else int(v) for v in values], dtype="Int64")
        return series if missing else series.astype("int64")
    if datatypes and datatypes <= _INTEGER_TYPES | _FLOAT_TYPES:
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    if datatypes == {_XSD + "boolean"}:
        return pd.Series([None if v is None else v in ("true", "1") for v in values], dtype="boolean")
    return pd.Series(values, dtype="object")
