"""A compiled SHACL Core validator for our shapes: the same results as pySHACL, without its per-call cost.

pySHACL spends ~50 ms on one report (≈150 triples): it re-reads the shapes graph on every call, then asks the
rdflib store for every value of every path of every shape through several layers of generators. Here the shapes
are read once per process and turned into a small tree of Python objects (:class:`Compiled`); a report's graph
(with the reference subset mixed in, as ``ingest/validate.py`` does) is indexed into plain dicts, and every
constraint is checked over those dicts.

Soundness. pySHACL stays the reference (``validate(..., engine="pyshacl")``). The checks below follow pySHACL
0.40's own code for each constraint component, case by case, and reuse its helpers where the exact behaviour is
subtle (``value_node_to_string`` of the string-based components, ``_assert_actual_datatype`` of sh:datatype,
``compare_literal`` of sh:minInclusive). ``tests/test_fastshacl.py`` proves the equality of the two engines'
problems on every fixture, every bundled card, hundreds of generated cards and randomly mutated report graphs.

Fallback. :func:`compile_shapes` returns ``None`` (and says why in :data:`UNSUPPORTED`) as soon as the shapes
use anything outside the subset below; ``ingest/validate.py`` then uses pySHACL for every report. Supported:

- targets: sh:targetClass (with rdfs:subClassOf in the data), sh:targetSubjectsOf, sh:targetObjectsOf,
  sh:targetNode; no implicit class targets (a shape that is also an rdfs:Class).
- paths: a predicate IRI or ``[ sh:inversePath IRI ]``.
- constraints: sh:minCount, sh:maxCount, sh:datatype, sh:class, sh:nodeKind, sh:pattern (without sh:flags),
  sh:in, sh:hasValue, sh:minLength, sh:maxLength, sh:uniqueLang, sh:lessThanOrEquals, sh:minInclusive, sh:maxInclusive, sh:or,
  sh:node, sh:property; sh:severity, sh:message (exactly one on every shape whose results reach the report).
- no sh:deactivated, no recursion between shapes, nothing of SHACL-SPARQL or SHACL-AF.

At run time anything the compiled path cannot decide the way pySHACL does (a blank node in a
sh:lessThanOrEquals comparison, incomparable literals) raises :class:`Unsure`, and the caller runs pySHACL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

__all__ = ["Compiled", "Unsure", "compile_shapes", "UNSUPPORTED", "Index"]

_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf  # one object each: rdflib's Namespace makes a new one per access

#: why the last :func:`compile_shapes` call refused the shapes (empty when it compiled them)
UNSUPPORTED: list[str] = []


class Unsure(Exception):
    """The compiled path cannot decide this graph exactly as pySHACL would: use pySHACL."""


# ------------------------------------------------------------------------------------------------ the data


class Index:
    """A set of triples indexed as subject → predicate → objects and predicate → object → subjects."""

    __slots__ = ("sp", "po", "ps")

    def __init__(self, triples: Iterable[tuple], predicates: dict | None = None) -> None:
        """``predicates`` maps predicates to the very objects the checks look them up with (see ``Compiled``)."""
        sp: dict = {}
        po: dict = {}
        canonical = (predicates or {}).get
        for s, p, o in triples:
            p = canonical(p, p)
            preds = sp.get(s)
            if preds is None:
                preds = sp[s] = {}
            objs = preds.get(p)
            if objs is None:
                preds[p] = {o: None}
            else:
                objs[o] = None
            by_o = po.get(p)
            if by_o is None:
                by_o = po[p] = {}
            subs = by_o.get(o)
            if subs is None:
                by_o[o] = {s: None}
            else:
                subs[s] = None
        self.sp = sp  # s -> p -> {o: None}  (dicts as ordered sets)
        self.po = po  # p -> o -> {s: None}

    def objects(self, s: Any, p: Any) -> Iterable:
        preds = self.sp.get(s)
        if preds is None:
            return ()
        return preds.get(p, ())

    def subjects(self, p: Any, o: Any) -> Iterable:
        by_o = self.po.get(p)
        if by_o is None:
            return ()
        return by_o.get(o, ())

    def subjects_of(self, p: Any) -> set:
        by_o = self.po.get(p)
        if not by_o:
            return set()
        out: set = set()
        for subs in by_o.values():
            out.update(subs)
        return out

    def objects_of(self, p: Any) -> set:
        return set(self.po.get(p, ()))

    def superclasses(self, c: Any) -> set:
        """``c`` and everything it is an rdfs:subClassOf, transitively (rdflib's transitive_objects)."""
        seen = {c}
        todo = [c]
        while todo:
            for sup in self.objects(todo.pop(), _SUBCLASS):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def subclasses(self, c: Any) -> set:
        seen = {c}
        todo = [c]
        while todo:
            for sub in self.subjects(_SUBCLASS, todo.pop()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen


# ------------------------------------------------------------------------------------------------ results

#: one result: (severity IRI, focus node, value node or None, shape node, component IRI)
Result = tuple


@dataclass
class Shape:
    node: Any
    path: tuple | None  # None (node shape), ("p", IRI) or ("^", IRI)
    path_node: Any  # the sh:path node in the shapes graph
    severity: Any
    messages: list
    targets: dict[str, list] = field(default_factory=dict)
    checks: list[Callable] = field(default_factory=list)  # check(index, {focus: values}) -> (conforms, results)

    def values(self, index: Index, focus: Any) -> Iterable:
        if self.path is None:
            return (focus,)
        kind, p = self.path
        return index.objects(focus, p) if kind == "p" else index.subjects(p, focus)

    def validate(self, index: Index, focus_list: Iterable) -> tuple[bool, list]:
        """pySHACL's Shape.validate: every constraint component over {focus: value nodes}."""
        fvn = {f: tuple(self.values(index, f)) for f in focus_list}
        if not fvn:
            return True, []
        conforms = True
        results: list = []
        for check in self.checks:
            ok, found = check(index, fvn)
            if not ok:
                conforms = False
            results.extend(found)
        return conforms, results

    def focus_nodes(self, index: Index) -> set:
        found: set = set(self.targets.get("node", ()))
        for c in self.targets.get("class", ()):
            for sub in index.subclasses(c):
                found.update(index.subjects(_TYPE, sub))
        for p in self.targets.get("subjectsOf", ()):
            found |= index.subjects_of(p)
        for p in self.targets.get("objectsOf", ()):
            found |= index.objects_of(p)
        return found


@dataclass
class Compiled:
    """Our shapes, compiled; :meth:`run` gives the top-level results of one data graph."""

    top: list[Shape]  # the shapes with targets
    #: every predicate the checks look up, to itself. The index is keyed by these objects, so the lookups find
    #: their key by identity: rdflib's term equality is Python code, and the report's predicates are other
    #: objects with the same IRIs (a fifth of the validation time went to comparing them).
    predicates: dict = field(default_factory=dict)

    def run(self, triples: Iterable[tuple]) -> list[Result]:
        index = Index(triples, self.predicates)
        results: list = []
        for shape in self.top:
            focus = shape.focus_nodes(index)
            if focus:
                results.extend(shape.validate(index, focus)[1])
        return results


# ------------------------------------------------------------------------------------------------ compiling

_IGNORED = {SH.message, SH.severity, SH.path, SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
_TARGETS = {SH.targetClass: "class", SH.targetSubjectsOf: "subjectsOf", SH.targetObjectsOf: "objectsOf",
            SH.targetNode: "node"}
_MULTI = {SH["class"], SH.pattern, SH.node, SH["or"], SH.property, SH.hasValue, SH.lessThanOrEquals,
          SH.minInclusive, SH.maxInclusive}
_SINGLE = {SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["in"], SH.minLength, SH.maxLength,
           SH.uniqueLang}
_NODE_KINDS = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,),
    SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}


class _Refuse(Exception):
    pass


def compile_shapes(sg: Graph) -> Compiled | None:
    """Compile ``sg``; None when it uses anything the compiled path does not handle exactly like pySHACL."""
    UNSUPPORTED.clear()
    try:
        return _Compiler(sg).compile()
    except _Refuse as exc:
        UNSUPPORTED.append(str(exc))
        return None


class _Compiler:
    def __init__(self, sg: Graph) -> None:
        self.sg = sg
        self.shapes: dict[Any, Shape] = {}
        self.building: set = set()

    def compile(self) -> Compiled:
        sg = self.sg
        if set(sg.subjects(SH.target, None)) or set(sg.subjects(SH.rule, None)) or set(sg.subjects(SH.sparql, None)):
            raise _Refuse("SHACL-AF or SHACL-SPARQL")
        if set(sg.subjects(SH.deactivated, None)):
            raise _Refuse("sh:deactivated")
        targeted = {s for p in _TARGETS for s in sg.subjects(p, None)}
        for node in set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape)):
            types = set(sg.objects(node, RDF.type))
            if RDFS.Class in types or types & set(sg.subjects(RDFS.subClassOf, RDFS.Class)):
                raise _Refuse(f"implicit class target on {node}")
        top = [self.shape(node) for node in sorted(targeted, key=str)]
        predicates = {_TYPE: _TYPE, _SUBCLASS: _SUBCLASS}
        for shape in self.shapes.values():
            if shape.path is not None:  # several shapes' paths name one predicate: one object for all
                shape.path = (shape.path[0], predicates.setdefault(shape.path[1], shape.path[1]))
            for check in shape.checks:
                for p in getattr(check, "predicates", ()):
                    predicates.setdefault(p, p)
        # every shape whose results reach the report needs exactly one message (else pySHACL makes one up)
        todo = list(top)
        seen: set = set()
        while todo:
            shape = todo.pop()
            if shape.node in seen:
                continue
            seen.add(shape.node)
            if len(shape.messages) != 1:
                raise _Refuse(f"{shape.node} has {len(shape.messages)} sh:message")
            todo.extend(self.shapes[p] for p in self.sg.objects(shape.node, SH.property))
        return Compiled(top, predicates)

    def shape(self, node: Any) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        if node in self.building:
            raise _Refuse(f"recursive shapes through {node}")
        self.building.add(node)
        sg = self.sg
        severities = list(sg.objects(node, SH.severity))
        if len(severities) > 1:
            raise _Refuse(f"{node}: several sh:severity")
        paths = list(sg.objects(node, SH.path))
        if len(paths) > 1:
            raise _Refuse(f"{node}: several sh:path")
        path = None
        if paths:
            p = paths[0]
            if isinstance(p, URIRef):
                path = ("p", p)
            elif (isinstance(p, BNode) and set(sg.predicate_objects(p)) and
                  {q for q, _ in sg.predicate_objects(p)} == {SH.inversePath}
                  and len(list(sg.objects(p, SH.inversePath))) == 1
                  and isinstance(sg.value(p, SH.inversePath), URIRef)):
                path = ("^", sg.value(p, SH.inversePath))
            else:
                raise _Refuse(f"{node}: property path {p}")
        shape = Shape(node=node, path=path, path_node=paths[0] if paths else None,
                      severity=severities[0] if severities else SH.Violation,
                      messages=list(sg.objects(node, SH.message)))
        params: dict[Any, list] = {}
        for p, o in sg.predicate_objects(node):
            if p in _TARGETS:
                shape.targets.setdefault(_TARGETS[p], []).append(o)
            elif p in _IGNORED or not str(p).startswith(str(SH)):
                continue
            elif p in _MULTI or p in _SINGLE:
                params.setdefault(p, []).append(o)
            else:
                raise _Refuse(f"{node}: {p} is not supported")
        for p, values in params.items():
            if p in _SINGLE and len(values) != 1:
                raise _Refuse(f"{node}: several {p}")
        # one check per constraint component, as pySHACL runs them
        for p, values in params.items():
            shape.checks.append(self.check(shape, p, values))
        self.building.discard(node)
        self.shapes[node] = shape
        return shape

    def check(self, shape: Shape, p: Any, values: list) -> Callable:
        sg = self.sg
        sev, snode = shape.severity, shape.node

        def result(focus: Any, value: Any, component: Any) -> Result:
            return (sev, focus, value, snode, component)

        if p == SH.minCount:
            n = int(values[0].value)
            comp = SH.MinCountConstraintComponent

            def min_count(index: Index, fvn: dict) -> tuple[bool, list]:
                if n == 0:
                    return True, []
                out = [result(f, None, comp) for f, vs in fvn.items() if not len(vs) >= n]
                return not out, out
            return min_count

        if p == SH.maxCount:
            n = int(values[0].value)
            comp = SH.MaxCountConstraintComponent

            def max_count(index: Index, fvn: dict) -> tuple[bool, list]:
                out = [result(f, None, comp) for f, vs in fvn.items() if not len(vs) <= n]
                return not out, out
            return max_count

        if p == SH.datatype:
            from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

            actual = DatatypeConstraintComponent._assert_actual_datatype
            rule = values[0]
            comp = SH.DatatypeConstraintComponent

            def matches(v: Any) -> bool:
                if not isinstance(v, Literal):
                    return False
                datatype, lang = v.datatype, v.language
                if datatype == rule:
                    if getattr(v, "ill_typed", None) is True:
                        return False
                    return actual(None, v, rule)
                if rule == RDFS.Literal:
                    return True
                if rule == RDFS.Datatype and datatype:
                    return True
                if datatype is None and lang is None and rule == XSD.string:
                    return actual(None, v, rule)
                if rule == RDF.langString and lang:
                    return actual(None, v, rule)
                return False

            return self.per_value(comp, result, matches)

        if p == SH["class"]:
            comp = SH.ClassConstraintComponent

            def klass(index: Index, fvn: dict) -> tuple[bool, list]:
                out = []
                for c in values:
                    for f, vs in fvn.items():
                        for v in vs:
                            found = False
                            if not isinstance(v, Literal):
                                for ctype in index.objects(v, _TYPE):
                                    if ctype == c or c in index.superclasses(ctype):
                                        found = True
                                        break
                            if not found:
                                out.append(result(f, v, comp))
                return not out, out
            return klass

        if p == SH.nodeKind:
            kinds = _NODE_KINDS.get(values[0])
            if kinds is None:
                raise _Refuse(f"{shape.node}: sh:nodeKind {values[0]}")

            def kind_ok(v: Any) -> bool:
                # pySHACL tests BNode, then Literal, then any other Identifier (an IRI)
                if isinstance(v, BNode):
                    return BNode in kinds
                if isinstance(v, Literal):
                    return Literal in kinds
                return URIRef in kinds

            return self.per_value(SH.NodeKindConstraintComponent, result, kind_ok)

        if p in (SH.pattern, SH.minLength, SH.maxLength):
            from pyshacl.constraints.core.string_based_constraints import StringBasedConstraintBase

            to_string = StringBasedConstraintBase.value_node_to_string
            if p == SH.pattern:
                if set(sg.objects(shape.node, SH.flags)):
                    raise _Refuse(f"{shape.node}: sh:flags")
                matchers = []
                for lit in values:
                    if not isinstance(lit, Literal):
                        raise _Refuse(f"{shape.node}: sh:pattern {lit!r}")
                    text = str(lit.value) if lit.value is not None and len(lit.value) > 1 else str(lit)
                    matchers.append(re.compile(text, 0))
                comp = SH.PatternConstraintComponent

                def pattern(index: Index, fvn: dict) -> tuple[bool, list]:
                    out = []
                    for m in matchers:
                        for f, vs in fvn.items():
                            for v in vs:
                                ok = False
                                if not isinstance(v, BNode):
                                    s = to_string(v)
                                    ok = bool(m.match(s) or m.search(s))
                                if not ok:
                                    out.append(result(f, v, comp))
                    return not out, out
                return pattern
            bound = values[0]
            if not isinstance(bound, Literal) or not isinstance(bound.value, int) or bound.value < 0:
                raise _Refuse(f"{shape.node}: {p} {bound!r}")
            n = bound.value
            if p == SH.minLength:
                def long_enough(v: Any) -> bool:
                    if n == 0:
                        return True
                    if isinstance(v, BNode):
                        return False
                    return len(to_string(v)) >= n
                return self.per_value(SH.MinLengthConstraintComponent, result, long_enough)

            def short_enough(v: Any) -> bool:
                if isinstance(v, BNode):
                    return False
                return len(to_string(v)) <= n
            return self.per_value(SH.MaxLengthConstraintComponent, result, short_enough)

        if p == SH["in"]:
            try:
                allowed = set(Collection(sg, values[0]))
            except Exception:  # noqa: BLE001 - not a list: pySHACL raises, let it
                raise _Refuse(f"{shape.node}: sh:in is not a list") from None
            return self.per_value(SH.InConstraintComponent, result, lambda v: v in allowed)

        if p == SH.hasValue:
            comp = SH.HasValueConstraintComponent

            def has_value(index: Index, fvn: dict) -> tuple[bool, list]:
                out = []
                for hv in values:
                    for f, vs in fvn.items():
                        if not any(v == hv for v in vs):
                            out.append(result(f, None, comp))
                return not out, out
            return has_value

        if p == SH.uniqueLang:
            flag = values[0]
            if not isinstance(flag, Literal) or not isinstance(flag.value, bool):
                raise _Refuse(f"{shape.node}: sh:uniqueLang {flag!r}")
            comp = SH.UniqueLangConstraintComponent

            def unique_lang(index: Index, fvn: dict) -> tuple[bool, list]:
                if not flag.value:
                    return True, []
                out = []
                for f, vs in fvn.items():
                    langs: set = set()
                    dups: set = set()
                    for v in vs:
                        if isinstance(v, Literal) and v.language:
                            low = str(v.language).lower()
                            (dups if low in langs else langs).add(low)
                    out.extend(result(f, None, comp) for _ in dups)
                return not out, out
            return unique_lang

        if p == SH.lessThanOrEquals:
            for lt in values:
                if not isinstance(lt, URIRef):
                    raise _Refuse(f"{shape.node}: sh:lessThanOrEquals {lt!r}")
            comp = SH.LessThanOrEqualsConstraintComponent

            def as_comparable(node: Any) -> tuple[Any, bool]:
                if isinstance(node, BNode):
                    raise Unsure("sh:lessThanOrEquals on a blank node")
                if isinstance(node, URIRef):
                    return str(node), True
                if isinstance(node, Literal) and isinstance(node.value, str):
                    return node.value, True
                return node, False

            def ltoe(index: Index, fvn: dict) -> tuple[bool, list]:
                out = []
                for lt in values:
                    for f, vs in fvn.items():
                        compare = [as_comparable(c) for c in index.objects(f, lt)]
                        for v in vs:
                            value, v_str = as_comparable(v)
                            for other, o_str in compare:
                                if v_str != o_str:
                                    out.append(result(f, v, comp))
                                    continue
                                try:
                                    le = value <= other
                                except Exception as exc:  # pySHACL would raise: let it say so
                                    raise Unsure(f"sh:lessThanOrEquals: {exc}") from None
                                if not le:
                                    out.append(result(f, v, comp))
                return not out, out
            ltoe.predicates = values  # type: ignore[attr-defined]  # looked up in the index: see Compiled
            return ltoe

        if p in (SH.minInclusive, SH.maxInclusive):
            from pyshacl.rdfutil.compare import compare_literal

            name = "sh:minInclusive" if p == SH.minInclusive else "sh:maxInclusive"
            for m in values:
                if not isinstance(m, Literal):
                    raise _Refuse(f"{shape.node}: {name} {m!r}")
            comp = SH.MinInclusiveConstraintComponent if p == SH.minInclusive else SH.MaxInclusiveConstraintComponent
            sign = 1 if p == SH.minInclusive else -1  # pass when sign * compare(v, m) >= 0, as pySHACL

            def inclusive(index: Index, fvn: dict) -> tuple[bool, list]:
                out = []
                for m in values:
                    m_str = isinstance(m.value, str)
                    for f, vs in fvn.items():
                        for v in vs:
                            ok = False
                            if isinstance(v, Literal):
                                v_str = isinstance(v.value, str)
                                if m_str == v_str:
                                    try:
                                        ok = sign * compare_literal(v, m) >= 0
                                    except (TypeError, NotImplementedError):
                                        ok = False
                                    except Exception as exc:  # noqa: BLE001
                                        raise Unsure(f"{name}: {exc}") from None
                            if not ok:
                                out.append(result(f, v, comp))
                return not out, out
            return inclusive

        if p == SH["or"]:
            lists = []
            for lst in values:
                members = list(Collection(sg, lst))
                if not members:
                    raise _Refuse(f"{shape.node}: empty sh:or")
                lists.append([self.shape(m) for m in dict.fromkeys(members)])
            comp = SH.OrConstraintComponent

            def or_(index: Index, fvn: dict) -> tuple[bool, list]:
                out = []
                for members in lists:
                    for f, vs in fvn.items():
                        for v in vs:
                            if not any(m.validate(index, (v,))[0] for m in members):
                                out.append(result(f, v, comp))
                return not out, out
            return or_

        if p == SH.node:
            targets = [self.shape(n) for n in values]
            for t in targets:
                if t.path is not None:
                    raise _Refuse(f"{shape.node}: sh:node {t.node} is a property shape")
            comp = SH.NodeConstraintComponent

            def node(index: Index, fvn: dict) -> tuple[bool, list]:
                out = []
                for t in targets:
                    for f, vs in fvn.items():
                        for v in vs:
                            ok, nested = t.validate(index, (v,))
                            if not ok or nested:
                                out.append(result(f, v, comp))
                return not out, out
            return node

        if p == SH.property:
            props = [self.shape(n) for n in values]
            for t in props:
                if t.path is None:
                    raise _Refuse(f"{shape.node}: sh:property {t.node} has no sh:path")

            def prop(index: Index, fvn: dict) -> tuple[bool, list]:
                ok = True
                out: list = []
                for t in props:
                    for f, vs in fvn.items():
                        for v in vs:
                            conforms, found = t.validate(index, (v,))
                            ok = ok and conforms
                            out.extend(found)
                return ok, out
            return prop

        raise _Refuse(f"{shape.node}: {p} is not supported")  # pragma: no cover

    @staticmethod
    def per_value(comp: Any, result: Callable, ok: Callable) -> Callable:
        def check(index: Index, fvn: dict) -> tuple[bool, list]:
            out = [result(f, v, comp) for f, vs in fvn.items() for v in vs if not ok(v)]
            return not out, out
        return check
