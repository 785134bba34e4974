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
