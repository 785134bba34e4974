"""Which store a run uses: the embedded Oxigraph store, or a remote SPARQL 1.1 store when ``endpoint`` is set."""

from __future__ import annotations

from typing import Any


def open_any_store(settings: Any):
    """``RemoteStore`` when ``settings.endpoint`` is set, else the embedded ``Store`` at ``settings.store_dir``."""
    if settings.values.get("endpoint"):
        from .remote import RemoteStore

        return RemoteStore.from_settings(settings)
    from .store import Store

    return Store.open(settings.store_dir, settings.base)


def store_label(settings: Any) -> str:
    """What to print as "the store": the endpoint URL or the directory."""
    return settings.values.get("endpoint") or settings.store_dir


def open_for_reading(settings: Any) -> tuple[Any, str | None]:
    """A store to read from, and a note when it is not the one asked for.

    The embedded store admits one process: while ``ssekg serve`` holds it, ``ssekg query`` and
    ``ssekg.analysis.dataframe`` used to stop with "open in another process". Reading does not need the files: when
    a server of these settings answers on this machine (``host``/``port``), the read goes through its SPARQL
    endpoint, which sees every write the server made. Otherwise the error stands, with what to do.
    """
    from .errors import StoreError

    try:
        return open_any_store(settings), None
    except StoreError as exc:
        if "another process" not in str(exc):
            raise
        url = local_server(settings)
        if url is None:
            raise StoreError(f"{exc} To read while it runs, start it with the same settings, or give its address: "
                             "--endpoint http://HOST:PORT/sparql") from None
        from .remote import RemoteStore

        return RemoteStore(url + "sparql", base=settings.base, timeout=float(settings.query_timeout)), (
            f"the store is held by the server at {url}: reading through its SPARQL endpoint")


def local_server(settings: Any, timeout: float = 2.0) -> str | None:
    """The address of an ``ssekg serve`` answering on this machine at the settings' host and port, else None."""
    import json
    import urllib.request

    host = str(settings.host)
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{'[' + host + ']' if ':' in host else host}:{int(settings.port)}/"
    try:
        with urllib.request.urlopen(url + "health", timeout=timeout) as response:
            health = json.loads(response.read(4096))
    except (OSError, ValueError):
        return None
    return url if health.get("status") == "ok" and health.get("backend") == "embedded" else None
