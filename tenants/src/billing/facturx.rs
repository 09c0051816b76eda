//! Factur-X (EN 16931 profile): the invoice a mayor's office prints, as PDF/A-3b, with its CII
//! XML (`cii.rs`) embedded as `factur-x.xml` (relationship `Data`: the page is drawn from the
//! XML) and the `fx:` properties in the XMP metadata that tell readers which profile it holds.
//! Chorus Pro accepts it as it accepts the UBL or CII file. Every figure printed is the XML's.
use super::ubl::{lines, Parts};
use super::BillingError;
use crate::costs::euros;
use crate::fr;
use chrono::{NaiveTime, TimeZone, Utc};
use formats::{Cell, Column, Document, PdfAttachment, PdfOptions, PdfRelationship, Sheet};

/// The name Factur-X requires for the embedded XML.
pub const XML_NAME: &str = "factur-x.xml";

/// The `fx:` properties (Factur-X 1.0, EN 16931 profile) and the PDF/A extension schema that
/// declares them: PDF/A-3 admits XMP properties only of schemas it knows or that are declared.
const XMP: &str = r#"<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"><fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName><fx:Version>1.0</fx:Version><fx:ConformanceLevel>EN 16931</fx:ConformanceLevel></rdf:Description><rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource"><pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema><pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI><pdfaSchema:prefix>fx</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>Name of the embedded XML invoice file</pdfaProperty:description></rdf:li><rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>INVOICE</pdfaProperty:description></rdf:li><rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>Version of the Factur-X XML schema</pdfaProperty:description></rdf:li><rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>Conformance level of the embedded Factur-X data</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"#;

fn sheet(name: &str, columns: &[(&str, &str)], rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet {
        name: name.to_owned(),
        columns: columns.iter().map(|(k, l)| Column::new(*k, *l)).collect(),
        rows,
    }
}

fn pair(label: &str, value: impl Into<String>) -> Vec<Cell> {
    vec![Cell::text(label), Cell::text(value)]
}

