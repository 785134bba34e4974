"""The ontology, its alignments and the SKOS concept schemes (ssekg.ontology)."""

from __future__ import annotations

import time
from pathlib import Path
from importlib import resources

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ssekg.namespaces import SCHEMA, SDG, SEM, SSE
from ssekg.ontology import (
    SCHEMES,
    classify,
    concept_iri,
    concepts,
    ontology_graph,
    schemes_graph,
)

PROV = URIRef("http://www.w3.org/ns/prov#")
ONTOLOGY = URIRef("https://w3id.org/ssekg/ontology")
CONCEPT = "https://w3id.org/ssekg/id/concept/"

CLASSES = ["Report", "Event", "Speaker", "Country", "City", "Organisation", "Challenge", "Proposal", "Programme"]

# property: (kind, domain classes, range) exactly as ../shared/design/data-model.md says
PROPERTIES = {
    "eventType": ("O", ["Event"], SKOS.Concept),
    "theme": ("D", ["Event"], RDFS.Literal),
    "city": ("O", ["Event"], SSE.City),
    "hostCountry": ("O", ["Event"], SSE.Country),
    "online": ("D", ["Event"], XSD.boolean),
    "announced": ("D", ["Event"], XSD.boolean),
    "participatingCountry": ("O", ["Event"], SSE.Country),
    "speaker": ("O", ["Event"], SSE.Speaker),
    "speaksAt": ("O", ["Speaker"], SSE.Event),
    "organiser": ("O", ["Event"], SSE.Organisation),
    "participant": ("O", ["Event"], SSE.Organisation),
    "challenge": ("O", ["Event"], SSE.Challenge),
    "raisedAt": ("O", ["Challenge"], SSE.Event),
    "proposal": ("O", ["Event"], SSE.Proposal),
    "proposedAt": ("O", ["Proposal"], SSE.Event),
    "programme": ("O", ["Event"], SSE.Programme),
    "role": ("D", ["Speaker"], RDFS.Literal),
    "affiliation": ("O", ["Speaker"], SSE.Organisation),
    "country": ("O", ["Speaker", "Organisation", "City"], SSE.Country),
    "alpha2": ("D", ["Country"], XSD.string),
    "alpha3": ("D", ["Country"], XSD.string),
    "category": ("O", ["Challenge", "Proposal"], SKOS.Concept),
    "raisedBy": ("O", ["Challenge"], SSE.Speaker),
    "proposedBy": ("O", ["Proposal"], SSE.Speaker),
    "funder": ("O", ["Programme"], SSE.Organisation),
    "charStart": ("D", ["Challenge", "Proposal", "Speaker", "Event"], XSD.integer),
    "charEnd": ("D", ["Challenge", "Proposal", "Speaker", "Event"], XSD.integer),
    "confidence": ("D", ["Event", "Challenge", "Proposal", "Speaker", "Organisation"], XSD.decimal),
    "sourceSentence": ("D", ["Challenge", "Proposal", "Speaker", "Event"], RDF.langString),
    "example": ("D", ["Report", "Event"], XSD.boolean),
    "sentenceStart": ("D", ["Challenge", "Proposal", "Speaker", "Event"], XSD.integer),
    "curated": ("D", ["Event", "Challenge", "Proposal", "Speaker", "Organisation", "Programme"], XSD.boolean),
    "currentRevision": ("O", ["Report"], URIRef("http://www.w3.org/ns/prov#Entity")),
    "revisionNumber": ("D", ["Report"], XSD.integer),
}
INVERSES = {"speaker": "speaksAt", "challenge": "raisedAt", "proposal": "proposedAt"}

