//! `StripeGateway` with async-stripe: its typed request builders, its client (auth,
//! idempotency keys, retries), and small response types that read only what billing needs, so
//! an API-version difference in fields we do not use cannot break billing.
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_billing::invoice::ListInvoice;
use stripe_billing::invoice_item::{CreateInvoiceItem, ListInvoiceItem};
use stripe_client_core::{RequestBuilder, StripeMethod};
use stripe_core::customer::{CreateCustomer, ListCustomer};
use tenants::billing::gateway::{GatewayError, Item, StripeGateway, StripeInvoice};
use uuid::Uuid;

#[derive(miniserde::Deserialize, Debug)]
struct Obj {
    id: String,
    status: Option<String>,
    description: Option<String>,
    invoice: Option<String>,
    metadata: Option<BTreeMap<String, String>>,
}

#[derive(miniserde::Deserialize, Debug)]
struct List {
    data: Vec<Obj>,
    has_more: bool,
}

fn err(e: impl std::fmt::Display) -> GatewayError {
    GatewayError(e.to_string())
}

fn key(k: String) -> Result<RequestStrategy, GatewayError> {
    Ok(RequestStrategy::Idempotent(
        IdempotencyKey::new(k).map_err(err)?,
    ))
}

pub struct AsyncStripe {
    client: Client,
}

impl AsyncStripe {
    /// `base`: Stripe's API (None) or a compatible server such as localstripe.
    pub fn new(secret_key: &str, base: Option<&str>) -> Result<Self, GatewayError> {
        let mut b = ClientBuilder::new(secret_key);
        if let Some(url) = base {
            b = b.url(url);
        }
        Ok(Self {
            client: b.build().map_err(err)?,
        })
    }

    async fn all(
        &self,
        mut page: impl FnMut(Option<String>) -> RequestBuilder,
    ) -> Result<Vec<Obj>, GatewayError> {
        let mut out = vec![];
        let mut after = None;
        loop {
            let l: List = page(after.take())
                .customize::<List>()
                .send(&self.client)
                .await
                .map_err(err)?;
            let more = l.has_more;
            after = l.data.last().map(|o| o.id.clone());
            out.extend(l.data);
            if !more || after.is_none() {
                return Ok(out);
            }
        }
    }
}

fn meta(o: &Obj, k: &str) -> Option<String> {
    o.metadata.as_ref().and_then(|m| m.get(k).cloned())
}

#[derive(Serialize)]
struct InvoiceForm<'a> {
    customer: &'a str,
    description: &'a str,
    pending_invoice_items_behavior: &'a str,
    metadata: BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
struct PlanForm<'a> {
    amount: i64,
    currency: &'a str,
    interval: &'a str,
    product: PlanProduct<'a>,
    metadata: BTreeMap<&'a str, String>,
}

#[derive(Serialize)]
struct PlanProduct<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct SubscriptionForm<'a> {
    customer: &'a str,
    items: Vec<SubscriptionItem<'a>>,
}

#[derive(Serialize)]
struct SubscriptionItem<'a> {
    plan: &'a str,
}

#[derive(Serialize)]
struct BankTransferForm<'a> {
    collection_method: &'a str,
    days_until_due: i64,
    payment_settings: PaymentSettings<'a>,
}

#[derive(Serialize)]
struct PaymentSettings<'a> {
    payment_method_types: Vec<&'a str>,
}

#[derive(Serialize)]
struct ByCustomer<'a> {
    customer: &'a str,
    limit: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<String>,
}

#[derive(Serialize)]
struct Page {
    limit: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    starting_after: Option<String>,
}

