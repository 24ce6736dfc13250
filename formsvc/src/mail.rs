//! Composes emails from the theme's templates (`email/<kind>.txt` and `email/<kind>.html`), in
//! Indonesian, with links built from the configured base URL. Sending is the outbox's job.

use minijinja::{Value, context};

use crate::error::Result;
use crate::outbox::NewMail;
use crate::web::App;

impl App {
    /// Renders the email `kind` for `to`, with `ctx` and the site settings.
    pub fn compose(
        &self,
        kind: &'static str,
        to: &str,
        subject: String,
        instansi: Option<&str>,
        ctx: Value,
    ) -> Result<NewMail> {
        let ctx = context! {
            site => &self.content.situs,
            subjek => &subject,
            beranda_url => self.link("/"),
            ..ctx
        };
        let text = self.theme.render(&format!("email/{kind}.txt"), ctx.clone())?;
        let html = self.theme.render(&format!("email/{kind}.html"), ctx)?;
        Ok(NewMail {
            kind,
            to: to.to_string(),
            subject,
            text,
            html,
            instansi: instansi.map(str::to_string),
        })
    }
}