# The example report (shared/reports/000_4ec3997d5f5824c4.txt): each statement and the concept it falls under.
EXAMPLE_CHALLENGES = {
    "محدودية التمويل وصعوبة الولوج إلى مصادر الدعم": "access-to-finance",
    "ضعف التكوين والتأطير المهني.": "training-and-capacity",
    # one statement, two topics: its primary concept is financial sustainability
    "نقص الاستدامة المالية والموارد البشرية.": "financial-sustainability",
    "التشتت الجهوي وضعف التنسيق بين الفاعلين.": "coordination-and-networking",
    "غياب الاحترافية وقلة الوعي المهني.": "professionalisation",
    "ضعف ثقافة الابتكار داخل المنظومة التعاونية.": "innovation",
}
EXAMPLE_PROPOSALS = {
    "إطلاق برامج تكوين مستدامة،تراعي خصوصيات كل مجال تعاوني.": "training-programmes",
    "توفير دعم مالي مبتكر وتشجيع المقاولة الاجتماعية.": "innovative-finance",
    "تبادل الخبرات والزيارات الميدانية،بين التعاونيات وطنيا ودوليا.": "exchange-and-study-visits",
    "تعزيز مشاركة الفاعلين في صنع القرار والسياسات العمومية.": "participation-in-policy-making",
    "إنشاء منصة وطنية للتنسيق والتشبيك بين مختلف المتدخلين.": "coordination-platform",
    "تطوير قدرات النساء والشباب في الترافع والمناصرة وبناء حركة وطنية قوية للاقتصاد الاجتماعي والتضامني.": (
        "advocacy-and-capacity-building"
    ),
}
# The same statements in English and French, as a curator or a translated report would write them.
TRANSLATED_CHALLENGES = {
    "Limited funding and difficult access to sources of support": "access-to-finance",
    "Weak training and professional supervision": "training-and-capacity",
    "Lack of financial sustainability and human resources": "financial-sustainability",
    "Regional dispersion and weak coordination between actors": "coordination-and-networking",
    "Absence de professionnalisme et faible conscience professionnelle": "professionalisation",
    "Faible culture de l'innovation dans le système coopératif": "innovation",
}
TRANSLATED_PROPOSALS = {
    "Launch sustainable training programmes adapted to each cooperative field": "training-programmes",
    "Soutien financier innovant et encouragement de l'entrepreneuriat social": "innovative-finance",
    "Exchange of experience and field visits between cooperatives": "exchange-and-study-visits",
    "Renforcer la participation des acteurs à la prise de décision et aux politiques publiques": (
        "participation-in-policy-making"
    ),
    "A national platform for coordination and networking between stakeholders": "coordination-platform",
    "Build women's and youth capacity in advocacy and a strong national SSE movement": "advocacy-and-capacity-building",
}


def langs(g: Graph, s, p) -> set[str]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal) and o.language}


# ------------------------------------------------------------------ files


@pytest.mark.parametrize(
    "parts",
    [("ssekg.ttl",), ("alignments.ttl",), ("country-aliases.ttl",)] + [("schemes", f) for f in SCHEMES.values()],
)
def test_every_turtle_file_parses(parts):
    node = resources.files("ssekg.ontology")
    for part in parts:
        node = node.joinpath(part)
    g = Graph().parse(data=node.read_text(encoding="utf-8"), format="turtle")
    assert len(g) > 10


def test_graphs_are_cached():
    assert ontology_graph() is ontology_graph()
    assert schemes_graph() is schemes_graph()


# ------------------------------------------------------------------ ontology


def test_ontology_header():
    g = ontology_graph()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY, OWL.versionInfo) is not None
    assert g.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/title")) is not None
    assert g.value(ONTOLOGY, URIRef("http://purl.org/dc/terms/license")) is not None


@pytest.mark.parametrize("name", CLASSES)
def test_class_declared_with_labels_and_definition(name):
    g = ontology_graph()
    cls = SSE[name]
    assert (cls, RDF.type, OWL.Class) in g
    assert {"en", "fr", "ar"} <= langs(g, cls, RDFS.label)
    assert "en" in langs(g, cls, SKOS.definition)


