"""The query UI: YASGUI (vendored, see static/vendor/README.md) with the named queries of `queries/` as tabs."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

YASGUI_VERSION = "4.6.2"

HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$", re.IGNORECASE)


def parse_named_query(name: str, text: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "title": name, "description": "", "params": [], "query": text}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = HEADER.match(line)
        if m:
            key, value = m.group(1).lower(), m.group(2)
            if key == "param":
                meta["params"].append(value)
            else:
                meta[key] = value
    return meta


def named_queries() -> list[dict[str, Any]]:
    try:
        folder = resources.files("ssekg.queries")
    except ModuleNotFoundError:
        return []
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            out.append(parse_named_query(entry.name[:-3], entry.read_text(encoding="utf-8")))
    return out
