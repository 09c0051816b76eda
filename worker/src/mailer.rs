//! Alert emails through an SMTP server (`smtp://host:port` in the clear for a local relay,
//! `smtps://…` or `smtp://…?tls=required` otherwise), with lettre.
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        Ok(Self {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("SMTP URL: {e}"))?
                .build(),
            from: from.parse().map_err(|e| format!("sender {from:?}: {e}"))?,
        })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let sent = self.deliver(to, subject, body).await;
        let outcome = if sent.is_ok() { "sent" } else { "failed" };
        metrics::counter!("mutualis_worker_emails_total", "outcome" => outcome).increment(1);
        sent
    }

    async fn deliver(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let m = Message::builder()
            .from(self.from.clone())
            .to(to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(m)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}