@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_property_declared_with_domain_range_labels(name):
    g = ontology_graph()
    kind, domains, rng = PROPERTIES[name]
    prop = SSE[name]
    assert (prop, RDF.type, OWL.ObjectProperty if kind == "O" else OWL.DatatypeProperty) in g
    assert {"en", "fr", "ar"} <= langs(g, prop, RDFS.label)
    assert "en" in langs(g, prop, SKOS.definition)
    assert set(g.objects(prop, RDFS.range)) == {rng}
    if len(domains) == 1:
        assert set(g.objects(prop, RDFS.domain)) == {SSE[domains[0]]}
    else:
        # several classes: no rdfs:domain (it would mean their intersection), schema:domainIncludes instead
        assert set(g.objects(prop, RDFS.domain)) == set()
        assert set(g.objects(prop, SCHEMA.domainIncludes)) == {SSE[d] for d in domains}


@pytest.mark.parametrize("prop,inverse", sorted(INVERSES.items()))
def test_inverses(prop, inverse):
    assert (SSE[prop], OWL.inverseOf, SSE[inverse]) in ontology_graph()


def test_every_declared_term_is_documented():
    g = ontology_graph()
    terms = set(g.subjects(RDFS.isDefinedBy, ONTOLOGY))
    assert terms == {SSE[c] for c in CLASSES} | {SSE[p] for p in PROPERTIES}


def test_alignments():
    g = ontology_graph()
    sub = RDFS.subClassOf
    expected = {
        (SSE.Report, SCHEMA.CreativeWork),
        (SSE.Report, URIRef(str(PROV) + "Entity")),
        (SSE.Event, SCHEMA.Event),
        (SSE.Event, SEM.Event),
        (SSE.Speaker, SCHEMA.Person),
        (SSE.Country, SCHEMA.Country),
        (SSE.City, SCHEMA.City),
        (SSE.Organisation, SCHEMA.Organization),
        (SSE.Programme, SCHEMA.Project),
    }
    for s, o in expected:
        assert (s, sub, o) in g, (s, o)
    assert (SSE.organiser, RDFS.subPropertyOf, SCHEMA.organizer) in g
    assert (SSE.funder, RDFS.subPropertyOf, SCHEMA.funder) in g
    # schema.org over http, as ESSGLOBAL uses it
    assert not any(str(o).startswith("https://schema.org/") for o in g.objects())
    assert not list(g.triples((None, OWL.equivalentClass, None)))


def test_owlrl_closure_types_and_inverses_and_terminates_quickly():
    base = "https://w3id.org/ssekg/id/"
    ev, sp, ch, pr = (URIRef(base + x) for x in ("event/k-1", "person/p", "challenge/k-1-1", "proposal/k-1-1"))
    ma = URIRef(base + "country/MA")
    g = Graph()
    g += ontology_graph()
    g.add((ev, RDF.type, SSE.Event))
    g.add((ev, SSE.speaker, sp))
    g.add((ev, SSE.challenge, ch))
    g.add((ev, SSE.proposal, pr))
    g.add((ev, SSE.hostCountry, ma))
    g.add((ev, SSE.online, Literal(False)))
    g.add((ch, SSE.charStart, Literal(10)))
    g.add((ch, SSE.category, concept_iri("challenge", "access-to-finance")))
    before = len(g)
    start = time.monotonic()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    elapsed = time.monotonic() - start
    assert elapsed < 30
    assert len(g) < before * 20
    for t in (SCHEMA.Event, SEM.Event):
        assert (ev, RDF.type, t) in g
    assert (sp, RDF.type, SSE.Speaker) in g and (sp, RDF.type, SCHEMA.Person) in g
    assert (sp, SSE.speaksAt, ev) in g
    assert (ch, SSE.raisedAt, ev) in g and (ch, RDF.type, SSE.Challenge) in g
    assert (pr, SSE.proposedAt, ev) in g
    assert (ma, RDF.type, SCHEMA.Country) in g
    assert (ev, SCHEMA.location, ma) in g
    assert (concept_iri("challenge", "access-to-finance"), RDF.type, SKOS.Concept) in g
    # consistent: OWL RL flags inconsistencies with rdf:type owl:Nothing or error descriptions
    assert not list(g.subjects(RDF.type, OWL.Nothing))
    assert not list(g.triples((None, URIRef("http://www.daml.org/2002/03/agents/agent-ont#error"), None)))
    # no blank nodes typed by a domain (multi-domain properties use schema:domainIncludes)
    assert not [s for s in g.objects(ch, RDF.type) if isinstance(s, BNode)]


