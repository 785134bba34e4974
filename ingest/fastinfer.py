"""A fast path for per-report inference that gives exactly what ``ingest.infer.infer`` (owlrl) gives.

owlrl recomputes, for every report, the closure of the whole ontology together with the report (≈ 0.2–0.5 s a
report on a small machine). What a report can add to that closure depends only on a few kinds of ontology
axioms, and their closure does not change between reports. So the ontology's closure (``Reference.tbox``, which
owlrl computed once per process) is compiled once into lookup tables:

=================  ===========================================  ========================
OWL 2 RL rule      ontology axiom (in the tbox's closure)        instance consequence
=================  ===========================================  ========================
cax-sco, cax-eqc   C rdfs:subClassOf D, C owl:equivalentClass D  x a C  ⇒  x a D
prp-spo1, prp-eqp  P rdfs:subPropertyOf Q, owl:equivalentProp.   x P y  ⇒  x Q y
prp-dom            P rdfs:domain C                               x P y  ⇒  x a C
prp-rng            P rdfs:range C                                x P y  ⇒  y a C
prp-inv1/2         P owl:inverseOf Q                             x P y  ⇒  y Q x (both ways)
prp-symp           P a owl:SymmetricProperty                     x P y  ⇒  y P x
prp-trp            P a owl:TransitiveProperty                    x P y, y P z  ⇒  x P z
=================  ===========================================  ========================

and a report's triples are closed under those tables with a work list (about a millisecond a report). The result
is filtered exactly as ``infer`` filters owlrl's (only triples about resources under ``base``, not asserted, not
in the tbox or the reference closure, not trivial).

Soundness is guarded twice:

- :func:`supported` refuses an ontology that uses any axiom OWL RL draws instance consequences from that the
  tables do not cover (functional and inverse-functional properties, keys, property chains, restrictions,
  intersections and unions used as classes, ``owl:sameAs`` between different terms, …), and a report whose own
  triples are schema (``rdfs:subClassOf`` …) or use the OWL vocabulary; for those, :func:`fast_infer` calls owlrl.
- ``tests/test_fastinfer.py`` checks, on every bundled card, every valid shapes fixture and a generated corpus,
  that :func:`fast_infer` and ``infer`` give the same graph, triple for triple.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from .infer import infer

from ssekg.store import plain_graph, triple_key  # the reference closure: N-Triples keys or rdflib triples

Triple = tuple[Node, Node, Node]

_OWL, _RDF, _RDFS = str(OWL), str(RDF), str(RDFS)

#: ontology predicates with instance consequences the tables do not implement (OWL 2 RL, tables 4–6)
_UNSUPPORTED_PREDICATES = {
    OWL.hasKey, OWL.propertyChainAxiom, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue,
    OWL.intersectionOf, OWL.unionOf, OWL.oneOf, OWL.complementOf, OWL.maxCardinality,
    OWL.maxQualifiedCardinality, OWL.cardinality, OWL.qualifiedCardinality, OWL.onProperty,
    OWL.propertyDisjointWith, OWL.members, OWL.distinctMembers, OWL.differentFrom, OWL.sourceIndividual,
}
#: property kinds with instance consequences the tables do not implement
_UNSUPPORTED_TYPES = {
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.AsymmetricProperty, OWL.IrreflexiveProperty,
    OWL.AllDisjointClasses, OWL.AllDisjointProperties, OWL.AllDifferent, OWL.NegativePropertyAssertion,
    OWL.Restriction,
}
#: vocabulary a report may use without changing what the ontology entails
_TYPE = RDF.type  # rdflib's Namespace.__getattr__ is slow in hot loops
_HARMLESS = {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo}  # annotations


@dataclass(frozen=True)
class Rules:
    """The ontology's closure as lookup tables (see the module docstring); ``ok`` is False if not enough."""

    ok: bool
    why: str
    superclasses: dict  # class -> frozenset of classes it is a subclass of (transitively)
    superproperties: dict  # property -> frozenset of its superproperties (transitively)
    domains: dict  # property -> frozenset of classes
    ranges: dict  # property -> frozenset of classes
    inverses: dict  # property -> frozenset of inverse properties (and itself, if symmetric)
    transitive: frozenset
    #: what one triple entails, by its predicate (and its class, for rdf:type): see :func:`_template`
    templates: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


def _transitive(edges: dict) -> dict:
    out = {}
    for start in edges:
        seen, todo = set(), list(edges[start])
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(edges.get(node, ()))
        out[start] = frozenset(seen)
    return out


def supported(tbox: Iterable[Triple]) -> str | None:
    """Why the tables cannot stand in for owlrl on this ontology, or None if they can."""
    for s, p, o in tbox:
        if p in _UNSUPPORTED_PREDICATES:
            return f"the ontology uses {p}"
        if p == RDF.type and o in _UNSUPPORTED_TYPES:
            return f"the ontology declares an {o}"
        if p == OWL.sameAs and s != o:
            return f"the ontology states {s} owl:sameAs {o}"
    return None


