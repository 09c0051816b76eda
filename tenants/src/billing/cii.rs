//! The same invoice in UN/CEFACT Cross Industry Invoice (CII D16B, EN 16931 profile): the XML
//! a Factur-X PDF carries, and a syntax Chorus Pro accepts too. Same content as the UBL file
//! (`ubl.rs`): identifiers, service code, commitment, account, VAT outside scope stated once.
use super::ubl::{amount, esc, lines};
use crate::entities::{billing_identity, billing_invoice, organisation, tenant};
use chrono::NaiveDate;

fn date(d: NaiveDate) -> String {
    format!(
        "<udt:DateTimeString format=\"102\">{}</udt:DateTimeString>",
        d.format("%Y%m%d")
    )
}

/// A trade party: its name, its SIREN as legal registration, its SIRET (scheme 0009) as
/// electronic address when recorded, else the SIREN (0002).
fn party(tag: &str, siren: &str, siret: Option<&str>, name: &str) -> String {
    let (scheme, id) = super::ubl::endpoint(siren, siret);
    format!(
        "<ram:{tag}><ram:Name>{n}</ram:Name><ram:SpecifiedLegalOrganization><ram:ID schemeID=\"0002\">{s}</ram:ID></ram:SpecifiedLegalOrganization><ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress><ram:URIUniversalCommunication><ram:URIID schemeID=\"{scheme}\">{i}</ram:URIID></ram:URIUniversalCommunication></ram:{tag}>",
        n = esc(name),
        s = esc(siren),
        i = esc(id),
    )
}

/// The CII document of one invoice.
pub fn render(
    inv: &billing_invoice::Model,
    supplier: &organisation::Model,
    seller: Option<&billing_identity::Model>,
    customer: &tenant::Model,
) -> String {
    let credit = inv.amount_cents < 0;
    let sign = if credit { -1 } else { 1 };
    let ls = lines(inv);
    let total = amount(inv.amount_cents * sign);
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.push_str("<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\" xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\" xmlns:udt=\"urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100\" xmlns:qdt=\"urn:un:unece:uncefact:data:standard:QualifiedDataType:100\">\n");
    o.push_str("<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>\n");
    o.push_str(&format!(
        "<rsm:ExchangedDocument><ram:ID>{}</ram:ID><ram:TypeCode>{}</ram:TypeCode><ram:IssueDateTime>{}</ram:IssueDateTime><ram:IncludedNote><ram:Content>Remboursement du service commun numérique (coûts répartis entre les communes membres).</ram:Content></ram:IncludedNote></rsm:ExchangedDocument>\n",
        esc(&inv.number),
        if credit { "381" } else { "380" },
        date(inv.issued_on)
    ));
    o.push_str("<rsm:SupplyChainTradeTransaction>\n");
    for (i, l) in ls.iter().enumerate() {
        let signed = l.cents * sign;
        // A price is never negative (BR-27): a line against the document's sign is a quantity
        // of -1.
        let (qty, price) = if signed < 0 {
            ("-1", amount(-signed))
        } else {
            ("1", amount(signed))
        };
        let period = match (l.start, l.end) {
            (Some(s), Some(e)) => format!(
                "<ram:BillingSpecifiedPeriod><ram:StartDateTime>{}</ram:StartDateTime><ram:EndDateTime>{}</ram:EndDateTime></ram:BillingSpecifiedPeriod>",
                date(s),
                date(e)
            ),
            _ => String::new(),
        };
        o.push_str(&format!(
            "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{n}</ram:LineID></ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:Name>{name}</ram:Name><ram:Description>{d}</ram:Description></ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{price}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"C62\">{qty}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>O</ram:CategoryCode></ram:ApplicableTradeTax>{period}<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{a}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>\n",
            n = i + 1,
            name = esc(&l.label),
            d = esc(&l.explanation),
            a = amount(signed),
        ));
    }
    o.push_str("<ram:ApplicableHeaderTradeAgreement>");
    if let Some(code) = &inv.service_code {
        o.push_str(&format!(
            "<ram:BuyerReference>{}</ram:BuyerReference>",
            esc(code)
        ));
    }
    o.push_str(&party(
        "SellerTradeParty",
        &supplier.siren,
        seller.and_then(|s| s.siret.as_deref()),
        &supplier.name,
    ));
    o.push_str(&party(
        "BuyerTradeParty",
        &customer.siren,
        inv.buyer_siret.as_deref(),
        &customer.name,
    ));
    if let Some(c) = &inv.commitment_number {
        o.push_str(&format!(
            "<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>",
            esc(c)
        ));
    }
    o.push_str("</ram:ApplicableHeaderTradeAgreement>\n<ram:ApplicableHeaderTradeDelivery/>\n");
    o.push_str(&format!(
        "<ram:ApplicableHeaderTradeSettlement><ram:PaymentReference>{}</ram:PaymentReference><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>",
        esc(&inv.number)
    ));
    match seller.and_then(|s| s.iban.as_deref()) {
        Some(iban) => {
            let bic = seller
                .and_then(|s| s.bic.as_deref())
                .map(|b| {
                    format!(
                        "<ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>{}</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>",
                        esc(b)
                    )
                })
                .unwrap_or_default();
            o.push_str(&format!(
                "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>{bic}</ram:SpecifiedTradeSettlementPaymentMeans>",
                esc(iban)
            ));
        }
        None => o.push_str(
            "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>1</ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans>",
        ),
    }
    o.push_str(&format!(
        "<ram:ApplicableTradeTax><ram:CalculatedAmount>0.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:ExemptionReason>Hors champ de la TVA : service commun entre personnes publiques (CGI art. 256 B)</ram:ExemptionReason><ram:BasisAmount>{total}</ram:BasisAmount><ram:CategoryCode>O</ram:CategoryCode><ram:ExemptionReasonCode>VATEX-EU-O</ram:ExemptionReasonCode></ram:ApplicableTradeTax>"
    ));
    if let (Some(s), Some(e)) = (
        ls.iter().filter_map(|l| l.start).min(),
        ls.iter().filter_map(|l| l.end).max(),
    ) {
        o.push_str(&format!(
            "<ram:BillingSpecifiedPeriod><ram:StartDateTime>{}</ram:StartDateTime><ram:EndDateTime>{}</ram:EndDateTime></ram:BillingSpecifiedPeriod>",
            date(s),
            date(e)
        ));
    }
    if !credit {
        o.push_str(&format!(
            "<ram:SpecifiedTradePaymentTerms><ram:Description>Paiement par virement sous {} jours</ram:Description><ram:DueDateDateTime>{}</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>",
            super::runs::PAYMENT_DAYS,
            date(inv.due_on)
        ));
    }
    o.push_str(&format!(
        "<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{total}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{total}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID=\"EUR\">0.00</ram:TaxTotalAmount><ram:GrandTotalAmount>{total}</ram:GrandTotalAmount><ram:DuePayableAmount>{total}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
    ));
    if let Some(n) = &inv.corrects_number {
        o.push_str(&format!(
            "<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>",
            esc(n)
        ));
    }
    o.push_str("</ram:ApplicableHeaderTradeSettlement>\n</rsm:SupplyChainTradeTransaction>\n</rsm:CrossIndustryInvoice>\n");
    o
}
