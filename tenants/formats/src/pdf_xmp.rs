//! Extra XMP properties in a PDF that krilla wrote. krilla writes its own XMP packet (PDF/A
//! identification, title, dates) and offers no way to add properties of another schema, which
//! Factur-X needs (`fx:DocumentType`, `fx:ConformanceLevel`…). krilla's output is a single
//! revision of uncompressed objects indexed by a classic cross-reference table, with the XMP
//! stream unfiltered; so the new properties are spliced into that stream and every offset
//! after it moved by the same amount. The file stays one revision (no incremental update), as
//! a PDF/A validator prefers.

use crate::pdf::PdfError;

fn bad(what: &str) -> PdfError {
    PdfError::Write(format!("XMP metadata could not be extended: {what}"))
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The unsigned integer written at `at` (after spaces), and where it ends.
fn number(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    let start = at;
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    let n = std::str::from_utf8(bytes.get(start..at)?)
        .ok()?
        .parse()
        .ok()?;
    Some((n, at))
}

/// The object number after `key` (`/Metadata 12 0 R`) in `dict`.
fn reference(dict: &[u8], key: &[u8]) -> Option<usize> {
    let at = find(dict, key, 0)? + key.len();
    number(dict, at).map(|(n, _)| n)
}

/// The cross-reference table: where it starts, and each in-use entry's (object, offset field
/// position, offset).
struct Xref {
    start: usize,
    entries: Vec<(usize, usize, usize)>,
}

fn xref(pdf: &[u8]) -> Option<Xref> {
    let tail = rfind(pdf, b"startxref")?;
    let (start, _) = number(pdf, tail + b"startxref".len())?;
    if pdf.get(start..start + 4)? != b"xref" {
        return None; // a cross-reference stream: not what krilla writes
    }
    let mut at = start + 4;
    let mut entries = Vec::new();
    loop {
        while pdf.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        if pdf.get(at..at + 7)? == b"trailer" {
            return Some(Xref { start, entries });
        }
        let (first, next) = number(pdf, at)?;
        let (count, next) = number(pdf, next)?;
        at = next;
        while pdf.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        for i in 0..count {
            // Each entry is exactly 20 bytes: 10-digit offset, generation, n/f, end of line.
            let entry = pdf.get(at..at + 20)?;
            if entry[17] == b'n' {
                let offset = std::str::from_utf8(&entry[..10]).ok()?.parse().ok()?;
                entries.push((first + i, at, offset));
            }
            at += 20;
        }
    }
}

/// `pdf` with `descriptions` (whole `rdf:Description` elements) added to its XMP packet.
pub(crate) fn add_descriptions(pdf: &[u8], descriptions: &str) -> Result<Vec<u8>, PdfError> {
    let table = xref(pdf).ok_or_else(|| bad("no cross-reference table"))?;
    let offset_of = |n: usize| {
        table
            .entries
            .iter()
            .find(|e| e.0 == n)
            .map(|e| e.2)
            .ok_or_else(|| bad("object missing from the table"))
    };
    let trailer = find(pdf, b"trailer", table.start).ok_or_else(|| bad("no trailer"))?;
    let root = reference(&pdf[trailer..], b"/Root").ok_or_else(|| bad("no /Root"))?;
    let catalog_at = offset_of(root)?;
    let catalog_end = find(pdf, b"endobj", catalog_at).ok_or_else(|| bad("catalog"))?;
    let meta = reference(&pdf[catalog_at..catalog_end], b"/Metadata")
        .ok_or_else(|| bad("catalog without /Metadata"))?;

    // The metadata object: `N 0 obj <<… /Length L …>> stream\n…\nendstream endobj`.
    let obj = offset_of(meta)?;
    let stream_kw = find(pdf, b"stream", obj).ok_or_else(|| bad("metadata stream"))?;
    let dict = &pdf[obj..stream_kw];
    if find(dict, b"/Filter", 0).is_some() {
        return Err(bad("metadata stream is compressed"));
    }
    let length_key = find(dict, b"/Length", 0).ok_or_else(|| bad("no /Length"))? + obj;
    let (length, length_end) =
        number(pdf, length_key + b"/Length".len()).ok_or_else(|| bad("/Length"))?;
    let mut data_start = stream_kw + b"stream".len();
    if pdf.get(data_start) == Some(&b'\r') {
        data_start += 1;
    }
    if pdf.get(data_start) == Some(&b'\n') {
        data_start += 1;
    }
    let data_end = data_start + length;
    let packet = std::str::from_utf8(pdf.get(data_start..data_end).ok_or_else(|| bad("length"))?)
        .map_err(|_| bad("packet is not UTF-8"))?;
    let close = packet
        .rfind("</rdf:RDF>")
        .ok_or_else(|| bad("no </rdf:RDF>"))?;
    let new_packet = format!("{}{}{}", &packet[..close], descriptions, &packet[close..]);

    let mut out = Vec::with_capacity(pdf.len() + descriptions.len() + 16);
    out.extend_from_slice(&pdf[..length_key]);
    out.extend_from_slice(format!("/Length {}", new_packet.len()).as_bytes());
    out.extend_from_slice(&pdf[length_end..data_start]);
    out.extend_from_slice(new_packet.as_bytes());
    let delta = out.len() as i64 - data_end as i64;
    out.extend_from_slice(&pdf[data_end..]);

    // Every object after the metadata stream, the table itself and `startxref` moved by delta.
    let shift = |offset: usize| (offset as i64 + delta) as usize;
    for (_, field, offset) in &table.entries {
        if *offset > obj {
            let at = shift(*field);
            out[at..at + 10].copy_from_slice(format!("{:010}", shift(*offset)).as_bytes());
        }
    }
    let tail = rfind(&out, b"startxref").ok_or_else(|| bad("startxref"))?;
    let (_, end) = number(&out, tail + b"startxref".len()).ok_or_else(|| bad("startxref"))?;
    let mut fixed = out[..tail].to_vec();
    fixed.extend_from_slice(format!("startxref\n{}", shift(table.start)).as_bytes());
    fixed.extend_from_slice(&out[end..]);
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cell, Column, Document, PdfAttachment, PdfOptions, PdfRelationship, Sheet};
    use chrono::TimeZone;

    fn doc() -> Document {
        Document {
            title: "Facture n° 1".into(),
            subtitle: None,
            sheets: vec![Sheet {
                name: "Totaux".into(),
                columns: vec![Column::new("k", "Total"), Column::new("v", "Montant")],
                rows: vec![vec![Cell::text("Total TTC"), Cell::text("12,00 €")]],
            }],
            generated_at: chrono::Utc
                .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
                .single()
                .expect("date"),
            charts: vec![],
        }
    }

    /// Every in-use entry of the table points at the start of its object.
    fn offsets_hold(pdf: &[u8]) {
        let table = xref(pdf).expect("a classic cross-reference table");
        assert!(table.entries.len() > 5);
        for (n, _, offset) in &table.entries {
            let head = format!("{n} 0 obj");
            assert_eq!(
                &pdf[*offset..offset + head.len()],
                head.as_bytes(),
                "object {n} at {offset}"
            );
        }
    }

    #[test]
    fn xmp_descriptions_are_spliced_and_offsets_follow() {
        let options = PdfOptions {
            continuous: true,
            attachments: vec![PdfAttachment {
                name: "factur-x.xml".into(),
                media_type: "text/xml".into(),
                description: "XML".into(),
                bytes: b"<a/>".to_vec(),
                relationship: PdfRelationship::Data,
            }],
            xmp_descriptions: None,
        };
        let plain = crate::render_pdf(&doc(), &options).expect("pdf");
        offsets_hold(&plain);
        let extra =
            r#"<rdf:Description rdf:about="" xmlns:t="urn:test#"><t:X>1</t:X></rdf:Description>"#;
        let spliced = crate::render_pdf(
            &doc(),
            &PdfOptions {
                xmp_descriptions: Some(extra.into()),
                ..options
            },
        )
        .expect("pdf");
        offsets_hold(&spliced);
        // The packet grew by the description (and /Length by a digit at most).
        assert!(
            (plain.len() + extra.len()..=plain.len() + extra.len() + 1).contains(&spliced.len())
        );
        let text = String::from_utf8_lossy(&spliced);
        let at = text.find(extra).expect("description in the packet");
        assert!(text[at..].starts_with(&format!("{extra}</rdf:RDF>")));
        // PDF/A-3b, with the attachment associated to the document.
        assert!(
            text.contains("<pdfaid:part>3</pdfaid:part>") || text.contains("pdfaid:part=\"3\"")
        );
        let af = text.find("/AFRelationship").expect("an associated file");
        assert!(
            text[af + "/AFRelationship".len()..]
                .trim_start()
                .starts_with("/Data"),
            "{}",
            &text[af..af + 40]
        );
        // The startxref points at the table.
        let table = xref(&spliced).expect("table");
        assert_eq!(&spliced[table.start..table.start + 4], b"xref");
    }

    #[test]
    fn a_pdf_without_metadata_is_refused_not_corrupted() {
        let err = add_descriptions(b"%PDF-1.7\nnothing here", "<x/>");
        assert!(err.is_err());
    }
}