/// The printed invoice: parties, references, lines, totals. Amounts as the XML states them
/// (a credit note's amounts are positive, its lines against it negative).
pub(crate) fn document(p: &Parts) -> Document {
    let inv = &p.invoice;
    let credit = inv.amount_cents < 0;
    let sign = if credit { -1 } else { 1 };
    let total = inv.amount_cents * sign;
    let kind = if credit { "Avoir" } else { "Facture" };
    let not_recorded = "non renseigné";
    let seller_siret = p.seller.as_ref().and_then(|s| s.siret.clone());
    let parties = sheet(
        "Parties",
        &[
            ("role", "Rôle"),
            ("nom", "Nom"),
            ("siren", "SIREN"),
            ("siret", "SIRET"),
        ],
        vec![
            vec![
                Cell::text("Émetteur (vendeur)"),
                Cell::text(p.supplier.name.clone()),
                Cell::text(p.supplier.siren.clone()),
                Cell::text(seller_siret.unwrap_or_else(|| not_recorded.into())),
            ],
            vec![
                Cell::text("Destinataire (acheteur)"),
                Cell::text(p.customer.name.clone()),
                Cell::text(p.customer.siren.clone()),
                Cell::text(
                    inv.buyer_siret
                        .clone()
                        .unwrap_or_else(|| not_recorded.into()),
                ),
            ],
        ],
    );
    let ls = lines(inv);
    let mut refs = vec![
        pair("Numéro", inv.number.clone()),
        pair("Date d'émission", fr::date(inv.issued_on)),
    ];
    if !credit {
        refs.push(pair("Date d'échéance", fr::date(inv.due_on)));
    }
    if let Some(n) = &inv.corrects_number {
        refs.push(pair("Facture corrigée", n.clone()));
    }
    if let Some(c) = &inv.service_code {
        refs.push(pair("Code service (Chorus Pro)", c.clone()));
    }
    if let Some(c) = &inv.commitment_number {
        refs.push(pair("Numéro d'engagement", c.clone()));
    }
    if let (Some(s), Some(e)) = (
        ls.iter().filter_map(|l| l.start).min(),
        ls.iter().filter_map(|l| l.end).max(),
    ) {
        refs.push(pair(
            "Période facturée",
            format!("du {} au {}", fr::date(s), fr::date(e)),
        ));
    }
    let account = p.seller.as_ref().and_then(|s| s.iban.clone());
    refs.push(pair(
        "Paiement",
        match (&account, p.seller.as_ref().and_then(|s| s.bic.clone())) {
            (Some(iban), Some(bic)) => {
                format!("Virement au comptable public : IBAN {iban}, BIC {bic}")
            }
            (Some(iban), None) => format!("Virement au comptable public : IBAN {iban}"),
            _ => "Selon la convention de mutualisation".to_owned(),
        },
    ));
    refs.push(pair(
        "TVA",
        "Hors champ de la TVA : service commun entre personnes publiques (CGI art. 256 B)",
    ));
    let references = sheet(
        "Références",
        &[("reference", "Référence"), ("valeur", "Valeur")],
        refs,
    );
    let line_rows = ls
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let signed = l.cents * sign;
            let period = match (l.start, l.end) {
                (Some(s), Some(e)) => format!("{} – {}", fr::date(s), fr::date(e)),
                _ => String::new(),
            };
            vec![
                Cell::Int(i as i64 + 1),
                Cell::text(l.label.clone()),
                Cell::text(l.explanation.clone()),
                Cell::text(period),
                Cell::Int(if signed < 0 { -1 } else { 1 }),
                Cell::text(euros(signed.abs())),
                Cell::text(euros(signed)),
            ]
        })
        .collect();
    let line_sheet = sheet(
        "Lignes",
        &[
            ("n", "N°"),
            ("designation", "Désignation"),
            ("detail", "Détail"),
            ("periode", "Période"),
            ("quantite", "Quantité"),
            ("prix", "Prix unitaire HT"),
            ("montant", "Montant HT"),
        ],
        line_rows,
    );
    let totals = sheet(
        "Totaux",
        &[("total", "Total"), ("montant", "Montant")],
        vec![
            pair("Total HT", euros(total)),
            pair("TVA (hors champ)", euros(0)),
            pair("Total TTC", euros(total)),
            pair(
                if credit {
                    "Montant à déduire"
                } else {
                    "Net à payer"
                },
                euros(total),
            ),
        ],
    );
    let generated_at = Utc.from_utc_datetime(&inv.issued_on.and_time(NaiveTime::MIN));
    Document {
        title: format!("{kind} n° {}", inv.number),
        subtitle: Some(format!(
            "{} à {}, émis le {}",
            p.supplier.name,
            p.customer.name,
            fr::date(inv.issued_on)
        )),
        sheets: vec![parties, references, line_sheet, totals],
        generated_at,
        charts: Vec::new(),
    }
}

/// The Factur-X PDF of an invoice: (file name, bytes). CPU work: call it off the runtime.
pub(crate) fn render(p: &Parts) -> Result<(String, Vec<u8>), BillingError> {
    let xml = super::cii::render(&p.invoice, &p.supplier, p.seller.as_ref(), &p.customer);
    let options = PdfOptions {
        continuous: true,
        attachments: vec![PdfAttachment {
            name: XML_NAME.to_owned(),
            media_type: "text/xml".to_owned(),
            description: "Facture au format Factur-X (CII, profil EN 16931)".to_owned(),
            bytes: xml.into_bytes(),
            relationship: PdfRelationship::Data,
        }],
        xmp_descriptions: Some(XMP.to_owned()),
    };
    let pdf = formats::render_pdf(&document(p), &options)
        .map_err(|e| BillingError::Render(e.to_string()))?;
    Ok((format!("facture-{}.pdf", p.invoice.number), pdf))
}

/// The Factur-X PDF of an invoice within the scope, rendered on the blocking pool.
pub async fn export(
    db: &sea_orm::DatabaseConnection,
    scope: &crate::tenancy::Scope,
    invoice_id: uuid::Uuid,
) -> Result<(String, Vec<u8>), BillingError> {
    let parts = super::ubl::load(db, scope, invoice_id).await?;
    crate::blocking::run(move || render(&parts))
        .await
        .map_err(|e| BillingError::Render(e.to_string()))?
}
