"""Card -> the RDF graph of one report, under the core vocabulary of ../shared/design/data-model.md.

Deterministic: IRIs come from the report's key, the order of events and statements in the card, and stable
keys of names, so mapping the same card twice gives the same triples.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from ssekg.errors import InputError
from ssekg.store import plain_graph
from ssekg.namespaces import DEFAULT_BASE, SCHEMA, SSE, bind_prefixes, report_iri
from ssekg.ontology import concepts
from ssekg.text import normalise, report_key, source_sentence
from ssekg.ontology.countries import country_iri, resolve_country

from .keys import city_key, gazetteer_city, stable_key


class _Terms:
    """A namespace whose terms are made once, then read as plain attributes.

    rdflib's namespaces make a new URIRef on every attribute access; with one object per term, the workers'
    dict lookups keyed by a predicate (SHACL index, inference templates) find it by identity instead of calling
    rdflib's Python-level equality.
    """

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = intern_iri(str(getattr(self._namespace, name)))
        setattr(self, name, term)
        return term


DCTERMS, PROV, RDF, RDFS, XSD, SCHEMA, SSE = (_Terms(ns) for ns in (DCTERMS, PROV, RDF, RDFS, XSD, SCHEMA, SSE))

#: how many node IRIs :func:`intern_iri` remembers before it starts again
NODE_CACHE_SIZE = 100_000
_NODES: dict[str, URIRef] = {}
_SEEDS: dict[str, URIRef] = {}


def seed_nodes(nodes: Iterable[Any]) -> None:
    """Map IRIs to these objects from now on (an ingest worker passes its reference graph's, so that a report's
    countries and concepts are the very objects of the reference triples the validator mixes in)."""
    for node in nodes:
        if isinstance(node, URIRef):
            _SEEDS[str(node)] = node
    _NODES.update(_SEEDS)


#: The rights statement of a report whose licence is not known: it is quoted, not republished.
RIGHTS_RESERVED = ("All rights reserved by the publisher; no licence for republication is known. The graph quotes "
                   "the sentence of each fact and links to the source.")
def intern_iri(iri: str) -> URIRef:
    """One URIRef object per IRI (within a bound): a node that recurs in a report (an organisation named as
    organiser and as affiliation) is then the same object in every triple, so the validator's and the inference's
    dicts find it by identity rather than through rdflib's Python-level equality."""
    node = _NODES.get(iri)
    if node is None:
        if len(_NODES) >= NODE_CACHE_SIZE + len(_SEEDS):
            _NODES.clear()
            _NODES.update(_SEEDS)
        node = _NODES[iri] = URIRef(iri)
    return node


