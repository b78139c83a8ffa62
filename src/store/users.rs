//! Accounts, their roles and organisations, and API bearer tokens (stored hashed).

use super::schema::{api_tokens, user_orgs, users};
use super::{AnyConnection, StoreError};
use crate::audit::sha256_hex;
use diesel::prelude::*;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Organisations and accounts; everything in every organisation.
    Admin,
    /// Enters and reviews every register of their organisations.
    Governance,
    /// Declares for the one person linked to the account.
    Declarant,
    /// Reads everything, including withheld entries; writes nothing.
    Auditor,
}

impl Role {
    pub const CODES: [&'static str; 4] = ["admin", "governance", "declarant", "auditor"];
    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::Governance,
            Role::Declarant,
            Role::Auditor,
        ]
        .into_iter()
        .find(|r| r.code() == s)
    }
}

/// A signed-in account, as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    /// (organisation id, linked person id) for each organisation the account belongs to.
    pub orgs: Vec<(i64, Option<i64>)>,
}

impl Principal {
    /// The identifier written as `actor` in audit entries.
    pub fn actor(&self) -> String {
        format!("user:{}", self.user_id)
    }
    /// Whether the account belongs to organisation `org_id` (admins belong everywhere).
    pub fn in_org(&self, org_id: i64) -> bool {
        self.role == Role::Admin || self.orgs.iter().any(|(o, _)| *o == org_id)
    }
    /// The person a declarant may declare for in `org_id`.
    pub fn person_in(&self, org_id: i64) -> Option<i64> {
        self.orgs
            .iter()
            .find(|(o, _)| *o == org_id)
            .and_then(|(_, p)| *p)
    }
}

/// Create an account in the given organisations; returns its id.
pub fn create(
    c: &mut AnyConnection,
    email: &str,
    role: Role,
    orgs: &[(i64, Option<i64>)],
) -> Result<i64, StoreError> {
    c.transaction(|c| {
        diesel::insert_into(users::table)
            .values((
                users::email.eq(email),
                users::role.eq(role.code()),
                users::disabled.eq(0),
                users::created_at.eq(super::now_rfc3339()),
            ))
            .execute(c)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => StoreError::Conflict(format!("an account for {email} already exists")),
                e => e.into(),
            })?;
        let id: i64 = users::table
            .filter(users::email.eq(email))
            .select(users::id)
            .first(c)?;
        for (org_id, person_id) in orgs {
            diesel::insert_into(user_orgs::table)
                .values((
                    user_orgs::user_id.eq(id),
                    user_orgs::organisation_id.eq(org_id),
                    user_orgs::person_id.eq(person_id),
                ))
                .execute(c)?;
        }
        Ok(id)
    })
}

/// Issue a new API token for an account. The token is returned once; only its hash is kept.
pub fn issue_token(c: &mut AnyConnection, user_id: i64) -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no randomness available: {e}")))?;
    let token = format!("coi_{}", hex::encode(bytes));
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_sha256.eq(sha256_hex(token.as_bytes())),
            api_tokens::user_id.eq(user_id),
            api_tokens::created_at.eq(super::now_rfc3339()),
            api_tokens::revoked.eq(0),
        ))
        .execute(c)?;
    Ok(token)
}

/// The account a bearer token belongs to, if the token is valid and the account enabled.
pub fn by_token(c: &mut AnyConnection, token: &str) -> Result<Option<Principal>, StoreError> {
    let hash = sha256_hex(token.as_bytes());
    let found: Option<(i64, String, String, i32)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_sha256.eq(hash))
        .filter(api_tokens::revoked.eq(0))
        .select((users::id, users::email, users::role, users::disabled))
        .first(c)
        .optional()?;
    let Some((user_id, email, role, disabled)) = found else {
        return Ok(None);
    };
    if disabled != 0 {
        return Ok(None);
    }
    let role = Role::parse(&role)
        .ok_or_else(|| StoreError::Corrupt(format!("account {user_id} has role {role:?}")))?;
    let orgs = user_orgs::table
        .filter(user_orgs::user_id.eq(user_id))
        .select((user_orgs::organisation_id, user_orgs::person_id))
        .load(c)?;
    Ok(Some(Principal {
        user_id,
        email,
        role,
        orgs,
    }))
}

/// Every account: (id, email, role, disabled).
pub fn list(c: &mut AnyConnection) -> Result<Vec<(i64, String, String, bool)>, StoreError> {
    let rows: Vec<(i64, String, String, i32)> = users::table
        .order(users::id)
        .select((users::id, users::email, users::role, users::disabled))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(i, e, r, d)| (i, e, r, d != 0))
        .collect())
}
