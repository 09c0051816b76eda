//! Electronic invoices in UBL 2.1 (the EN 16931 syntax that Chorus Pro and the other
//! public-sector channels accept): an `Invoice` (type 380) for an amount due, a `CreditNote`
//! (type 381) for a negative total. The shared service between public bodies is outside the
//! scope of VAT (CGI art. 256 B): tax category `O`, exemption code VATEX-EU-O, no rate.
use crate::entities::{billing_identity, billing_invoice, organisation, tenant};
use chrono::NaiveDate;

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => o.push(c),
        }
    }
    o
}

/// Cents as a UBL amount: `1234.50`.
pub fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

pub(crate) struct Line {
    pub label: String,
    pub explanation: String,
    pub cents: i64,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// The catalogue's service (absent from invoices issued before it was recorded).
    pub service_code: Option<String>,
}

pub(crate) fn lines(inv: &billing_invoice::Model) -> Vec<Line> {
    inv.lines
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| Line {
                    label: l["label"].as_str().unwrap_or_default().to_owned(),
                    explanation: l["explanation"].as_str().unwrap_or_default().to_owned(),
                    cents: l["amountCents"].as_i64().unwrap_or(0),
                    start: l["periodStart"].as_str().and_then(|d| d.parse().ok()),
                    end: l["periodEnd"].as_str().and_then(|d| d.parse().ok()),
                    service_code: l["serviceCode"].as_str().map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A party identified by its SIRET (scheme 0009, what Chorus Pro routes on) when one is
/// recorded, else by its SIREN (0002): the SIREN alone is valid EN 16931 for the other channels.
pub(crate) fn endpoint<'a>(siren: &'a str, siret: Option<&'a str>) -> (&'static str, &'a str) {
    match siret {
        Some(s) => ("0009", s),
        None => ("0002", siren),
    }
}

fn party(o: &mut String, tag: &str, siren: &str, siret: Option<&str>, name: &str) {
    let (scheme, id) = endpoint(siren, siret);
    o.push_str(&format!(
        "  <cac:{tag}>\n    <cac:Party>\n      <cbc:EndpointID schemeID=\"{scheme}\">{i}</cbc:EndpointID>\n      <cac:PartyIdentification><cbc:ID schemeID=\"{scheme}\">{i}</cbc:ID></cac:PartyIdentification>\n      <cac:PartyName><cbc:Name>{n}</cbc:Name></cac:PartyName>\n      <cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>\n      <cac:PartyLegalEntity><cbc:RegistrationName>{n}</cbc:RegistrationName><cbc:CompanyID schemeID=\"0002\">{s}</cbc:CompanyID></cac:PartyLegalEntity>\n    </cac:Party>\n  </cac:{tag}>\n",
        i = esc(id),
        s = esc(siren),
        n = esc(name)
    ));
}

/// Outside the scope of VAT, stated once in the breakdown (BR-O-10); the lines carry the
/// category alone (the exemption repeated on each line is what UBL-CR-600/601 warn about).
const TAX: &str = "<cac:TaxCategory><cbc:ID>O</cbc:ID><cbc:TaxExemptionReasonCode>VATEX-EU-O</cbc:TaxExemptionReasonCode><cbc:TaxExemptionReason>Hors champ de la TVA : service commun entre personnes publiques (CGI art. 256 B)</cbc:TaxExemptionReason><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>";
const LINE_TAX: &str = "<cac:ClassifiedTaxCategory><cbc:ID>O</cbc:ID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>";

/// The UBL document of one invoice: (file name, XML).
pub fn render(
    inv: &billing_invoice::Model,
    supplier: &organisation::Model,
    seller: Option<&billing_identity::Model>,
    customer: &tenant::Model,
) -> (String, String) {
    let credit = inv.amount_cents < 0;
    let (root, type_tag, type_code, line_tag, qty_tag) = if credit {
        (
            "CreditNote",
            "CreditNoteTypeCode",
            "381",
            "CreditNoteLine",
            "CreditedQuantity",
        )
    } else {
        (
            "Invoice",
            "InvoiceTypeCode",
            "380",
            "InvoiceLine",
            "InvoicedQuantity",
        )
    };
    // A credit note states positive amounts: every line's sign flips with the document's.
    let sign = if credit { -1 } else { 1 };
    let ls = lines(inv);
    let total = inv.amount_cents * sign;
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str(&format!(
        "<{root} xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:{root}-2\" xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"
    ));
    o.push_str("  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>\n");
    o.push_str(&format!("  <cbc:ID>{}</cbc:ID>\n", esc(&inv.number)));
    o.push_str(&format!(
        "  <cbc:IssueDate>{}</cbc:IssueDate>\n",
        inv.issued_on
    ));
    if !credit {
        o.push_str(&format!("  <cbc:DueDate>{}</cbc:DueDate>\n", inv.due_on));
    }
    o.push_str(&format!("  <cbc:{type_tag}>{type_code}</cbc:{type_tag}>\n"));
    o.push_str("  <cbc:Note>Remboursement du service commun numérique (coûts répartis entre les communes membres).</cbc:Note>\n");
    o.push_str("  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n");
    // Chorus Pro: the buyer's service code (BT-10), when it has one.
    if let Some(code) = &inv.service_code {
        o.push_str(&format!(
            "  <cbc:BuyerReference>{}</cbc:BuyerReference>\n",
            esc(code)
        ));
    }
    if let (Some(s), Some(e)) = (
        ls.iter().filter_map(|l| l.start).min(),
        ls.iter().filter_map(|l| l.end).max(),
    ) {
        o.push_str(&format!(
            "  <cac:InvoicePeriod><cbc:StartDate>{s}</cbc:StartDate><cbc:EndDate>{e}</cbc:EndDate></cac:InvoicePeriod>\n"
        ));
    }
    // The commitment number (engagement juridique) of the buyer's accounts (BT-13).
    if let Some(c) = &inv.commitment_number {
        o.push_str(&format!(
            "  <cac:OrderReference><cbc:ID>{}</cbc:ID></cac:OrderReference>\n",
            esc(c)
        ));
    }
    // A credit note names the invoice it corrects (BT-25).
    if let Some(n) = &inv.corrects_number {
        o.push_str(&format!(
            "  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>\n",
            esc(n)
        ));
    }
    party(
        &mut o,
        "AccountingSupplierParty",
        &supplier.siren,
        seller.and_then(|s| s.siret.as_deref()),
        &supplier.name,
    );
    party(
        &mut o,
        "AccountingCustomerParty",
        &customer.siren,
        inv.buyer_siret.as_deref(),
        &customer.name,
    );
    // A transfer to the public accountant's account (BR-61 wants the account when the means is
    // a transfer); without a recorded account, "not defined" (code 1) says so honestly.
    match seller.and_then(|s| s.iban.as_deref()) {
        Some(iban) => {
            let bic = seller
                .and_then(|s| s.bic.as_deref())
                .map(|b| {
                    format!(
                        "<cac:FinancialInstitutionBranch><cbc:ID>{}</cbc:ID></cac:FinancialInstitutionBranch>",
                        esc(b)
                    )
                })
                .unwrap_or_default();
            o.push_str(&format!(
                "  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>{n}</cbc:PaymentID><cac:PayeeFinancialAccount><cbc:ID>{i}</cbc:ID>{bic}</cac:PayeeFinancialAccount></cac:PaymentMeans>\n",
                n = esc(&inv.number),
                i = esc(iban),
            ));
        }
        None => o.push_str(
            "  <cac:PaymentMeans><cbc:PaymentMeansCode>1</cbc:PaymentMeansCode></cac:PaymentMeans>\n",
        ),
    }
    if !credit {
        o.push_str(&format!(
            "  <cac:PaymentTerms><cbc:Note>Paiement par virement sous {} jours</cbc:Note></cac:PaymentTerms>\n",
            super::runs::PAYMENT_DAYS
        ));
    }
    o.push_str(&format!(
        "  <cac:TaxTotal><cbc:TaxAmount currencyID=\"EUR\">0.00</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID=\"EUR\">{t}</cbc:TaxableAmount><cbc:TaxAmount currencyID=\"EUR\">0.00</cbc:TaxAmount>{TAX}</cac:TaxSubtotal></cac:TaxTotal>\n",
        t = amount(total)
    ));
    o.push_str(&format!(
        "  <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID=\"EUR\">{t}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID=\"EUR\">{t}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID=\"EUR\">{t}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID=\"EUR\">{t}</cbc:PayableAmount></cac:LegalMonetaryTotal>\n",
        t = amount(total)
    ));
    for (i, l) in ls.iter().enumerate() {
        let signed = l.cents * sign;
        let a = amount(signed);
        // BR-27: a price is never negative; a credit line is a quantity of -1.
        let (qty, price) = if signed < 0 {
            ("-1", amount(-signed))
        } else {
            ("1", a.clone())
        };
        let tax = LINE_TAX;
        o.push_str(&format!(
            "  <cac:{line_tag}>\n    <cbc:ID>{n}</cbc:ID>\n    <cbc:{qty_tag} unitCode=\"C62\">{qty}</cbc:{qty_tag}>\n    <cbc:LineExtensionAmount currencyID=\"EUR\">{a}</cbc:LineExtensionAmount>\n    <cac:Item><cbc:Description>{d}</cbc:Description><cbc:Name>{name}</cbc:Name>{tax}</cac:Item>\n    <cac:Price><cbc:PriceAmount currencyID=\"EUR\">{price}</cbc:PriceAmount></cac:Price>\n  </cac:{line_tag}>\n",
            n = i + 1,
            d = esc(&l.explanation),
            name = esc(&l.label),
        ));
    }
    o.push_str(&format!("</{root}>\n"));
    (format!("facture-{}.xml", inv.number), o)
}

/// What an e-invoice is made of: the invoice, its seller (organisation and identity) and its
/// buyer, read within the scope.
pub(crate) struct Parts {
    pub invoice: billing_invoice::Model,
    pub supplier: organisation::Model,
    pub seller: Option<billing_identity::Model>,
    pub customer: tenant::Model,
}

pub(crate) async fn load(
    db: &sea_orm::DatabaseConnection,
    scope: &crate::tenancy::Scope,
    invoice_id: uuid::Uuid,
) -> Result<Parts, super::BillingError> {
    let txn = scope.begin(db).await?;
    let invoice = scope
        .get::<billing_invoice::Entity, _>(&txn, invoice_id)
        .await??;
    let customer = scope
        .get::<tenant::Entity, _>(&txn, invoice.tenant_id)
        .await??;
    let supplier = scope
        .get::<organisation::Entity, _>(&txn, invoice.organisation_id)
        .await??;
    txn.commit().await?;
    let seller = seller_identity(db, invoice.organisation_id).await?;
    Ok(Parts {
        invoice,
        supplier,
        seller,
        customer,
    })
}

/// The UBL file of an invoice within the scope.
pub async fn export(
    db: &sea_orm::DatabaseConnection,
    scope: &crate::tenancy::Scope,
    invoice_id: uuid::Uuid,
) -> Result<(String, String), super::BillingError> {
    let p = load(db, scope, invoice_id).await?;
    Ok(render(
        &p.invoice,
        &p.supplier,
        p.seller.as_ref(),
        &p.customer,
    ))
}

/// The CII file (the XML of Factur-X) of an invoice within the scope.
pub async fn export_cii(
    db: &sea_orm::DatabaseConnection,
    scope: &crate::tenancy::Scope,
    invoice_id: uuid::Uuid,
) -> Result<(String, String), super::BillingError> {
    let p = load(db, scope, invoice_id).await?;
    Ok((
        format!("facture-{}-cii.xml", p.invoice.number),
        super::cii::render(&p.invoice, &p.supplier, p.seller.as_ref(), &p.customer),
    ))
}

/// The intercommunality's identity as seller. A commune reading its own invoice may not read
/// the organisation's tenant; the seller's SIRET and account are printed on every invoice it
/// receives anyway, so they are read in a transaction of the organisation's scope, alone.
pub(crate) async fn seller_identity(
    db: &sea_orm::DatabaseConnection,
    organisation_id: uuid::Uuid,
) -> Result<Option<billing_identity::Model>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let org_scope = crate::tenancy::Scope::worker_for_organisation(
        crate::tenancy::Permission::ReadCosts,
        organisation_id,
    );
    let txn = org_scope.begin(db).await?;
    let found = match org_scope.organisation_tenant(&txn, organisation_id).await? {
        Ok(t) => {
            org_scope
                .find::<billing_identity::Entity>()
                .filter(billing_identity::Column::TenantId.eq(t.id))
                .one(&txn)
                .await?
        }
        Err(_) => None,
    };
    txn.commit().await?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use quick_xml::events::Event;
    use serde_json::json;
    use uuid::Uuid;

    fn invoice(lines: &[i64]) -> billing_invoice::Model {
        billing_invoice::Model {
            id: Uuid::now_v7(),
            organisation_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            billing_run_id: Uuid::nil(),
            number: "2026-000-00001".into(),
            amount_cents: lines.iter().sum(),
            status: "open".into(),
            lines: json!(lines.iter().map(|c| json!({"id": Uuid::now_v7(), "label": "Licences & <logiciels>",
                "amountCents": c, "explanation": "au prorata", "periodStart": "2026-01-01", "periodEnd": "2026-12-31"})).collect::<Vec<_>>()),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
            due_on: NaiveDate::from_ymd_opt(2026, 12, 24).expect("date"),
            stripe_invoice_id: None,
            channel: "chorus_pro".into(),
            buyer_siret: Some("21600159400014".into()),
            service_code: Some("SERV-INFO".into()),
            commitment_number: Some("EJ 2026-42".into()),
            corrects_number: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn parties() -> (organisation::Model, tenant::Model) {
        (
            organisation::Model {
                id: Uuid::nil(),
                siren: "200067965".into(),
                name: "CA de la Région de Compiègne".into(),
                kind: "CA".into(),
                created_at: Utc::now(),
            },
            tenant::Model {
                id: Uuid::nil(),
                organisation_id: Uuid::nil(),
                kind: "commune".into(),
                insee_code: Some("60159".into()),
                siren: "216001594".into(),
                name: "Compiègne".into(),
                population: 40_000,
                audit_head_seq: 0,
                audit_head_hash: String::new(),
                created_at: Utc::now(),
            },
        )
    }

    /// Every element's text, by local name, in document order.
    fn texts(xml: &str) -> Vec<(String, String)> {
        let mut r = quick_xml::Reader::from_str(xml);
        let mut out: Vec<(String, String)> = vec![];
        let mut open: Vec<usize> = vec![];
        loop {
            match r.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    let name = e.name().as_ref().to_owned();
                    let local = name.rsplit(':').next().unwrap_or_default().to_owned();
                    open.push(out.len());
                    out.push((local, String::new()));
                }
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(t) => {
                    let text = t.into_inner();
                    let text = quick_xml::escape::unescape(&text)
                        .expect("entities")
                        .into_owned();
                    if let Some(i) = open.last() {
                        out[*i].1.push_str(&text);
                    }
                }
                Event::GeneralRef(e) => {
                    let name = e.into_inner();
                    let text = quick_xml::escape::unescape(&format!("&{name};"))
                        .expect("entity")
                        .into_owned();
                    if let Some(i) = open.last() {
                        out[*i].1.push_str(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(open.is_empty(), "unclosed elements");
        out.into_iter()
            .map(|(k, v)| (k, v.trim().to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    #[test]
    fn billing_ubl_invoice_adds_up_and_escapes() {
        let (o, t) = parties();
        let (name, xml) = render(&invoice(&[120_050, -20_000, 3]), &o, None, &t);
        assert_eq!(name, "facture-2026-000-00001.xml");
        assert!(xml
            .contains("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\""));
        let v = texts(&xml);
        let get = |k: &str| {
            v.iter()
                .filter(|(n, _)| n == k)
                .map(|(_, x)| x.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("InvoiceTypeCode"), ["380"]);
        assert_eq!(get("PayableAmount"), ["1000.53"]);
        let lines: Vec<String> = get("LineExtensionAmount");
        // The document total, then each line: the lines add up to it.
        assert_eq!(lines, ["1000.53", "1200.50", "-200.00", "0.03"]);
        assert_eq!(get("InvoicedQuantity"), ["1", "-1", "1"]);
        assert!(
            get("PriceAmount").iter().all(|p| !p.starts_with('-')),
            "BR-27"
        );
        assert_eq!(get("Name")[2], "Licences & <logiciels>");
        assert_eq!(get("DueDate"), ["2026-12-24"]);
        // The buyer by its SIRET, the service code and the commitment where Chorus Pro reads
        // them; the seller, with no identity recorded, by its SIREN.
        assert!(xml.contains("<cbc:EndpointID schemeID=\"0009\">21600159400014</cbc:EndpointID>"));
        assert!(xml.contains("<cbc:EndpointID schemeID=\"0002\">200067965</cbc:EndpointID>"));
        assert_eq!(get("BuyerReference"), ["SERV-INFO"]);
        assert!(
            xml.contains("<cac:OrderReference><cbc:ID>EJ 2026-42</cbc:ID></cac:OrderReference>")
        );
        assert_eq!(get("PaymentMeansCode"), ["1"]);
        // The exemption is stated once, in the breakdown.
        assert_eq!(get("TaxExemptionReasonCode"), ["VATEX-EU-O"]);
    }

    #[test]
    fn billing_ubl_pays_to_the_public_accountant_account() {
        let (o, t) = parties();
        let seller = billing_identity::Model {
            id: Uuid::nil(),
            organisation_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            siret: Some("20006796500011".into()),
            service_code: None,
            service_code_required: false,
            commitment_number: None,
            commitment_required: false,
            channel: "chorus_pro".into(),
            iban: Some("FR7630001007941234567890185".into()),
            bic: Some("BDFEFRPPCCT".into()),
            agreement_reference: None,
            budget_account: None,
            updated_by: String::new(),
            updated_at: Utc::now(),
        };
        let (_, xml) = render(&invoice(&[10_000]), &o, Some(&seller), &t);
        let v = texts(&xml);
        let get = |k: &str| {
            v.iter()
                .filter(|(n, _)| n == k)
                .map(|(_, x)| x.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("PaymentMeansCode"), ["30"]);
        assert_eq!(get("PaymentID"), ["2026-000-00001"]);
        assert!(get("ID").contains(&"FR7630001007941234567890185".to_owned()));
        assert!(xml.contains("<cbc:EndpointID schemeID=\"0009\">20006796500011</cbc:EndpointID>"));
    }

    #[test]
    fn billing_ubl_negative_total_is_a_credit_note() {
        let (o, t) = parties();
        let (_, xml) = render(&invoice(&[-5_000, 1_000]), &o, None, &t);
        let v = texts(&xml);
        let get = |k: &str| {
            v.iter()
                .filter(|(n, _)| n == k)
                .map(|(_, x)| x.clone())
                .collect::<Vec<_>>()
        };
        assert!(xml.contains("<CreditNote xmlns"));
        assert_eq!(get("CreditNoteTypeCode"), ["381"]);
        assert_eq!(get("PayableAmount"), ["40.00"]);
        assert_eq!(get("CreditedQuantity"), ["1", "-1"]);
        assert!(get("DueDate").is_empty());
        // No BillingReference without an invoice to correct; with one, its number.
        assert!(!xml.contains("BillingReference"));
        let mut inv = invoice(&[-5_000]);
        inv.corrects_number = Some("2026-000-00007".into());
        let (_, xml) = render(&inv, &o, None, &t);
        assert!(xml.contains(
            "<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>2026-000-00007</cbc:ID>"
        ));
    }
}
