"""One limit for every request body, however it is framed (issue 13).

A body sent with ``Content-Length`` is refused (413) by its announced length before it is read. A chunked body
announces nothing: Werkzeug reads it up to ``MAX_CONTENT_LENGTH`` and stops there without a word, so a 2 MB Graph
Store ``PUT`` stored its first megabyte and answered 201. This middleware reads a chunked body itself, up to one
byte more than the limit: over it, the request is answered 413 and never reaches the application; within it, the
application sees the body as if it had come with a ``Content-Length``, and every check of the routes applies.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def limit_bodies(app: WSGIApp, limit: int) -> WSGIApp:
    """``app`` behind the body limit (``max_request_bytes``)."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        framing = environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if "chunked" in framing or (not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")
                                    and environ.get("REQUEST_METHOD") in ("POST", "PUT", "PATCH")):
            stream = environ["wsgi.input"]
            body = bytearray()
            while len(body) <= limit:
                piece = stream.read(min(65536, limit + 1 - len(body)))
                if not piece:
                    break
                body += piece
            if len(body) > limit:
                message = f"the request body is larger than {limit} bytes (max_request_bytes)\n".encode()
                start_response("413 Request Entity Too Large", [
                    ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(message))),
                    ("Connection", "close"), ("X-Content-Type-Options", "nosniff")])
                return [message]
            environ["wsgi.input"] = io.BytesIO(bytes(body))
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return app(environ, start_response)

    return middleware
