"""What the server must know about an update text before running it (what may leave the machine is
``ssekg.outbound``'s to decide, for the server and the CLI alike).

- where to put the USING clauses that the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` ask for
  (pyoxigraph's ``Store.update`` takes no dataset), found from the text's terminals (``ssekg.sparqllex``) and
  their brace depth: a top-level ``WHERE`` that follows a DELETE/INSERT template.
"""

from __future__ import annotations

from collections.abc import Iterator

from ssekg.sparqllex import LexError
from ssekg.sparqllex import tokens as lex


class TextError(ValueError):
    """A request the server refuses because of what its text says (400)."""


def tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(kind, value, position, depth) of the tokens that matter here: words, IRIs, braces and top-level ';'.

    The terminals come from ``ssekg.sparqllex`` (the grammar's, as the engine reads them); a text that is not
    SPARQL raises TextError.
    """
    try:
        for t in lex(text):
            if t.kind in ("word", "iri", "brace") or (t.kind == "semi" and t.depth == 0):
                yield t.kind, t.value, t.pos, t.depth
    except LexError as exc:
        raise TextError(f"the text is not SPARQL: {exc}") from None


def inject_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Add USING / USING NAMED clauses to every DELETE/INSERT … WHERE operation of ``update``.

    Raises TextError if the update names its own dataset (USING or WITH) — the protocol forbids both at once.
    """
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    insert_at: list[int] = []
    modify = False
    previous = None
    for kind, value, pos, depth in tokens(update):
        if depth == 0 and kind == "word":
            if value in {"USING", "WITH"}:
                raise TextError(
                    "the update names its dataset (USING or WITH) and the request gives "
                    "using-graph-uri/using-named-graph-uri: use one or the other"
                )
            if value in {"DELETE", "INSERT"}:
                modify = True
            elif value == "WHERE" and modify:
                if previous != "DELETE":  # DELETE WHERE takes no USING
                    insert_at.append(pos)
                modify = False
            elif value == "DATA":
                modify = False
            previous = value
        elif kind == "semi":
            modify = False
            previous = None
    for pos in reversed(insert_at):
        update = update[:pos] + clause + update[pos:]
    return update
