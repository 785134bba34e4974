"""ingest/fastshacl.py (the compiled shapes) gives exactly the problems pySHACL gives, problem for problem.

pySHACL is the reference (``validate(..., engine="pyshacl")``). Every problem field is compared: severity,
focus, path, value, message, shape and constraint component. Checked on every shapes fixture (valid and
invalid, with the small reference data, with the whole reference and without any), every bundled card
(examples/cards, tests/fixtures/corpus, the extraction corpus's gold cards), hundreds of generated cards
(bench/generate.py), report graphs mutated at random (hypothesis: triples dropped, values added, nodes and
literals retyped), and the fallbacks: shapes the compiler does not support, and graphs it cannot decide.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from support import EXAMPLES, bench_generate, card_graph
from ssekg.errors import InputError
from ssekg.ingest import validate as validation_module
from ssekg.ingest.cards import load_card, parse_card
from ssekg.ingest.fastshacl import UNSUPPORTED, compile_shapes
from ssekg.ingest.mapping import card_to_graph
from ssekg.ingest.reference import load_reference
from ssekg.ingest.validate import compiled_shapes, shapes_graph, validate
from ssekg.namespaces import DEFAULT_BASE, SSE

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "shapes" / "valid").glob("*.ttl")) + sorted((HERE / "shapes" / "invalid").glob("*.ttl"))
CARDS = (
    sorted(EXAMPLES.glob("*.yaml"))
    + sorted((HERE / "fixtures" / "corpus").glob("*.yaml"))
    + sorted((HERE / "corpus").glob("*/*.gold.yaml"))
)


@pytest.fixture(scope="module")
def small_reference() -> Graph:
    return Graph().parse(HERE / "shapes" / "reference.ttl")


@pytest.fixture(scope="module")
def reference() -> Graph:
    return load_reference(DEFAULT_BASE).for_shapes


def outcome(graph: Graph, reference: Graph | None, engine: str, subset: bool = True):
    """The problems (every field), or the exception an engine raised."""
    try:
        result = validate(graph, reference, subset=subset, engine=engine)
    except Exception as exc:  # noqa: BLE001 - compared between engines
        return ("raised", type(exc).__name__, str(exc))
    return (result.conforms, [vars(p) for p in result.problems])


def same(graph: Graph, reference: Graph | None, subset: bool = True) -> tuple:
    fast = outcome(graph, reference, "fast", subset)
    slow = outcome(graph, reference, "pyshacl", subset)
    assert fast == slow
    return fast


@pytest.fixture
def no_fallback(monkeypatch):
    """Fail if the fast engine falls back to pySHACL (the comparisons would then prove nothing)."""
    real = validation_module._pyshacl_problems
    state = {"engine": None}

    def spy(*args, **kwargs):
        assert state["engine"] != "fast", "the fast engine fell back to pySHACL"
        return real(*args, **kwargs)

    real_validate = validation_module.validate

    def tracking(graph, reference=None, *, subset=True, engine="fast"):
        state["engine"] = engine
        try:
            return real_validate(graph, reference, subset=subset, engine=engine)
        finally:
            state["engine"] = None

    monkeypatch.setattr(validation_module, "_pyshacl_problems", spy)
    monkeypatch.setitem(globals(), "validate", tracking)
    return state


# ---------------------------------------------------------------------------------------------------------------
# Our shapes compile


def test_our_shapes_compile_without_fallback():
    assert compiled_shapes() is not None, UNSUPPORTED
    assert UNSUPPORTED == [] or compile_shapes(shapes_graph()) is not None
    assert len(compiled_shapes().top) >= 14


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        validate(Graph(), engine="pyshacl-fast")


# ---------------------------------------------------------------------------------------------------------------
# Fixtures, cards, generated cards


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_same_problems_on_fixtures(path, small_reference, reference, no_fallback):
    graph = Graph().parse(path, format="turtle")
    same(graph, small_reference)
    same(graph, small_reference, subset=False)
    same(graph, None)
    same(graph, reference)


def _card_graph(path: Path) -> Graph:
    return card_graph(path, DEFAULT_BASE)


@pytest.mark.parametrize("path", CARDS, ids=[p.stem for p in CARDS])
def test_same_problems_on_bundled_cards(path, reference, no_fallback):
    try:
        graph = _card_graph(path)
    except InputError as exc:  # a gold card that is not ingestible on its own
        pytest.skip(f"not a mappable card: {exc}")
    same(graph, reference)
    same(graph, None)


def test_same_problems_on_generated_cards(reference, no_fallback):
    generate = bench_generate()
    pools = generate.make_pools(1000, 11)
    seen_problems = 0
    for i in range(0, 1000, 4):  # 250 cards
        card, _text = generate.make_report(i, 11, pools)
        graph = card_to_graph(parse_card(card, f"generated {i}"), base=DEFAULT_BASE, source=f"r{i}")
        _conforms, problems = same(graph, reference)
        seen_problems += len(problems)
        if i % 40 == 0:  # and some with a country or concept the reference does not know
            same(graph, None)
    assert seen_problems >= 0


# ---------------------------------------------------------------------------------------------------------------
# Mutated report graphs


def _bases() -> list[Graph]:
    graphs = [Graph().parse(p, format="turtle") for p in sorted((HERE / "shapes" / "valid").glob("*.ttl"))]
    for path in sorted(EXAMPLES.glob("*.yaml"))[:2]:
        graphs.append(card_to_graph(load_card(path), base=DEFAULT_BASE, source=str(path)))
    return graphs


BASES = _bases()
CLASSES = [SSE[n] for n in ("Report", "Event", "Speaker", "Country", "City", "Organisation", "Challenge",
                            "Proposal", "Programme")] + [URIRef("http://www.w3.org/2004/02/skos/core#Concept")]
DATATYPES = [None, XSD.string, XSD.integer, XSD.date, XSD.gYear, XSD.gYearMonth, XSD.boolean, XSD.anyURI,
             XSD.decimal, XSD.dateTime]
LEXICAL = ["", " ", "-1", "0", "7", "12", "2025", "2025-06", "2025-06-14", "2025-13-45", "2025-02-30T10:00:00",
           "true", "yes", "1.5", "MA", "ma", "MAR", "country/MA", "https://example.org/a", "نص"]
LANGS = ["ar", "fr", "en", "EN", "fr-CA"]


def _key(triple: tuple) -> tuple:
    return tuple(t.n3() for t in triple)


def _variant(node, graph: Graph, k: int):
    """Another node in place of ``node``: a retyped literal, a literal for an IRI, a blank node, another class."""
    choice = k % 7
    nodes = sorted({o for o in graph.objects()} | set(graph.subjects()), key=lambda n: n.n3())
    if choice == 0:
        return Literal(LEXICAL[k // 7 % len(LEXICAL)], datatype=DATATYPES[k // 11 % len(DATATYPES)])
    if choice == 1:
        return Literal(str(node) if isinstance(node, Literal) else LEXICAL[k // 7 % len(LEXICAL)],
                       lang=LANGS[k // 7 % len(LANGS)])
    if choice == 2:
        return Literal(str(node), datatype=DATATYPES[k // 7 % len(DATATYPES)])
    if choice == 3:
        return URIRef(DEFAULT_BASE + str(node)[-12:].replace(" ", "-")) if isinstance(node, Literal) else BNode()
    if choice == 4:
        return CLASSES[k // 7 % len(CLASSES)]
    if choice == 5:
        return URIRef(DEFAULT_BASE + "country/" + ["MA", "SN", "TN", "ZZ", "ma", "MAR"][k // 7 % 6])
    return nodes[k // 7 % len(nodes)]


def mutate(base: Graph, ops: list[tuple[int, int, int]]) -> Graph:
    graph = Graph()
    for triple in base:
        graph.add(triple)
    for op, i, k in ops:
        triples = sorted(graph, key=_key)
        if not triples:
            break
        s, p, o = triples[i % len(triples)]
        kind = op % 5
        if kind == 0:  # drop
            graph.remove((s, p, o))
        elif kind == 1:  # one more value for the same subject and predicate
            graph.add((s, p, _variant(o, graph, k)))
        elif kind == 2:  # retype the value
            graph.remove((s, p, o))
            graph.add((s, p, _variant(o, graph, k)))
        elif kind == 3:  # the same statement about another subject
            subjects = sorted(set(graph.subjects()), key=lambda n: n.n3())
            graph.add((subjects[k % len(subjects)], p, o))
        else:  # retype the subject (a blank node, another class, a subclass)
            if k % 3 == 1:
                graph.add((s, RDF.type, CLASSES[k % len(CLASSES)]))
            elif k % 3 == 2:
                sub = URIRef(f"https://example.org/Sub{k % 4}")
                graph.add((sub, RDFS.subClassOf, CLASSES[k // 3 % len(CLASSES)]))
                graph.add((s, RDF.type, sub))
            else:
                b = BNode()
                for p2, o2 in list(graph.predicate_objects(s)):
                    graph.remove((s, p2, o2))
                    graph.add((b, p2, o2))
    return graph


OPS = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1,
               max_size=6)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, len(BASES) - 1), ops=OPS)
def test_same_problems_on_mutated_graphs(base, ops):
    small = Graph().parse(HERE / "shapes" / "reference.ttl")
    same(mutate(BASES[base], ops), small)


def test_mutations_do_find_problems():
    """The mutated graphs are not all valid (else the property test above would prove little)."""
    small = Graph().parse(HERE / "shapes" / "reference.ttl")
    rng = random.Random(3)
    components = set()
    for _ in range(120):
        base = BASES[rng.randrange(len(BASES))]
        ops = [(rng.randrange(5), rng.randrange(10_000), rng.randrange(10_000)) for _ in range(rng.randint(1, 4))]
        result = same(mutate(base, ops), small)
        if result[0] != "raised":
            components |= {p["component"] for p in result[1]}
    assert len(components) >= 8, components


# ---------------------------------------------------------------------------------------------------------------
# Fallbacks


def _shapes_with(turtle: str) -> Graph:
    graph = Graph()
    for triple in shapes_graph():
        graph.add(triple)
    graph.parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> . "
                     "@prefix sse: <https://w3id.org/ssekg/ontology#> . " + turtle, format="turtle")
    return graph


@pytest.mark.parametrize("turtle", [
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:xone ( [ sh:nodeKind sh:IRI ] ) .',
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:closed true .',
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:deactivated true .',
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:property [ sh:message "m" ; '
    'sh:path ( sse:city sse:country ) ; sh:minCount 1 ] .',
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:property [ sh:message "m" ; '
    'sh:path sse:theme ; sh:pattern "a" ; sh:flags "i" ] .',
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:minCount 1 ; sh:property [ sh:path sse:theme ; '
    'sh:minCount 1 ] .',  # no message: pySHACL writes one
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:node ex:S .',  # recursion
    'ex:S a sh:NodeShape , <http://www.w3.org/2000/01/rdf-schema#Class> ; sh:message "m" ; sh:nodeKind sh:IRI .',
    'ex:S a sh:NodeShape ; sh:targetClass sse:Event ; sh:message "m" ; sh:maxExclusive 3 .',
])
def test_unsupported_shapes_are_refused_at_load_time(turtle):
    assert compile_shapes(_shapes_with(turtle)) is None
    assert UNSUPPORTED and UNSUPPORTED[0]
    assert compile_shapes(shapes_graph()) is not None and UNSUPPORTED == []


def test_unsupported_shapes_fall_back_to_pyshacl(monkeypatch, small_reference):
    graph = Graph().parse(HERE / "shapes" / "invalid" / "event-no-source.ttl", format="turtle")
    expected = validate(graph, small_reference, engine="pyshacl")
    calls = []
    real = validation_module._pyshacl_problems
    monkeypatch.setattr(validation_module, "compiled_shapes", lambda: None)
    monkeypatch.setattr(validation_module, "_pyshacl_problems", lambda *a: calls.append(1) or real(*a))
    assert validate(graph, small_reference).problems == expected.problems
    assert calls == [1]


def test_undecidable_graph_falls_back_to_pyshacl(small_reference, monkeypatch):
    """A blank node compared by sh:lessThanOrEquals: pySHACL raises; the fast engine hands over and raises too."""
    graph = Graph().parse(HERE / "shapes" / "valid" / "event.ttl", format="turtle")
    span = URIRef(DEFAULT_BASE + "span/x")
    graph.add((span, SSE.charStart, Literal(1)))
    graph.add((span, SSE.charEnd, BNode()))
    calls = []
    real = validation_module._pyshacl_problems
    monkeypatch.setattr(validation_module, "_pyshacl_problems", lambda *a: calls.append(1) or real(*a))
    fast = outcome(graph, small_reference, "fast")
    assert calls == [1]
    assert fast == outcome(graph, small_reference, "pyshacl")


def test_span_order_and_bounds(small_reference):
    """sh:lessThanOrEquals and sh:minInclusive, which no fixture breaks together."""
    for start, end in ((5, 3), (-1, 4), (2, 2), ("3", 4), (Literal("x", datatype=XSD.integer), 4), (1.5, 2)):
        graph = Graph().parse(HERE / "shapes" / "valid" / "event.ttl", format="turtle")
        span = URIRef(DEFAULT_BASE + "span/x")
        graph.add((span, SSE.charStart, start if isinstance(start, Literal) else Literal(start)))
        graph.add((span, SSE.charEnd, Literal(end)))
        same(graph, small_reference)


def test_subclass_targets_and_class_checks(small_reference):
    graph = Graph().parse(HERE / "shapes" / "valid" / "event.ttl", format="turtle")
    special = URIRef("https://w3id.org/ssekg/ontology#SpecialEvent")
    graph.add((special, RDFS.subClassOf, SSE.Event))
    graph.add((URIRef(DEFAULT_BASE + "event/other"), RDF.type, special))
    result = same(graph, small_reference)
    assert not result[0]  # the new event has no label nor source
    assert "sh:MinCountConstraintComponent" in {p["component"] for p in result[1]}
    # sh:class through a subclass, two levels up
    graph = Graph().parse(HERE / "shapes" / "valid" / "organisation.ttl", format="turtle")
    special, very = URIRef("https://example.org/SpecialCountry"), URIRef("https://example.org/VerySpecial")
    graph.add((special, RDFS.subClassOf, SSE.Country))
    graph.add((very, RDFS.subClassOf, special))
    country = URIRef(DEFAULT_BASE + "country/QQ")
    graph.add((country, RDF.type, very))
    graph.add((country, SSE.alpha2, Literal("QQ")))
    for org in set(graph.subjects(SSE.country, None)):
        graph.add((org, SSE.country, country))
    result = same(graph, small_reference)
    assert "sh:ClassConstraintComponent" not in {p["component"] for p in result[1]}, result


# ---------------------------------------------------------------------------------------------------------------
# Card reading (ingest/cards.py): libyaml under our composer, and the schema with its $refs inlined, give what the
# pure-Python loader and the schema as written give


from ssekg.ingest import cards as cards_module  # noqa: E402


def _typed(value):
    """A value with its types spelled out (True == 1 and 1 == 1.0 in Python)."""
    if isinstance(value, dict):
        return ("map", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _load_both(text: str):
    try:
        python = ("ok", _typed(cards_module._yaml_load_python(text, "card")))
    except cards_module.CardError as exc:
        python = ("error", str(exc))
    try:
        fast = ("ok", _typed(cards_module._yaml_load(text, "card")))
    except cards_module.CardError as exc:
        fast = ("error", str(exc))
    return fast, python


def _generated_card_texts(n: int = 120) -> list[str]:
    generate = bench_generate()
    pools = generate.make_pools(400, 5)
    return [generate.card_yaml(generate.make_report(i, 5, pools)[0]) for i in range(0, 400, 400 // n)]


CARD_TEXTS = [p.read_text(encoding="utf-8") for p in CARDS + sorted((HERE / "corpus").glob("*/*.meta.yaml"))]


def test_libyaml_is_available_and_used():
    import yaml as pyyaml

    assert pyyaml.__with_libyaml__ and cards_module._CCardLoader is not None
    text = CARD_TEXTS[0]
    loader = cards_module._CCardLoader(text)
    try:
        assert _typed(loader.get_single_data()) == _typed(cards_module._yaml_load_python(text, "card"))
    finally:
        loader.dispose()


def test_yaml_paths_agree_on_bundled_and_generated_cards():
    for text in CARD_TEXTS + _generated_card_texts():
        fast, python = _load_both(text)
        assert fast == python
        assert fast[0] == "ok"


YAML_ALPHABET = list("ab1:- \n[]{},'\"#&*!|>?%\t0NOYn~\\.é") + ["\n  ", ": ", "- ", "true", "no", "2025-06-14",
                                                                  "!!str ", "!!int ", "0x1F", "1e3", ".inf", "\x85"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(YAML_ALPHABET), max_size=40))
@example(parts=["|", "#"])  # found by hypothesis: libyaml reads a block scalar header run into a comment
@example(parts=["a", ": ", ">", "1", "#"])
@example(parts=["a", ": ", "[", "N", "?", "]"])  # found by hypothesis: PyYAML ends a flow plain scalar at '?'
def test_yaml_paths_agree_on_random_texts(parts):
    fast, python = _load_both("".join(parts))
    assert fast == python


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(CARD_TEXTS) - 1), st.lists(st.tuples(st.integers(0, 100_000), st.sampled_from(
    YAML_ALPHABET + [""])), min_size=1, max_size=4))
def test_yaml_paths_agree_on_edited_cards(which, edits):
    text = CARD_TEXTS[which]
    for position, insert in edits:
        i = position % (len(text) + 1)
        text = text[:i] + insert + text[i + (1 if not insert else 0):]
    fast, python = _load_both(text)
    assert fast == python


def _schema_problems(validator, data) -> list[str]:
    return [m for e in validator.iter_errors(data) for m in cards_module._describe(e)]


def _edited_cards(seed: int = 5, count: int = 300) -> list:
    rng = random.Random(seed)
    base = [cards_module._yaml_load_python(t, "card") for t in CARD_TEXTS[:12]]
    junk = [None, True, 0, -3, 1.5, "", "x", "2025-13-45", "NO", [], {}, [1, 2], {"ar": ""}, {"name": 3}]
    out = list(base)
    for _ in range(count):
        card = json.loads(json.dumps(rng.choice(base)))
        for _ in range(rng.randint(1, 3)):
            node, paths = card, []
            while isinstance(node, (dict, list)) and node and rng.random() < 0.8:
                key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
                paths.append((node, key))
                node = node[key]
            if not paths:
                continue
            parent, key = paths[-1]
            action = rng.randrange(3)
            if action == 0:
                parent[key] = rng.choice(junk)
            elif action == 1 and isinstance(parent, dict):
                del parent[key]
            elif isinstance(parent, dict):
                parent[rng.choice(["titel", "speaker", "x-extra", "countries", "fr"])] = rng.choice(junk)
        out.append(card)
    return out


def test_inlined_schema_gives_the_same_problems():
    fast, reference = cards_module._validator(), cards_module._reference_validator()
    assert '"$ref"' not in json.dumps(fast.schema)  # the inlining did happen
    found = 0
    for card in _edited_cards():
        expected = _schema_problems(reference, card)
        assert _schema_problems(fast, card) == expected
        found += bool(expected)
    assert found > 100


def test_compiled_schema_check_accepts_exactly_the_cards_jsonschema_accepts():
    """fastjsonschema is only a shortcut for valid cards: it must never accept a card jsonschema refuses."""
    reference = cards_module._reference_validator()
    base = [cards_module._yaml_load_python(t, "card") for t in CARD_TEXTS]
    edge = []
    for value in [1, 1.0, True, False, "1", None, 2, 0.5]:
        card = json.loads(json.dumps(base[0]))
        card["card"] = value
        edge.append(card)
    for text in ["MA", "MA\n", "ma", "MAR", ""]:
        card = json.loads(json.dumps(base[0]))
        card["events"][0]["country"] = text
        edge.append(card)
    accepted = refused = 0
    for card in [*base, *edge, *_edited_cards(7, 3000)]:
        expected = not any(True for _ in reference.iter_errors(card))
        assert cards_module.schema_accepts(card) == expected, json.dumps(card, ensure_ascii=False)[:500]
        accepted += expected
        refused += not expected
    assert accepted > 100 and refused > 1000
