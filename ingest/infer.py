"""OWL RL inference per report, with owlrl as the reference semantics.

The ontology's own closure is computed once per process. For a report we expand report + ontology closure and
keep only what is new *about instance data*: triples already asserted by the report, already in the reference
closure (ontology, schemes, countries and what follows from them), or trivially true in OWL RL for every
resource (``x owl:sameAs x``, ``x a owl:Thing``) are left out. What remains goes in the report's inferred graph.
"""

from __future__ import annotations

import owlrl
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from ssekg.store import triple_key


def closure(graph: Graph) -> Graph:
    """The OWL 2 RL closure of ``graph`` (a new graph; the input is left alone)."""
    expanded = Graph()
    for triple in graph:
        expanded.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(expanded)
    return expanded


_SAME_AS, _TYPE, _THING = OWL.sameAs, RDF.type, OWL.Thing  # rdflib's Namespace.__getattr__ is slow in hot loops


def trivial(s, p, o) -> bool:
    """True in OWL RL of every resource, so not worth storing."""
    return (p == _SAME_AS and s == o) or (p == _TYPE and o == _THING)


def infer(report: Graph, tbox: frozenset, reference: frozenset, base: str) -> Graph:
    """What OWL RL adds to ``report`` about resources under ``base``.

    ``tbox`` is the ontology with its closure, expanded with every report; ``reference`` holds the triples
    already in the store's reference graphs and their closure (as :func:`ssekg.store.triple_key` strings),
    which are never repeated per report.
    """
    work = Graph()
    for triple in tbox:
        work.add(triple)
    for triple in report:
        work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    inferred = Graph()
    for s, p, o in work:
        if (
            isinstance(s, URIRef)
            and str(s).startswith(base)
            and (s, p, o) not in report
            and (s, p, o) not in tbox
            and triple_key(s, p, o) not in reference
            and not trivial(s, p, o)
        ):
            inferred.add((s, p, o))
    return inferred
