//! Accounts, sessions and emailed links on SQLite.

use async_trait::async_trait;
use rusqlite::params;

use super::{SqliteStore, audit, enqueue, optional};
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::{Accounts, corrupt};

fn table(role: Role) -> &'static str {
    match role {
        Role::Applicant => "applicants",
        Role::Officer => "officers",
    }
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let h = token_hash.to_string();
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT kind, user_id, created_at, last_seen_at FROM sessions WHERE token_hash = ?1",
                    [h],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                        ))
                    },
                ))
            })
            .await?;
        row.map(|(kind, user_id, created_at, last_seen_at)| {
            Ok(SessionRecord {
                role: Role::parse(&kind).ok_or_else(|| corrupt("sessions", user_id, "kind"))?,
                user_id,
                created_at,
                last_seen_at,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, token_hash: &str, now: i64) -> Result<()> {
        let h = token_hash.to_string();
        self.db
            .write(move |tx| {
                tx.execute(
                    "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
                    params![h, now],
                )?;
                Ok(())
            })
            .await
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        let h = token_hash.to_string();
        self.db
            .write(move |tx| {
                tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [h])?;
                Ok(())
            })
            .await
    }

    async fn start_session(
        &self,
        token_hash: &str,
        role: Role,
        user_id: i64,
        now: i64,
        replaces: Option<&str>,
    ) -> Result<()> {
        let (h, old) = (token_hash.to_string(), replaces.map(str::to_string));
        self.db
            .write(move |tx| {
                // The last sign-in, for `sicantik officer list`; and an officer disabled since
                // the password was checked gets no session.
                if role == Role::Officer
                    && tx.execute(
                        "UPDATE officers SET last_login_at = ?2 WHERE id = ?1 AND disabled_at IS NULL",
                        params![user_id, now],
                    )? == 0
                {
                    return Err(Error::Forbidden);
                }
                if let Some(old) = old {
                    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [old])?;
                }
                tx.execute(
                    "INSERT INTO sessions (token_hash, kind, user_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                    params![h, role.as_str(), user_id, now],
                )?;
                Ok(())
            })
            .await
    }

    async fn login_account(&self, role: Role, login: &str) -> Result<Option<LoginAccount>> {
        let sql = match role {
            Role::Applicant => {
                "SELECT id, password_hash FROM applicants WHERE status = 'aktif' AND (username = ?1 OR lower(email) = ?1)"
            }
            Role::Officer => {
                "SELECT id, password_hash FROM officers WHERE (username = ?1 OR lower(email) = ?1) AND disabled_at IS NULL"
            }
        };
        let l = login.to_string();
        self.db
            .read(move |c| {
                optional(c.query_row(sql, [l], |r| {
                    Ok(LoginAccount {
                        id: r.get(0)?,
                        password_hash: r.get(1)?,
                    })
                }))
            })
            .await
    }

    async fn valid_link(&self, token_hash: &str, now: i64) -> Result<Option<LinkRecord>> {
        let h = token_hash.to_string();
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT purpose, subject_kind, subject_id FROM link_tokens
                     WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                    params![h, now],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
                ))
            })
            .await?;
        row.map(|(purpose, kind, id)| {
            Ok(LinkRecord {
                purpose: LinkPurpose::parse(&purpose).ok_or_else(|| corrupt("link_tokens", id, "purpose"))?,
                role: Role::parse(&kind).ok_or_else(|| corrupt("link_tokens", id, "subject_kind"))?,
                subject_id: id,
            })
        })
        .transpose()
    }

    async fn account_names(&self, role: Role, id: i64) -> Result<Option<AccountNames>> {
        let t = table(role);
        self.db
            .read(move |c| {
                optional(c.query_row(
                    &format!("SELECT username, email, nama, instansi FROM {t} WHERE id = ?1"),
                    [id],
                    |r| {
                        Ok(AccountNames {
                            username: r.get(0)?,
                            email: r.get(1)?,
                            nama: r.get(2)?,
                            instansi: r.get(3)?,
                        })
                    },
                ))
            })
            .await
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
        let (h, pw) = (token_hash.to_string(), password_hash.to_string());
        let domain = self.message_domain.clone();
        let t = table(role);
        self.db
            .write(move |tx| {
                // Spend the token first: of two racing submits, only one sets the password.
                let spent = tx.execute(
                    "UPDATE link_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
                    params![h, now],
                )?;
                if spent == 0 {
                    return Ok(false);
                }
                // Every other open link of the account (older resets, an unused approval link)
                // would set the password again: spent with this one.
                tx.execute(
                    "UPDATE link_tokens SET used_at = ?3 WHERE subject_kind = ?1 AND subject_id = ?2 AND used_at IS NULL",
                    params![role.as_str(), id, now],
                )?;
                tx.execute(
                    &format!("UPDATE {t} SET password_hash = ?2 WHERE id = ?1"),
                    params![id, pw],
                )?;
                // Whoever held a session before the password changed holds it no longer.
                tx.execute(
                    "DELETE FROM sessions WHERE kind = ?1 AND user_id = ?2",
                    params![role.as_str(), id],
                )?;
                let (instansi, username): (String, String) = tx.query_row(
                    &format!("SELECT instansi, username FROM {t} WHERE id = ?1"),
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let line = NewAudit {
                    instansi,
                    actor: Actor {
                        kind: role.as_str(),
                        id: Some(id),
                        label: username.clone(),
                    },
                    action: "sandi_diatur",
                    target: username,
                    detail: None,
                };
                audit(tx, &line, now)?;
                enqueue(tx, &notice, &domain)?;
                Ok(true)
            })
            .await
    }

    async fn active_applicant(&self, login: &str) -> Result<Option<(i64, AccountNames)>> {
        let l = login.to_string();
        self.db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT id, username, email, nama, instansi FROM applicants
                     WHERE status = 'aktif' AND (username = ?1 OR lower(email) = ?1)",
                    [l],
                    |r| {
                        Ok((
                            r.get(0)?,
                            AccountNames {
                                username: r.get(1)?,
                                email: r.get(2)?,
                                nama: r.get(3)?,
                                instansi: r.get(4)?,
                            },
                        ))
                    },
                ))
            })
            .await
    }

    async fn issue_reset_link(&self, applicant_id: i64, link: NewLink, mail: NewMail, now: i64) -> Result<()> {
        let domain = self.message_domain.clone();
        self.db
            .write(move |tx| {
                // Only the newest link works: the one in the latest email.
                tx.execute(
                    "UPDATE link_tokens SET used_at = ?2 WHERE subject_kind = 'pemohon' AND subject_id = ?1 AND used_at IS NULL",
                    params![applicant_id, now],
                )?;
                tx.execute(
                    "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                     VALUES (?1, ?2, 'pemohon', ?3, ?4, ?5)",
                    params![
                        link.token_hash,
                        link.purpose.as_str(),
                        applicant_id,
                        now,
                        link.expires_at
                    ],
                )?;
                enqueue(tx, &mail, &domain)?;
                let (instansi, username): (String, String) = tx.query_row(
                    "SELECT instansi, username FROM applicants WHERE id = ?1",
                    [applicant_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let line = NewAudit {
                    instansi,
                    actor: Actor {
                        kind: "pemohon",
                        id: Some(applicant_id),
                        label: username.clone(),
                    },
                    action: "sandi_direset",
                    target: username,
                    detail: None,
                };
                audit(tx, &line, now)
            })
            .await
    }
}
