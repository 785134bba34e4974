"""The app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ssekg.settings import Settings, load_settings

from .state import ServerState


def create_app(settings: Settings | None = None, store: Any = None) -> Flask:
    """The app; ``store``: an embedded ``Store``, a ``RemoteStore``, or None (from the settings)."""
    settings = settings or load_settings()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["ssekg"] = ServerState(settings, store)

    from . import compare, describe, ld, ops, protocol, queries, review

    app.register_blueprint(protocol.bp)
    app.register_blueprint(describe.bp)
    app.register_blueprint(ld.bp)
    app.register_blueprint(queries.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(review.bp)
    ops.install(app)
    from .bodies import limit_bodies

    app.wsgi_app = limit_bodies(app.wsgi_app, settings.max_request_bytes)  # type: ignore[method-assign]
    return app
