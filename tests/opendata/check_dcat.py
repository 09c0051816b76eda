#!/usr/bin/env python3
"""Checks a DCAT-AP catalogue (JSON-LD) against the official DCAT-AP 3.0.0 SHACL shapes.

    check_dcat.py CATALOG.jsonld

Parses the JSON-LD with rdflib (a JSON-LD 1.1 processor), validates the graph with pyshacl
(RDFS inference, so every IRI is an rdfs:Resource as the shapes' ranges expect) against
`dcat-ap-3.0.0-SHACL.ttl` beside this file, prints the report and the graph's size, and exits
1 when the graph does not conform. Installed by tests/services.sh (pyshacl, PyPI).
"""
import os
import sys

from pyshacl import validate
from rdflib import Graph, Namespace, RDF

DCAT = Namespace("http://www.w3.org/ns/dcat#")


def main() -> int:
    data = Graph().parse(sys.argv[1], format="json-ld")
    shapes = Graph().parse(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "dcat-ap-3.0.0-SHACL.ttl"),
        format="turtle",
    )
    conforms, _, text = validate(data, shacl_graph=shapes, inference="rdfs", abort_on_first=False)
    datasets = len(set(data.subjects(RDF.type, DCAT.Dataset)))
    distributions = len(set(data.subjects(RDF.type, DCAT.Distribution)))
    print(f"triples={len(data)} datasets={datasets} distributions={distributions} conforms={conforms}")
    if not conforms:
        print(text)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