_ARABIC = re.compile(r"[\u0600-\u06ff]")
Triple = tuple[Node, Node, Node]
DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def card_key(card: dict[str, Any]) -> str:
    """The report's key: from the text's SHA-256 when the card gives it, else from the card itself."""
    report = card.get("report", {})
    if report.get("text_sha256"):
        return str(report["text_sha256"]).lower()[:16]
    if report.get("text"):
        return report_key(normalise(report["text"]))
    canonical = json.dumps(card, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def card_to_graph(card: dict[str, Any], base: str = DEFAULT_BASE, source: str = "<card>") -> Graph:
    """Map a parsed card (see ingest/cards.py) to the report's asserted triples.

    Raises InputError for what the schema cannot see: an unknown country, a concept that is not in our
    schemes, a statement attributed to someone who is not among the event's speakers.
    """
    graph = plain_graph(card_to_triples(card, base, source))
    bind_prefixes(graph, base)
    return graph


def card_to_triples(card: dict[str, Any], base: str = DEFAULT_BASE, source: str = "<card>") -> list[Triple]:
    """The triples of :func:`card_to_graph`, each once, in the order mapped, without building a Graph.

    Why: the ingest workers validate, infer and serialise a report's triples as plain sets; an rdflib Graph
    (its store's indexes, its per-graph prefix bindings) cost them a third of the mapping time.
    """
    return list(dict.fromkeys(_Mapper(card, base, source).run()))


def _decimal(value: float) -> str:
    """A confidence as the lexical form of an xsd:decimal with three places ("0.875")."""
    return f"{min(max(float(value), 0.0), 1.0):.3f}"


class _Triples(list):
    """A list of triples that takes ``add`` like a Graph, so the mapper reads as graph-building code."""

    add = list.append


class _Mapper:
    """Holds the triples and the report's language while one card is mapped (state lives for one call)."""

    def __init__(self, card: dict[str, Any], base: str, source: str):
        self.card = card
        self.base = base
        self.source = source
        self.report = card.get("report", {})
        self.lang = card.get("language") or self.report.get("language")
        self.key = card_key(card)
        self.g = _Triples()
        self.confidences: dict[URIRef, float] = {}
        self.report_node = URIRef(report_iri(base, self.key))

    # -- helpers -----------------------------------------------------------------------------------------
    def iri(self, kind: str, key: str) -> URIRef:
        return intern_iri(f"{self.base}{kind}/{key}")

    def texts(self, value: Any) -> list[Literal]:
        """Language-tagged literals of a free-text field (a string, or a mapping language -> text)."""
        if value is None:
            return []
        if isinstance(value, dict):
            return [Literal(text, lang=lang) for lang, text in value.items() if str(text).strip()]
        text = str(value)
        if not text.strip():
            return []
        # A name in Arabic script inside a card written in another language is still Arabic.
        arabic_only = _ARABIC.search(text) and not re.search("[A-Za-z]", text)
        return [Literal(text, lang="ar" if arabic_only else self.lang)]

    def first_text(self, value: Any) -> str:
        """The text a stable key is made from: English when given, so `city/casablanca` whatever the report's language."""
        if isinstance(value, dict):
            for lang in ("en", "fr"):
                if value.get(lang):
                    return str(value[lang])
            return next(iter(value.values()), "")
        return "" if value is None else str(value)

    def label(self, node: URIRef, value: Any, prop: URIRef = RDFS.label) -> None:
        for lit in self.texts(value):
            self.g.add((node, prop, lit))

    def country(self, value: Any, where: str) -> URIRef:
        code = resolve_country(str(value)) if value is not None else None
        if not code:
            raise InputError(
                self.source,
                f"{where}: unknown country {value!r}",
                "write the ISO 3166-1 alpha-2 code (e.g. MA, SN, BE) or the country's name in Arabic, French or English",
            )
        return intern_iri(str(country_iri(code, self.base)))

    def concept(self, scheme: str, notation: str, where: str) -> URIRef:
        known = concepts(scheme)
        if notation not in known:
            raise InputError(
                self.source,
                f"{where}: {notation!r} is not a concept of the {scheme} scheme",
                f"use one of: {', '.join(sorted(known))}",
            )
        return intern_iri(str(known[notation]))

    def span(self, node: URIRef, span: Iterable[int] | None) -> None:
        if span:
            start, end = span
            self.g.add((node, SSE.charStart, Literal(int(start), datatype=XSD.integer)))
            self.g.add((node, SSE.charEnd, Literal(int(end), datatype=XSD.integer)))
            text = self.report.get("text")
            if text and 0 <= int(start) <= int(end) <= len(text):
                at, sentence = source_sentence(text, int(start), int(end))
                self.g.add((node, SSE.sourceSentence, Literal(sentence, lang=self.report["language"])))
                self.g.add((node, SSE.sentenceStart, Literal(at, datatype=XSD.integer)))

    def derived(self, node: URIRef) -> None:
        self.g.add((node, PROV.wasDerivedFrom, self.report_node))

    def date(self, node: URIRef, prop: URIRef, value: Any) -> None:
        if value:
            text = str(value)
            self.g.add((node, prop, Literal(text, datatype=DATE_TYPES[len(text)])))

    # -- entities ----------------------------------------------------------------------------------------
    def organisation(self, value: Any, where: str) -> URIRef:
        name, country = (value.get("name"), value.get("country")) if isinstance(value, dict) and "name" in value else (value, None)
        node = self.iri("org", stable_key(self.first_text(name)))
        self.g.add((node, RDF.type, SSE.Organisation))
        self.label(node, name)
        if country:
            self.g.add((node, SSE.country, self.country(country, where)))
        if isinstance(value, dict):
            self.confidence(node, value.get("confidence"))
            self.curated(node, value)
        return node

    def city(self, value: Any, where: str) -> tuple[URIRef, URIRef | None]:
        name, country = (value.get("name"), value.get("country")) if isinstance(value, dict) else (value, None)
        country_node = self.country(country, where) if country else None
        code = str(country_node).rsplit("/", 1)[-1] if country_node is not None else None
        node = self.iri("city", city_key(self.first_text(name), code))
        self.g.add((node, RDF.type, SSE.City))
        if gazetteer_city(self.first_text(name), code) is None:
            self.label(node, name)  # a gazetteer city has its labels in ar, fr and en in the reference data
        if country_node is not None:
            self.g.add((node, SSE.country, country_node))
        return node, country_node

    # -- the card ----------------------------------------------------------------------------------------
    def run(self) -> list[Triple]:
        self.map_report()
        for n, event in enumerate(self.card.get("events", []), start=1):
            self.map_event(n, event)
        for node, value in self.confidences.items():
            self.g.add((node, SSE.confidence, Literal(_decimal(value), datatype=XSD.decimal)))
        return self.g

    def confidence(self, node: URIRef, value: Any) -> None:
        """Remember a fact's confidence; a node named twice in one report (a speaker of two events) keeps the
        higher, so each report's graph states one (the shapes allow one)."""
        if value is not None:
            self.confidences[node] = max(float(value), self.confidences.get(node, 0.0))

    def curated(self, node: URIRef, value: dict[str, Any]) -> None:
        """A fact a curator accepted, corrected or added (``curated: true`` in the card) is marked so in the report's
        graph: queries can keep to what a person checked (``sse:curated``), apart from what was only extracted."""
        if value.get("curated") is True:
            self.g.add((node, SSE.curated, Literal(True)))

    def map_revisions(self, node: URIRef, revisions: list[dict[str, Any]], extractor_agent: URIRef | None) -> None:
        """The curators' revisions as PROV: revision n (``{report}/revision/n``) ``prov:wasRevisionOf`` revision
        n - 1, down to revision 0, the extracted card; each is attributed to its curator (or the extractor) and
        dated. The report states its current revision and number, so a reader (and the review page's check
        that nobody saved in between) need not walk the chain."""
        def revision(n: int) -> URIRef:
            return intern_iri(f"{node}/revision/{n}")

        first = revision(0)
        self.g.add((first, RDF.type, PROV.Entity))
        self.g.add((first, PROV.specializationOf, node))
        if extractor_agent is not None:
            self.g.add((first, PROV.wasAttributedTo, extractor_agent))
        for n, rev in enumerate(revisions, start=1):
            here = revision(n)
            curator = self.iri("curator", stable_key(rev["curator"]))
            self.g.add((curator, RDF.type, PROV.Person))
            self.g.add((curator, RDFS.label, Literal(rev["curator"])))
            self.g.add((node, PROV.wasAttributedTo, curator))
            self.g.add((here, RDF.type, PROV.Entity))
            self.g.add((here, PROV.specializationOf, node))
            self.g.add((here, PROV.wasRevisionOf, revision(n - 1)))
            self.g.add((here, PROV.wasAttributedTo, curator))
            self.g.add((here, PROV.generatedAtTime, Literal(rev["at"], datatype=XSD.dateTime, normalize=False)))
        self.g.add((node, SSE.currentRevision, revision(len(revisions))))
        self.g.add((node, SSE.revisionNumber, Literal(len(revisions), datatype=XSD.integer)))

    def map_report(self) -> None:
        node, report = self.report_node, self.report
        self.g.add((node, RDF.type, SSE.Report))
        self.g.add((node, DCTERMS.language, Literal(report["language"])))
        self.label(node, report.get("title") or f"report {self.key}")
        if report.get("url"):
            self.g.add((node, SCHEMA.url, Literal(report["url"], datatype=XSD.anyURI)))
        self.date(node, SCHEMA.datePublished, report.get("published"))
        if report.get("publisher"):
            self.g.add((node, SCHEMA.publisher, self.organisation(report["publisher"], "report.publisher")))
        # the report belongs to its publisher: its whole text is republished only where its licence allows
        # (publish_text); each fact keeps its sentence, a short quotation with its source (sse:sourceSentence)
        if report.get("text") and report.get("publish_text") is True:
            self.g.add((node, SCHEMA.text, Literal(report["text"], lang=report["language"])))
        if report.get("example") is True:
            self.g.add((node, SSE.example, Literal(True)))
        if report.get("license"):
            self.g.add((node, DCTERMS.license, URIRef(report["license"])))
        else:
            self.g.add((node, DCTERMS.rights, Literal(RIGHTS_RESERVED, lang="en")))
        extractor = report.get("extractor")
        agent = None
        if extractor:
            agent = self.iri("agent", stable_key(f"{extractor['name']}-{extractor['version']}"))
            self.g.add((node, PROV.wasAttributedTo, agent))
            self.g.add((agent, RDF.type, PROV.SoftwareAgent))
            self.g.add((agent, RDFS.label, Literal(extractor["name"])))
            self.g.add((agent, SCHEMA.softwareVersion, Literal(str(extractor["version"]))))
        if report.get("revisions"):
            self.map_revisions(node, report["revisions"], agent)

    def map_event(self, n: int, event: dict[str, Any]) -> None:
        ekey = f"{self.key}-{n}"
        where = f"events[{n - 1}]"
        node = self.iri("event", ekey)
        g = self.g
        g.add((node, RDF.type, SSE.Event))
        self.derived(node)
        if self.report.get("example") is True:
            g.add((node, SSE.example, Literal(True)))  # what the analysts' queries test, on the event itself
        self.label(node, event["title"])
        self.label(node, event.get("theme"), SSE.theme)
        if event.get("type"):
            g.add((node, SSE.eventType, self.concept("event-type", event["type"], f"{where}.type")))
        self.date(node, SCHEMA.startDate, event.get("start"))
        self.date(node, SCHEMA.endDate, event.get("end"))
        if event.get("online") is not None:
            g.add((node, SSE.online, Literal(bool(event["online"]))))
        if event.get("status"):
            g.add((node, SSE.announced, Literal(event["status"] == "announced")))
        host = self.country(event["host_country"], f"{where}.host_country") if event.get("host_country") else None
        if event.get("city"):
            city, city_country = self.city(event["city"], f"{where}.city")
            g.add((node, SSE.city, city))
            host = host or city_country
            if host is not None and city_country is None:
                g.add((city, SSE.country, host))
        if host is not None:
            g.add((node, SSE.hostCountry, host))
        for i, value in enumerate(event.get("participating_countries", [])):
            g.add((node, SSE.participatingCountry, self.country(value, f"{where}.participating_countries[{i}]")))
        for prop, field in ((SSE.organiser, "organisers"), (SSE.participant, "participants")):
            for i, value in enumerate(event.get(field, [])):
                g.add((node, prop, self.organisation(value, f"{where}.{field}[{i}]")))
        speakers = {}
        for i, speaker in enumerate(event.get("speakers", [])):
            person = self.map_speaker(speaker, f"{where}.speakers[{i}]")
            g.add((node, SSE.speaker, person))
            speakers[stable_key(self.first_text(speaker["name"]))] = person
        for field, cls, link, by, scheme in (
            ("challenges", SSE.Challenge, SSE.challenge, SSE.raisedBy, "challenge"),
            ("proposals", SSE.Proposal, SSE.proposal, SSE.proposedBy, "proposal"),
        ):
            for i, statement in enumerate(event.get(field, []), start=1):
                s = self.iri(scheme, f"{ekey}-{i}")
                swhere = f"{where}.{field}[{i - 1}]"
                g.add((s, RDF.type, cls))
                g.add((node, link, s))
                self.derived(s)
                self.label(s, statement["text"])
                if statement.get("category"):
                    g.add((s, SSE.category, self.concept(scheme, statement["category"], f"{swhere}.category")))
                if statement.get("speaker"):
                    who = speakers.get(stable_key(self.first_text(statement["speaker"])))
                    if who is None:
                        raise InputError(
                            self.source,
                            f"{swhere}.speaker: {self.first_text(statement['speaker'])!r} is not one of the event's speakers",
                            "add the person to the event's speakers, or write the name exactly as there",
                        )
                    g.add((s, by, who))
                self.span(s, statement.get("span"))
                self.confidence(s, statement.get("confidence"))
                self.curated(s, statement)
        for i, programme in enumerate(event.get("programmes", [])):
            g.add((node, SSE.programme, self.map_programme(programme, f"{where}.programmes[{i}]")))
        self.span(node, event.get("span"))
        self.confidence(node, event.get("confidence"))
        self.curated(node, event)

    def map_speaker(self, speaker: dict[str, Any], where: str) -> URIRef:
        person = self.iri("person", stable_key(self.first_text(speaker["name"])))
        self.g.add((person, RDF.type, SSE.Speaker))
        self.derived(person)
        self.label(person, speaker["name"])
        self.label(person, speaker.get("role"), SSE.role)
        if speaker.get("affiliation"):
            self.g.add((person, SSE.affiliation, self.organisation(speaker["affiliation"], f"{where}.affiliation")))
        if speaker.get("country"):
            self.g.add((person, SSE.country, self.country(speaker["country"], f"{where}.country")))
        self.span(person, speaker.get("span"))
        self.confidence(person, speaker.get("confidence"))
        self.curated(person, speaker)
        return person

    def map_programme(self, programme: dict[str, Any], where: str) -> URIRef:
        node = self.iri("programme", stable_key(self.first_text(programme["name"])))
        self.g.add((node, RDF.type, SSE.Programme))
        self.label(node, programme["name"])
        self.curated(node, programme)
        if programme.get("funder"):
            self.g.add((node, SSE.funder, self.organisation(programme["funder"], f"{where}.funder")))
        for prop, field in ((SCHEMA.startDate, "start"), (SCHEMA.endDate, "end")):
            if programme.get(field) is not None:
                self.date(node, prop, str(programme[field]))
        return node

