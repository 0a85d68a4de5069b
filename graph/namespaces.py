"""IRIs of the vocabularies we use, in one place, so no module spells a namespace twice."""

from __future__ import annotations

from pyoxigraph import NamedNode

KP = "https://w3id.org/knooppunt/def#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
SH = "http://www.w3.org/ns/shacl#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VANN = "http://purl.org/vocab/vann/"

PREFIXES: dict[str, str] = {
    "kp": KP,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "foaf": FOAF,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "time": TIME,
}


def sparql_prefixes(prefixes: dict[str, str] = PREFIXES) -> str:
    """The PREFIX header for our own queries and the query page."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())


def term(namespace: str, local: str) -> NamedNode:
    return NamedNode(namespace + local)


RDF_TYPE = term(RDF, "type")
RDFS_LABEL = term(RDFS, "label")
SKOS_PREFLABEL = term(SKOS, "prefLabel")
DCT_SOURCE = term(DCT, "source")
DCT_DESCRIPTION = term(DCT, "description")