# ------------------------------------------------------------------ schemes


def test_scheme_names_and_concept_iri_pattern():
    assert concept_iri("challenge", "access-to-finance") == URIRef(CONCEPT + "challenge/access-to-finance")
    assert concept_iri("event-type", "workshop") == URIRef(CONCEPT + "event-type/workshop")
    with pytest.raises(ValueError):
        concept_iri("colour", "red")


@pytest.mark.parametrize(
    "scheme,required",
    [
        ("event-type", {"workshop", "conference", "forum", "webinar", "seminar", "training", "fair", "meeting",
                        "summit", "congress", "roundtable", "festival", "other"}),
        ("challenge", {"access-to-finance", "training-and-capacity", "financial-sustainability", "human-resources",
                       "coordination-and-networking", "professionalisation", "innovation",
                       "legal-and-policy-framework", "market-access", "digitalisation", "gender-and-youth-inclusion",
                       "awareness-and-visibility", "governance"}),
        ("proposal", {"training-programmes", "innovative-finance", "exchange-and-study-visits",
                      "participation-in-policy-making", "coordination-platform", "advocacy-and-capacity-building",
                      "legal-reform", "market-access-support", "digital-tools", "awareness-campaigns"}),
    ],
)
def test_scheme_has_required_concepts(scheme, required):
    assert required <= set(concepts(scheme))


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_concept_is_complete(scheme):
    g = schemes_graph()
    s = URIRef(CONCEPT + scheme)
    assert (s, RDF.type, SKOS.ConceptScheme) in g
    assert {"en", "fr", "ar"} <= langs(g, s, SKOS.prefLabel)
    found = concepts(scheme)
    assert len(found) >= 10
    for notation, c in found.items():
        assert str(c) == f"{CONCEPT}{scheme}/{notation}"
        assert (c, RDF.type, SKOS.Concept) in g
        assert (c, SKOS.inScheme, s) in g
        notations = list(g.objects(c, SKOS.notation))
        assert notations == [Literal(notation)], notations
        top = (c, SKOS.topConceptOf, s) in g and (s, SKOS.hasTopConcept, c) in g
        broader = list(g.objects(c, SKOS.broader))
        assert top or (broader and all(b in found.values() for b in broader)), c
        for lang in ("ar", "fr", "en"):
            assert len([o for o in g.objects(c, SKOS.prefLabel) if o.language == lang]) == 1, (c, lang)
        assert "en" in langs(g, c, SKOS.definition)
        for lang in ("ar", "fr", "en"):
            kw = [o for o in g.objects(c, SKOS.hiddenLabel) if o.language == lang]
            assert len(kw) >= 1, (c, lang)
        if notation != "other":
            assert sum(1 for o in g.objects(c, SKOS.hiddenLabel)) >= (6 if scheme != "event-type" else 3), c


def test_close_matches_point_to_sdg_targets():
    g = schemes_graph()
    matches = list(g.triples((None, SKOS.closeMatch, None)))
    assert matches
    for _, _, o in matches:
        assert str(o).startswith(str(SDG)) or str(o).startswith("http://purl.org/essglobal/standard/themes/"), o
    atf = concept_iri("challenge", "access-to-finance")
    assert {SDG["8.3"], SDG["8.10"]} <= set(g.objects(atf, SKOS.closeMatch))
    gy = concept_iri("challenge", "gender-and-youth-inclusion")
    assert {SDG["5.5"], SDG["8.6"]} <= set(g.objects(gy, SKOS.closeMatch))
    assert SDG["4.4"] in set(g.objects(concept_iri("proposal", "training-programmes"), SKOS.closeMatch))


