"""The SPARQL endpoint and Linked Data server: a Flask app factory, run under gunicorn by ``ssekg serve``.

``create_app(settings=None, store=None)``: ``settings`` is an ``ssekg.settings.Settings`` (loaded from the
environment when None); ``store`` an open ``ssekg.store.Store`` (opened lazily from ``settings.store`` when None,
once per process: the embedded store admits one writing process, so the server runs one worker with threads), or an
``ssekg.remote.RemoteStore``; with ``settings.endpoint`` set and no store given, the remote store of the settings.
Routes read through ``ServerState.backend`` (``server/backend.py``), whichever it is.
"""

from __future__ import annotations

from typing import Any

from .app import create_app

__all__ = ["create_app"]
