//! Accounts on PostgreSQL: sessions, sign-in lookups, emailed links and passwords.

use async_trait::async_trait;

use super::{Audit, PgStore, audit, enqueue, exec, known, row};
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::Accounts;

/// A token hash as a row's name in an error: a prefix is enough to find it, and the whole
/// hash stays out of the logs.
fn hash_prefix(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The table of a role's accounts.
fn table(role: Role) -> &'static str {
    match role {
        Role::Applicant => "applicants",
        Role::Officer => "officers",
    }
}

#[async_trait]
impl Accounts for PgStore {
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let c = self.client().await?;
        let Some(r) = row(
            &c,
            "SELECT kind, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = $1",
            &[&token_hash],
        )
        .await?
        else {
            return Ok(None);
        };
        let kind: &str = r.try_get(0)?;
        Ok(Some(SessionRecord {
            role: known(Role::parse(kind), "sessions", hash_prefix(token_hash), "kind")?,
            user_id: r.try_get(1)?,
            created_at: r.try_get(2)?,
            last_seen_at: r.try_get(3)?,
        }))
    }

    async fn touch_session(&self, token_hash: &str, now: i64) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        exec(
            &tx,
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
            &[&token_hash, &now],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        exec(&tx, "DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn start_session(
        &self,
        token_hash: &str,
        role: Role,
        user_id: i64,
        now: i64,
        replaces: Option<&str>,
    ) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // The last sign-in, for `sicantik officer list`; and an officer disabled since the
        // password was checked gets no session (the row lock orders this after the disable).
        if role == Role::Officer
            && exec(
                &tx,
                "UPDATE officers SET last_login_at = $2 WHERE id = $1 AND disabled_at IS NULL",
                &[&user_id, &now],
            )
            .await?
                == 0
        {
            return Err(Error::Forbidden);
        }
        if let Some(old) = replaces {
            exec(&tx, "DELETE FROM sessions WHERE token_hash = $1", &[&old]).await?;
        }
        exec(
            &tx,
            "INSERT INTO sessions (token_hash, kind, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
            &[&token_hash, &role.as_str(), &user_id, &now],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn login_account(&self, role: Role, login: &str) -> Result<Option<LoginAccount>> {
        let sql = match role {
            // At most one: a username has no '@', and active emails are unique.
            Role::Applicant => {
                "SELECT id, password_hash FROM applicants WHERE status = 'aktif' AND (username = $1 OR lower(email) = $1)"
            }
            // Officers' emails are not unique: the oldest account answers.
            Role::Officer => {
                "SELECT id, password_hash FROM officers WHERE (username = $1 OR lower(email) = $1) AND disabled_at IS NULL
                 ORDER BY id LIMIT 1"
            }
        };
        let c = self.client().await?;
        let found = row(&c, sql, &[&login]).await?;
        found
            .map(|r| {
                Ok(LoginAccount {
                    id: r.try_get(0)?,
                    password_hash: r.try_get(1)?,
                })
            })
            .transpose()
    }

    async fn valid_link(&self, token_hash: &str, now: i64) -> Result<Option<LinkRecord>> {
        let c = self.client().await?;
        let Some(r) = row(
            &c,
            "SELECT purpose, subject_kind, subject_id FROM link_tokens
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            &[&token_hash, &now],
        )
        .await?
        else {
            return Ok(None);
        };
        let id = hash_prefix(token_hash);
        Ok(Some(LinkRecord {
            purpose: known(LinkPurpose::parse(r.try_get(0)?), "link_tokens", id, "purpose")?,
            role: known(Role::parse(r.try_get(1)?), "link_tokens", id, "subject_kind")?,
            subject_id: r.try_get(2)?,
        }))
    }

    async fn account_names(&self, role: Role, id: i64) -> Result<Option<AccountNames>> {
        let sql = match role {
            Role::Applicant => "SELECT username, email, nama, instansi FROM applicants WHERE id = $1",
            Role::Officer => "SELECT username, email, nama, instansi FROM officers WHERE id = $1",
        };
        let c = self.client().await?;
        let found = row(&c, sql, &[&id]).await?;
        found
            .map(|r| {
                Ok(AccountNames {
                    username: r.try_get(0)?,
                    email: r.try_get(1)?,
                    nama: r.try_get(2)?,
                    instansi: r.try_get(3)?,
                })
            })
            .transpose()
    }

    async fn set_password(
        &self,
        token_hash: &str,
        role: Role,
        id: i64,
        password_hash: &str,
        notice: NewMail,
        now: i64,
    ) -> Result<bool> {
        let update = match role {
            Role::Applicant => "UPDATE applicants SET password_hash = $2 WHERE id = $1 RETURNING instansi, username",
            Role::Officer => "UPDATE officers SET password_hash = $2 WHERE id = $1 RETURNING instansi, username",
        };
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Spend the link first: of two racing submits, the second waits for the first's row
        // lock, then finds it spent.
        let spent = exec(
            &tx,
            "UPDATE link_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
            &[&token_hash, &now],
        )
        .await?;
        if spent == 0 {
            return Ok(false);
        }
        // Every other open link of the account (older resets, an unused approval link) would
        // set the password again: spent with this one.
        exec(
            &tx,
            "UPDATE link_tokens SET used_at = $3 WHERE subject_kind = $1 AND subject_id = $2 AND used_at IS NULL",
            &[&role.as_str(), &id, &now],
        )
        .await?;
        let Some(account) = row(&tx, update, &[&id, &password_hash]).await? else {
            tracing::error!(table = table(role), id, "a valid link names no account");
            return Err(Error::NotFound);
        };
        let (instansi, username): (String, String) = (account.try_get(0)?, account.try_get(1)?);
        // Whoever held a session before the password changed holds it no longer.
        exec(
            &tx,
            "DELETE FROM sessions WHERE kind = $1 AND user_id = $2",
            &[&role.as_str(), &id],
        )
        .await?;
        audit(
            &tx,
            now,
            Audit {
                instansi: &instansi,
                actor_kind: role.as_str(),
                actor_id: Some(id),
                actor_label: &username,
                action: "sandi_diatur",
                target: &username,
                detail: None,
            },
        )
        .await?;
        enqueue(&tx, std::slice::from_ref(&notice), &self.message_domain).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn active_applicant(&self, login: &str) -> Result<Option<(i64, AccountNames)>> {
        let c = self.client().await?;
        let found = row(
            &c,
            "SELECT id, username, email, nama, instansi FROM applicants
             WHERE status = 'aktif' AND (username = $1 OR lower(email) = $1)",
            &[&login],
        )
        .await?;
        found
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    AccountNames {
                        username: r.try_get(1)?,
                        email: r.try_get(2)?,
                        nama: r.try_get(3)?,
                        instansi: r.try_get(4)?,
                    },
                ))
            })
            .transpose()
    }

    async fn issue_reset_link(&self, applicant_id: i64, link: NewLink, mail: NewMail, now: i64) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let Some(account) = row(
            &tx,
            "SELECT instansi, username FROM applicants WHERE id = $1",
            &[&applicant_id],
        )
        .await?
        else {
            return Err(Error::NotFound);
        };
        let (instansi, username): (String, String) = (account.try_get(0)?, account.try_get(1)?);
        // Only the newest link works: the one in the latest email.
        exec(
            &tx,
            "UPDATE link_tokens SET used_at = $2 WHERE subject_kind = 'pemohon' AND subject_id = $1 AND used_at IS NULL",
            &[&applicant_id, &now],
        )
        .await?;
        exec(
            &tx,
            "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
             VALUES ($1, $2, 'pemohon', $3, $4, $5)",
            &[
                &link.token_hash,
                &link.purpose.as_str(),
                &applicant_id,
                &now,
                &link.expires_at,
            ],
        )
        .await?;
        enqueue(&tx, std::slice::from_ref(&mail), &self.message_domain).await?;
        audit(
            &tx,
            now,
            Audit {
                instansi: &instansi,
                actor_kind: "pemohon",
                actor_id: Some(applicant_id),
                actor_label: &username,
                action: "sandi_direset",
                target: &username,
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