impl StripeGateway for AsyncStripe {
    async fn find_customers(
        &self,
        tenant_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, String>, GatewayError> {
        // localstripe has no search and filters customers by email only: one listing, all
        // pages, read once for every commune asked about.
        let all = self
            .all(|after| {
                let mut l = ListCustomer::new().limit(100);
                if let Some(a) = after {
                    l = l.starting_after(a);
                }
                l.build()
            })
            .await?;
        let mut found = HashMap::new();
        for c in all {
            let tenant = meta(&c, "mutualis_tenant").and_then(|t| Uuid::parse_str(&t).ok());
            if let Some(t) = tenant.filter(|t| tenant_ids.contains(t)) {
                // The first listed, as the one-commune lookup took.
                found.entry(t).or_insert(c.id);
            }
        }
        Ok(found)
    }

    async fn create_customer(
        &self,
        tenant_id: Uuid,
        name: &str,
        siren: &str,
    ) -> Result<String, GatewayError> {
        let c: Obj = CreateCustomer::new()
            .name(name)
            .description(format!("SIREN {siren}"))
            .metadata(HashMap::from([
                ("mutualis_tenant".to_owned(), tenant_id.to_string()),
                ("siren".to_owned(), siren.to_owned()),
            ]))
            .build()
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-customer-{tenant_id}"))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        Ok(c.id)
    }

    async fn ensure_membership(
        &self,
        customer: &str,
        organisation_id: Uuid,
        organisation_name: &str,
    ) -> Result<(), GatewayError> {
        let subs = self
            .all(|after| {
                RequestBuilder::new(StripeMethod::Get, "/subscriptions").query(&ByCustomer {
                    customer,
                    limit: 100,
                    starting_after: after,
                })
            })
            .await?;
        if !subs.is_empty() {
            return Ok(());
        }
        let org = organisation_id.to_string();
        let plans = self
            .all(|after| {
                RequestBuilder::new(StripeMethod::Get, "/plans").query(&Page {
                    limit: 100,
                    starting_after: after,
                })
            })
            .await?;
        let plan = match plans
            .into_iter()
            .find(|p| meta(p, "mutualis_organisation").as_deref() == Some(org.as_str()))
        {
            Some(p) => p.id,
            None => {
                let name = format!("Service commun — {organisation_name}");
                let p: Obj = RequestBuilder::new(StripeMethod::Post, "/plans")
                    .form(&PlanForm {
                        amount: 0,
                        currency: "eur",
                        interval: "year",
                        product: PlanProduct { name: &name },
                        metadata: BTreeMap::from([("mutualis_organisation", org.clone())]),
                    })
                    .customize::<Obj>()
                    .request_strategy(key(format!("mutualis-plan-{org}"))?)
                    .send(&self.client)
                    .await
                    .map_err(err)?;
                p.id
            }
        };
        let _: Obj = RequestBuilder::new(StripeMethod::Post, "/subscriptions")
            .form(&SubscriptionForm {
                customer,
                items: vec![SubscriptionItem { plan: &plan }],
            })
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-membership-{customer}"))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn pending_lines(&self, customer: &str) -> Result<Vec<Uuid>, GatewayError> {
        let items = self
            .all(|after| {
                let mut l = ListInvoiceItem::new().customer(customer).limit(100);
                if let Some(a) = after {
                    l = l.starting_after(a);
                }
                l.build()
            })
            .await?;
        Ok(items
            .iter()
            .filter(|i| i.invoice.is_none())
            .filter_map(|i| meta(i, "mutualis_line").and_then(|l| Uuid::parse_str(&l).ok()))
            .collect())
    }

    async fn add_item(
        &self,
        customer: &str,
        invoice_number: &str,
        item: &Item,
    ) -> Result<(), GatewayError> {
        let _: Obj = CreateInvoiceItem::new()
            .customer(customer)
            .amount(item.amount_cents)
            .currency(stripe_types::Currency::EUR)
            .description(item.description.clone())
            .metadata(HashMap::from([
                ("mutualis_line".to_owned(), item.line_id.to_string()),
                ("mutualis_invoice".to_owned(), invoice_number.to_owned()),
            ]))
            .build()
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-item-{}", item.line_id))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn find_invoice(
        &self,
        customer: &str,
        description: &str,
    ) -> Result<Option<StripeInvoice>, GatewayError> {
        let all = self
            .all(|after| {
                let mut l = ListInvoice::new().customer(customer).limit(100);
                if let Some(a) = after {
                    l = l.starting_after(a);
                }
                l.build()
            })
            .await?;
        Ok(all
            .into_iter()
            .find(|i| i.description.as_deref() == Some(description))
            .map(|i| StripeInvoice {
                id: i.id,
                status: i.status.unwrap_or_default(),
            }))
    }

    async fn create_invoice(
        &self,
        customer: &str,
        description: &str,
        invoice_id: Uuid,
    ) -> Result<StripeInvoice, GatewayError> {
        let i: Obj = RequestBuilder::new(StripeMethod::Post, "/invoices")
            .form(&InvoiceForm {
                customer,
                description,
                pending_invoice_items_behavior: "include",
                metadata: BTreeMap::from([("mutualis_invoice", invoice_id.to_string())]),
            })
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-invoice-{invoice_id}"))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        Ok(StripeInvoice {
            id: i.id,
            status: i.status.unwrap_or_else(|| "draft".into()),
        })
    }

    // Not available in localstripe (no send_invoice collection, no /finalize, no /send): this
    // call is only made when MUTUALIS_STRIPE_SEND_INVOICES is on, never in the test suite.
    async fn send_for_bank_transfer(&self, invoice: &str) -> Result<StripeInvoice, GatewayError> {
        let path = format!("/invoices/{invoice}");
        let _: Obj = RequestBuilder::new(StripeMethod::Post, path.clone())
            .form(&BankTransferForm {
                collection_method: "send_invoice",
                days_until_due: tenants::billing::runs::PAYMENT_DAYS,
                payment_settings: PaymentSettings {
                    payment_method_types: vec!["customer_balance"],
                },
            })
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-collect-{invoice}"))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        let _: Obj = RequestBuilder::new(StripeMethod::Post, format!("{path}/finalize"))
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-finalize-{invoice}"))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        let sent: Obj = RequestBuilder::new(StripeMethod::Post, format!("{path}/send"))
            .customize::<Obj>()
            .request_strategy(key(format!("mutualis-send-{invoice}"))?)
            .send(&self.client)
            .await
            .map_err(err)?;
        Ok(StripeInvoice {
            id: sent.id,
            status: sent.status.unwrap_or_else(|| "open".into()),
        })
    }
}
