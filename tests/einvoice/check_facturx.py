"""Checks Factur-X PDFs with the `factur-x` package (PyPI, Akretion): the embedded XML found
under its required name and valid against the Factur-X XSD of its profile, the XMP metadata
(PDF/A-3 identification, the fx: properties), the attachment's relationship, and the page
text. One JSON report a line on stdout, one per file given.

    python check_facturx.py FILE.pdf...
"""

import json
import logging
import re
import sys

from facturx import get_facturx_xml_from_pdf, get_level, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

logging.disable(logging.WARNING)


def xmp_field(xmp, name):
    # Either an element (<fx:Version>1.0</fx:Version>) or an attribute (pdfaid:part="3").
    m = re.search(r"<%s>([^<]*)</%s>" % (name, name), xmp) or re.search(
        r'%s="([^"]*)"' % name, xmp
    )
    return m.group(1) if m else None


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    report = {"file": path}
    name, xml = get_facturx_xml_from_pdf(data, check_xsd=False)
    report["xml_name"] = name or None
    report["xml"] = xml.decode("utf-8") if xml else None
    if xml:
        root = etree.fromstring(xml)
        report["level"] = get_level(root)
        try:
            xml_check_xsd(root, flavor="factur-x", level=report["level"])
            report["xsd"] = "valid"
        except Exception as e:  # the package raises a bare Exception with the XSD's message
            report["xsd"] = str(e)
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    meta = root.get("/Metadata")
    xmp = meta.get_object().get_data().decode("utf-8") if meta else ""
    report["xmp"] = {
        k: xmp_field(xmp, k)
        for k in (
            "pdfaid:part",
            "pdfaid:conformance",
            "fx:DocumentType",
            "fx:DocumentFileName",
            "fx:Version",
            "fx:ConformanceLevel",
        )
    }
    report["xmp_declares_fx"] = (
        "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
        and "pdfaExtension:schemas" in xmp
    )
    af = root.get("/AF")
    report["af"] = [
        {
            "name": str(spec.get_object().get("/F")),
            "relationship": str(spec.get_object().get("/AFRelationship")),
        }
        for spec in (af.get_object() if af else [])
    ]
    report["text"] = "\n".join(page.extract_text() or "" for page in reader.pages)
    return report


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(json.dumps(check(p), ensure_ascii=False))