@lru_cache(maxsize=4)
def compile_rules(tbox: frozenset) -> Rules:
    """The lookup tables of ``tbox`` (the ontology with its owlrl closure); computed once per ontology."""
    why = supported(tbox)
    subclass: dict = defaultdict(set)
    subprop: dict = defaultdict(set)
    domains: dict = defaultdict(set)
    ranges: dict = defaultdict(set)
    inverses: dict = defaultdict(set)
    transitive = set()
    for s, p, o in tbox:
        if p == RDFS.subClassOf:
            subclass[s].add(o)
        elif p == OWL.equivalentClass:
            subclass[s].add(o)
            subclass[o].add(s)
        elif p == RDFS.subPropertyOf:
            subprop[s].add(o)
        elif p == OWL.equivalentProperty:
            subprop[s].add(o)
            subprop[o].add(s)
        elif p == RDFS.domain:
            domains[s].add(o)
        elif p == RDFS.range:
            ranges[s].add(o)
        elif p == OWL.inverseOf:
            inverses[s].add(o)
            inverses[o].add(s)
        elif p == RDF.type and o == OWL.SymmetricProperty:
            inverses[s].add(s)
        elif p == RDF.type and o == OWL.TransitiveProperty:
            transitive.add(s)
    superproperties = _transitive(subprop)
    # a superproperty's domain and range hold for its subproperties (OWL RL reaches them through prp-spo1)
    return Rules(
        ok=why is None,
        why=why or "",
        superclasses=_transitive(subclass),
        superproperties=superproperties,
        domains={p: frozenset(c) for p, c in domains.items()},
        ranges={p: frozenset(c) for p, c in ranges.items()},
        inverses={p: frozenset(q) for p, q in inverses.items()},
        transitive=frozenset(transitive),
    )


def _report_supported(triples: Iterable[Triple]) -> bool:
    """False if the report's own triples could change the schema (then owlrl decides)."""
    for s, p, o in triples:
        if p in _HARMLESS:
            if p == _TYPE and isinstance(o, URIRef) and str(o).startswith((_OWL, _RDF, _RDFS)):
                return False
            continue
        if isinstance(p, URIRef) and str(p).startswith((_OWL, _RDF, _RDFS)):
            return False
        if isinstance(o, URIRef) and str(o).startswith(_OWL):
            return False
    return True


def closure_triples(report: Iterable[Triple], rules: Rules) -> set[Triple]:
    """The report's triples closed under the tables (including the report's own)."""
    out: set[Triple] = set()
    todo = list(report)
    by_pred: dict = defaultdict(set)  # for transitive properties: p -> {(s, o)}
    superclasses, superproperties = rules.superclasses, rules.superproperties
    domains, ranges, inverses, transitive = rules.domains, rules.ranges, rules.inverses, rules.transitive
    add = todo.append
    while todo:
        triple = todo.pop()
        if triple in out:
            continue
        out.add(triple)
        s, p, o = triple
        if p == _TYPE:
            for d in superclasses.get(o, ()):
                add((s, _TYPE, d))
        for q in superproperties.get(p, ()):
            add((s, q, o))
        for c in domains.get(p, ()):
            add((s, _TYPE, c))
        for c in ranges.get(p, ()):
            add((o, _TYPE, c))
        if not isinstance(o, Literal):
            for q in inverses.get(p, ()):
                add((o, q, s))
        if p in transitive and not isinstance(o, Literal):
            pairs = by_pred[p]
            pairs.add((s, o))
            for a, b in list(pairs):
                if b == s:
                    add((a, p, o))
                if a == o:
                    add((s, p, b))
    return out


#: stand-ins for a triple's subject and object while :func:`_template` closes it (never in real data)
_S = URIRef("urn:ssekg:fastinfer:subject")
_O = URIRef("urn:ssekg:fastinfer:object")
_O_LITERAL = Literal("urn:ssekg:fastinfer:object")


def _template(rules: Rules, p: Node, o: Node) -> tuple[Triple, ...] | None:
    """Everything the tables derive from one triple ``(x, p, y)``, with ``_S``/``_O`` standing for x and y.

    Without transitive properties, what a triple entails depends on its predicate alone (and on its class, for
    ``rdf:type``, and on whether its object is a literal, since inverses skip literals): the rules never compare
    two triples' terms. So a report's closure is the union of its triples' templates, each computed once by
    :func:`closure_triples` itself, instead of a work list per report. None when that does not hold (a
    transitive property is reached, or a derived triple's meaning depends on the object): then the caller
    closes the report with the work list.
    """
    if p is _TYPE or p == _TYPE:
        key: tuple = (p, o)
        stand_in = o
    else:
        literal = isinstance(o, Literal)
        key = (p, literal)
        stand_in = _O_LITERAL if literal else _O
    templates = rules.templates
    if key in templates:
        return templates[key]
    closed = closure_triples({(_S, p, stand_in)}, rules)
    template: tuple[Triple, ...] | None = tuple(closed)
    if any(q in rules.transitive or (q == _TYPE and b is stand_in and p != _TYPE) for _, q, b in closed):
        template = None
    templates[key] = template
    return template


