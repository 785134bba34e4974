"""A list of report files with their sources: ``ssekg ingest --sources FILE`` (issue 14).

A folder of saved articles has no addresses in it: one sidecar file per report was the only way to give each its
URL, date, publisher and licence. A sources list gives them all at once, as a TSV or CSV file with a header line:

```text
path	url	published	publisher	license	publish_text
dakar.txt	https://example.org/news/dakar	2026-03-02	Example News	https://creativecommons.org/licenses/by/4.0/	true
```

``path`` (required) is relative to the list's own folder; the other columns are optional and are read like a
sidecar file's keys (``ssekg.ingest.readers``): ``url``, ``published`` (YYYY-MM-DD), ``publisher``, ``license`` (an
IRI), ``publish_text`` (true only where the licence allows republishing the text), ``title``, ``language``. A
value given here wins over the file's front matter and sidecar. An unknown column, a path listed twice or a bad
value is an InputError naming the list and the line.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ssekg.errors import InputError

from .readers import _KEYS, _metadata

COLUMNS = ("path", "url", "published", "publisher", "license", "publish_text", "title", "language")
#: The largest sources list read (a line per report: a million reports is far beyond one store's ingest).
MAX_BYTES = 50 * 1024 * 1024


def load_sources(path: str | Path) -> dict[str, dict[str, Any]]:
    """Resolved file path → its metadata, from a TSV (``.tsv``, ``.tab``) or CSV list; InputError when unreadable."""
    path = Path(path)
    source = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(source, f"is larger than {MAX_BYTES // 1_048_576} MiB", "split the list")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(source, f"cannot be read ({exc.strerror or exc})", "check the path") from None
    except UnicodeDecodeError as exc:
        raise InputError(source, f"is not UTF-8 ({exc.reason})", "save the list as UTF-8") from None
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise InputError(source, "is empty", "give a header line (path, url, …) and a line per report")
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h not in COLUMNS and h not in _KEYS]
    if "path" not in header or unknown:
        raise InputError(source, "its header must name a path column" + (f"; unknown columns: {', '.join(unknown)}"
                                                                          if unknown else ""),
                         f"use the columns {', '.join(COLUMNS)}")
    out: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{source}, line {number}", f"has {len(row)} cells for {len(header)} columns",
                             "quote values that hold the separator")
        values = dict(zip(header, (cell.strip() for cell in row)))
        name = values.pop("path", "")
        if not name:
            raise InputError(f"{source}, line {number}", "has no path", "name the report file")
        resolved = str((path.parent / name).resolve())
        if resolved in out:
            raise InputError(f"{source}, line {number}", f"lists {name} a second time", "keep one line per file")
        out[resolved] = _metadata({k: v for k, v in values.items() if v}, f"{source}, line {number}")
    return out