def test_maghreb_vocabulary_is_in_keywords():
    g = schemes_graph()
    kw = lambda scheme, n: {str(o) for o in g.objects(concept_iri(scheme, n), SKOS.hiddenLabel)}  # noqa: E731
    assert {"التكوين", "التأطير"} <= kw("challenge", "training-and-capacity")
    assert "الترافع" in kw("proposal", "advocacy-and-capacity-building")
    assert "التشبيك" in kw("challenge", "coordination-and-networking")
    assert {"تمويل", "الدعم المالي", "financement", "crédit", "funding", "loan"} <= kw("challenge", "access-to-finance")


@pytest.mark.parametrize("text,expected", sorted(EXAMPLE_CHALLENGES.items()) + sorted(TRANSLATED_CHALLENGES.items()))
def test_example_challenges_map_to_fitting_concepts(text, expected):
    assert expected in concepts("challenge")
    assert classify(text, "challenge") == expected


@pytest.mark.parametrize("text,expected", sorted(EXAMPLE_PROPOSALS.items()) + sorted(TRANSLATED_PROPOSALS.items()))
def test_example_proposals_map_to_fitting_concepts(text, expected):
    assert expected in concepts("proposal")
    assert classify(text, "proposal") == expected


def test_classify_event_types_and_unknowns():
    assert classify("الورشة الإقليمية للشركاء", "event-type") == "workshop"
    assert classify("Webinaire : l'ESS et le travail décent", "event-type") == "webinar"
    assert classify("Forum national de l'économie sociale", "event-type") == "forum"
    assert classify("zzz qqq", "challenge") is None
    assert classify("", "proposal") is None


def test_example_categories_are_distinct():
    # six different statements, six different concepts in each list
    assert len(set(EXAMPLE_CHALLENGES.values())) == 6
    assert len(set(EXAMPLE_PROPOSALS.values())) == 6


ESSGLOBAL_FILES = Path(__file__).resolve().parents[2] / "shared" / "vocab" / "essglobal"


def test_every_category_links_to_essglobal_or_says_why_not():
    """Issue 14: each challenge and proposal category has an ESSGLOBAL link where one fits, and says so where none
    does (a "no match" comment in schemes/essglobal-matches.ttl); every link is a broad or related match."""
    from importlib import resources

    text = resources.files("ssekg.ontology").joinpath("schemes", "essglobal-matches.ttl").read_text(encoding="utf-8")
    g = schemes_graph()
    for scheme in ("challenge", "proposal"):
        for concept in g.subjects(SKOS.inScheme, URIRef(f"https://w3id.org/ssekg/id/concept/{scheme}")):
            notation = str(concept).rsplit("/", 1)[1]
            if notation == "other":
                continue
            links = [o for p in (SKOS.broadMatch, SKOS.relatedMatch, SKOS.closeMatch, SKOS.exactMatch)
                     for o in g.objects(concept, p) if str(o).startswith("http://purl.org/essglobal/")]
            assert links or f"# {scheme} {notation}: no match." in text, concept
    assert not [o for o in g.objects(None, SKOS.exactMatch) if "essglobal" in str(o)]


def test_essglobal_links_name_concepts_of_the_essglobal_files():
    if not ESSGLOBAL_FILES.is_dir():
        pytest.skip(f"the ESSGLOBAL vocabulary is not at {ESSGLOBAL_FILES} (it lives in ../shared, outside the repository)")
    essglobal = Graph()
    for path in ESSGLOBAL_FILES.glob("*.skos"):
        essglobal.parse(path, format="xml")
    concepts = set(essglobal.subjects(RDF.type, SKOS.Concept))
    targets = {o for p in (SKOS.broadMatch, SKOS.relatedMatch) for o in schemes_graph().objects(None, p)
               if str(o).startswith("http://purl.org/essglobal/")}
    assert len(targets) >= 30
    assert targets <= concepts, sorted(targets - concepts)