def _closure_by_templates(report: Iterable[Triple], rules: Rules) -> set[Triple] | None:
    """:func:`closure_triples` of ``report`` from the per-triple templates; None where a template cannot say."""
    out: set[Triple] = set()
    add = out.add
    for s, p, o in report:
        template = _template(rules, p, o)
        if template is None:
            return None
        for a, q, b in template:
            add((s if a is _S else o if (a is _O or a is _O_LITERAL) else a, q,
                 s if b is _S else o if (b is _O or b is _O_LITERAL) else b))
    return out


def closure_with_same_as(data: Iterable[Triple], rules: Rules) -> set[Triple] | None:
    """The tables' closure of ``data`` where ``owl:sameAs`` links individuals; None when only owlrl can say.

    For the reference data (countries are owl:sameAs their Wikidata and GeoNames IRIs), which owlrl took 3 s
    to close at the start of every run. OWL RL's equality rules (eq-sym, eq-trans, eq-rep-s, eq-rep-o) make every
    member of a sameAs class state what any member states; none of the tables compares two terms, so closing
    the data under the tables and then copying each triple over its subject's and object's classes is the
    same as owlrl's fixpoint. Refused (None) when the tables are not enough (:func:`supported`), when the data
    uses other OWL/RDFS vocabulary (:func:`_report_supported`), or when a linked term is used as a predicate
    or a class (eq-rep-p, and classes whose members would change). ``tests/test_fastinfer.py`` checks the result
    equals owlrl's on our reference data and on sameAs chains.
    """
    triples = set(data)
    if not rules.ok:
        return None
    links = [(s, o) for s, p, o in triples if p == _SAME_AS]
    if not _report_supported(t for t in triples if t[1] != _SAME_AS):
        return None
    parent: dict = {}

    def root(x: Node) -> Node:
        while x in parent:
            x = parent[x]
        return x

    for a, b in links:
        if isinstance(a, Literal) or isinstance(b, Literal):
            return None
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict = {}
    for x in {x for pair in links for x in pair}:
        groups.setdefault(root(x), set()).add(x)
    members = {x: frozenset(group) for group in groups.values() for x in group}
    used_as_schema = {p for _, p, _ in triples} | {o for _, p, o in triples if p == _TYPE}
    if used_as_schema & members.keys():
        return None
    for group in groups.values():
        triples.update((a, _SAME_AS, b) for a in group for b in group)
    out: set[Triple] = set()
    for s, p, o in closure_triples(triples, rules):
        objects = (o,) if isinstance(o, Literal) else members.get(o, (o,))
        for s2 in members.get(s, (s,)):
            out.update((s2, p, o2) for o2 in objects)
    return out


_SAME_AS = OWL.sameAs


def fast_infer_triples(report_triples: set[Triple], tbox: frozenset, reference: frozenset, base: str) -> set[Triple] | None:
    """What ``infer`` would return, as a set of triples; None when only owlrl can say (see :func:`supported`)."""
    rules = compile_rules(tbox)
    if not rules.ok or not _report_supported(report_triples):
        return None
    closed = _closure_by_templates(report_triples, rules) or closure_triples(report_triples, rules)
    # cheapest tests first: the N-Triples key is a plain string (its set lookup is C code), while each membership
    # test of an rdflib triple hashes its three terms in Python
    return {
        triple
        for triple in closed - report_triples
        if isinstance(triple[0], URIRef)
        and triple[0].startswith(base)
        and not _trivial(*triple)
        and triple_key(*triple) not in reference
        and triple not in tbox
        and triple not in reference
    }


_SAME_AS_IRI, _TYPE_IRI, _THING_IRI = str(OWL.sameAs), str(RDF.type), str(OWL.Thing)


def _trivial(s: Node, p: Node, o: Node) -> bool:
    """``infer.trivial`` with C string comparisons: a predicate is always an IRI, and ``o`` must be an IRI (of
    rdflib's exact class, as its equality requires) to be owl:Thing."""
    if str.__eq__(p, _TYPE_IRI):
        return o.__class__ is URIRef and str.__eq__(o, _THING_IRI)
    return str.__eq__(p, _SAME_AS_IRI) and s == o


def infer_triples(report: Iterable[Triple], tbox: frozenset, reference: frozenset, base: str) -> set[Triple]:
    """:func:`fast_infer` on plain triples, for the ingest workers: a set, and a Graph only when owlrl must run."""
    triples = set(report)
    found = fast_infer_triples(triples, tbox, reference, base)
    return set(infer(plain_graph(triples), tbox, reference, base)) if found is None else found


def fast_infer(report: Graph, tbox: frozenset, reference: frozenset, base: str) -> Graph:
    """Same contract and same result as ``ingest.infer.infer``, without running owlrl when it need not."""
    found = fast_infer_triples(set(report), tbox, reference, base)
    return infer(report, tbox, reference, base) if found is None else plain_graph(found)
