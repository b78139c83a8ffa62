//! Accounts, their roles and organisations, and the secrets that sign them in: API bearer
//! tokens and session ids (both kept only as SHA-256), passwords (kept only as Argon2id
//! PHC strings), and the failed sign-ins that throttle password guessing.

use super::schema::{
    api_tokens, audit_entries, declarations, gifts, organisations, people, sessions,
    sign_in_attempts, user_orgs, users,
};
use super::{AnyConnection, StoreError};
use crate::audit::sha256_hex;
use crate::domain::accounts::NewPassword;
use crate::domain::codes::coded;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use diesel::prelude::*;
use std::sync::OnceLock;

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

coded!(Role {
    Admin => "admin";
    Governance => "governance";
    Declarant => "declarant";
    Auditor => "auditor";
});

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

fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no randomness available: {e}")))?;
    Ok(bytes)
}

fn unique_email(email: &str) -> impl FnOnce(diesel::result::Error) -> StoreError + '_ {
    move |e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => StoreError::Conflict(format!("an account for {email} already exists")),
        e => e.into(),
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
            .map_err(unique_email(email))?;
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
    .and_then(|id| durable(c, id))
}

/// `value`, once what this connection committed is durable (see [`super::durable`]):
/// an account, a token or a password acknowledged, or a session or token revoked, stays
/// so after a power cut, as the registers' writes do. (A new session is not synced: if it
/// were lost, its holder would only be asked to sign in again.)
fn durable<T>(c: &mut AnyConnection, value: T) -> Result<T, StoreError> {
    super::durable::sync(c)?;
    Ok(value)
}

/// Issue a new API token for an account. The token is returned once; only its hash is kept.
pub fn issue_token(c: &mut AnyConnection, user_id: i64) -> Result<String, StoreError> {
    let token = format!("coi_{}", hex::encode(random::<32>()?));
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_sha256.eq(sha256_hex(token.as_bytes())),
            api_tokens::user_id.eq(user_id),
            api_tokens::created_at.eq(super::now_rfc3339()),
            api_tokens::revoked.eq(0),
        ))
        .execute(c)?;
    durable(c, token)
}

/// The principal of an enabled account (`None` if it is disabled or unknown).
fn principal(c: &mut AnyConnection, user_id: i64) -> Result<Option<Principal>, StoreError> {
    let found: Option<(String, String, i32)> = users::table
        .find(user_id)
        .select((users::email, users::role, users::disabled))
        .first(c)
        .optional()?;
    let Some((email, role, 0)) = found else {
        return Ok(None);
    };
    let role = Role::parse(&role)
        .ok_or_else(|| StoreError::Corrupt(format!("account {user_id} has role {role:?}")))?;
    let orgs = user_orgs::table
        .filter(user_orgs::user_id.eq(user_id))
        .order(user_orgs::organisation_id)
        .select((user_orgs::organisation_id, user_orgs::person_id))
        .load(c)?;
    Ok(Some(Principal {
        user_id,
        email,
        role,
        orgs,
    }))
}

/// The account a bearer token belongs to, if the token is valid and the account enabled.
pub fn by_token(c: &mut AnyConnection, token: &str) -> Result<Option<Principal>, StoreError> {
    let user_id: Option<i64> = api_tokens::table
        .filter(api_tokens::token_sha256.eq(sha256_hex(token.as_bytes())))
        .filter(api_tokens::revoked.eq(0))
        .select(api_tokens::user_id)
        .first(c)
        .optional()?;
    match user_id {
        Some(id) => principal(c, id),
        None => Ok(None),
    }
}

/// An account as the command line and the admin pages list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    /// The slugs of the account's organisations, with the linked person's slug if any.
    pub orgs: Vec<(String, Option<String>)>,
}

/// Every account, in the order they were created.
pub fn list(c: &mut AnyConnection) -> Result<Vec<Account>, StoreError> {
    let rows: Vec<(i64, String, String, i32)> = users::table
        .order(users::id)
        .select((users::id, users::email, users::role, users::disabled))
        .load(c)?;
    let memberships: Vec<(i64, String, Option<i64>, i64)> = user_orgs::table
        .inner_join(organisations::table.on(organisations::id.eq(user_orgs::organisation_id)))
        .order((user_orgs::user_id, organisations::slug))
        .select((
            user_orgs::user_id,
            organisations::slug,
            user_orgs::person_id,
            organisations::id,
        ))
        .load(c)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, email, role, disabled) in rows {
        let mut orgs = Vec::new();
        for (_, slug, person_id, org_id) in memberships.iter().filter(|m| m.0 == id) {
            let person = match person_id {
                Some(p) => people::table
                    .filter(people::organisation_id.eq(org_id))
                    .filter(people::id.eq(p))
                    .select(people::slug)
                    .first::<String>(c)
                    .optional()?,
                None => None,
            };
            orgs.push((slug.clone(), person));
        }
        out.push(Account {
            id,
            email,
            role,
            disabled: disabled != 0,
            orgs,
        });
    }
    Ok(out)
}

/// The emails of the accounts with these ids (audit actors `user:<id>`), as (id, email).
pub fn emails(c: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::email))
        .load(c)?)
}

/// The id of the account with this (normalised) email.
pub fn id_by_email(c: &mut AnyConnection, email: &str) -> Result<i64, StoreError> {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(c)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("account {email}")))
}

// ---------------------------------------------------------------------------------------
// Passwords.
// ---------------------------------------------------------------------------------------

/// Hash a password with Argon2id (the crate's default parameters) into a PHC string.
pub fn hash_password(password: &NewPassword) -> Result<String, StoreError> {
    let salt = SaltString::encode_b64(&random::<16>()?)
        .map_err(|e| StoreError::Corrupt(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("hashing a password: {e}")))
}

/// A hash no password matches, verified against when there is no account (or no
/// password), so that a sign-in takes as long whether or not the email is known.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let unguessable = hex::encode(random::<32>().unwrap_or([7; 32]));
        let password =
            NewPassword::parse(&unguessable).expect("64 hex digits are a valid password");
        hash_password(&password).unwrap_or_default()
    })
}

/// Compute the decoy hash ahead of the first sign-in, which would otherwise take longer
/// for an unknown email than for a known one.
pub fn prepare_decoy() {
    decoy_hash();
}

/// Whether `password` matches the stored PHC string. Always does the work of one
/// Argon2 verification, also when there is no stored hash.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (decoy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    real && matches
}

/// Set (or replace) an account's password.
pub fn set_password(
    c: &mut AnyConnection,
    user_id: i64,
    password: &NewPassword,
) -> Result<(), StoreError> {
    let phc = hash_password(password)?;
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(Some(phc)))
        .execute(c)?;
    durable(c, ())
}

/// What signing in needs to know of an account: (id, password hash, disabled).
pub fn sign_in_record(
    c: &mut AnyConnection,
    email: &str,
) -> Result<Option<(i64, Option<String>, bool)>, StoreError> {
    let row: Option<(i64, Option<String>, i32)> = users::table
        .filter(users::email.eq(email))
        .select((users::id, users::password_hash, users::disabled))
        .first(c)
        .optional()?;
    Ok(row.map(|(id, hash, disabled)| (id, hash, disabled != 0)))
}

/// Disable an account: its tokens and sessions stop working at once.
pub fn disable(c: &mut AnyConnection, user_id: i64) -> Result<(), StoreError> {
    c.transaction::<_, StoreError, _>(|c| {
        diesel::update(users::table.find(user_id))
            .set(users::disabled.eq(1))
            .execute(c)?;
        diesel::update(api_tokens::table.filter(api_tokens::user_id.eq(user_id)))
            .set(api_tokens::revoked.eq(1))
            .execute(c)?;
        diesel::update(sessions::table.filter(sessions::user_id.eq(user_id)))
            .set(sessions::revoked.eq(1))
            .execute(c)?;
        Ok(())
    })?;
    durable(c, ())
}

// ---------------------------------------------------------------------------------------
// Sessions.
// ---------------------------------------------------------------------------------------

/// A live session, as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub principal: Principal,
    /// The SHA-256 of the session id (the key of its row).
    pub id_sha256: String,
    /// The token every state-changing request of this session must carry.
    pub csrf_token: String,
}

/// Record a new session for `user_id`, identified by `id` (only its hash is kept),
/// lasting until `expires_at` (RFC 3339 UTC, as [`super::now_rfc3339`] writes it).
/// Returns the session's CSRF token.
pub fn start_session(
    c: &mut AnyConnection,
    user_id: i64,
    id: &str,
    expires_at: &str,
) -> Result<String, StoreError> {
    let csrf = hex::encode(random::<32>()?);
    diesel::insert_into(sessions::table)
        .values((
            sessions::id_sha256.eq(sha256_hex(id.as_bytes())),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(super::now_rfc3339()),
            sessions::expires_at.eq(expires_at),
            sessions::revoked.eq(0),
            sessions::csrf_token.eq(&csrf),
        ))
        .execute(c)?;
    Ok(csrf)
}

/// The session with id `id`, if it is neither revoked nor expired and its account enabled.
pub fn by_session(c: &mut AnyConnection, id: &str) -> Result<Option<Session>, StoreError> {
    let id_sha256 = sha256_hex(id.as_bytes());
    let found: Option<(i64, String)> = sessions::table
        .filter(sessions::id_sha256.eq(&id_sha256))
        .filter(sessions::revoked.eq(0))
        .filter(sessions::expires_at.gt(super::now_rfc3339()))
        .select((sessions::user_id, sessions::csrf_token))
        .first(c)
        .optional()?;
    let Some((user_id, csrf_token)) = found else {
        return Ok(None);
    };
    Ok(principal(c, user_id)?.map(|principal| Session {
        principal,
        id_sha256,
        csrf_token,
    }))
}

/// End a session (signing out): its cookie is refused from now on, wherever it was copied.
pub fn revoke_session(c: &mut AnyConnection, id_sha256: &str) -> Result<(), StoreError> {
    diesel::update(sessions::table.filter(sessions::id_sha256.eq(id_sha256)))
        .set(sessions::revoked.eq(1))
        .execute(c)?;
    // Sessions long expired are of no further use to anyone.
    let old = (chrono::Utc::now() - chrono::Duration::days(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    diesel::delete(sessions::table.filter(sessions::expires_at.lt(old))).execute(c)?;
    durable(c, ())
}

/// End every session of an account (after its password changed).
pub fn revoke_sessions_of(c: &mut AnyConnection, user_id: i64) -> Result<(), StoreError> {
    diesel::update(sessions::table.filter(sessions::user_id.eq(user_id)))
        .set(sessions::revoked.eq(1))
        .execute(c)?;
    durable(c, ())
}

// ---------------------------------------------------------------------------------------
// Throttling failed sign-ins.
// ---------------------------------------------------------------------------------------

/// The key sign-in attempts are counted under: never the email itself, so the table
/// does not collect what strangers typed.
fn attempt_key(email: &str) -> String {
    sha256_hex(format!("sign-in:{email}").as_bytes())
}

/// Record a sign-in attempt for `email` at `at` before checking its password (so
/// concurrent guesses count against each other), and return the times of the email's
/// other attempts since `since`. Attempts (of any email) before `since` are forgotten.
pub fn begin_attempt(
    c: &mut AnyConnection,
    email: &str,
    at: &str,
    since: &str,
) -> Result<Vec<String>, StoreError> {
    let key = attempt_key(email);
    diesel::delete(sign_in_attempts::table.filter(sign_in_attempts::at.lt(since))).execute(c)?;
    diesel::insert_into(sign_in_attempts::table)
        .values((
            sign_in_attempts::email_sha256.eq(&key),
            sign_in_attempts::at.eq(at),
        ))
        .execute(c)?;
    let mut others: Vec<String> = sign_in_attempts::table
        .filter(sign_in_attempts::email_sha256.eq(&key))
        .filter(sign_in_attempts::at.ge(since))
        .select(sign_in_attempts::at)
        .load(c)?;
    if let Some(mine) = others.iter().position(|a| a == at) {
        others.swap_remove(mine);
    }
    Ok(others)
}

/// Forget the attempt made at `at`: it was refused without checking the password, so
/// it is no failure.
pub fn forget_attempt(c: &mut AnyConnection, email: &str, at: &str) -> Result<(), StoreError> {
    diesel::delete(
        sign_in_attempts::table
            .filter(sign_in_attempts::email_sha256.eq(attempt_key(email)))
            .filter(sign_in_attempts::at.eq(at)),
    )
    .execute(c)?;
    Ok(())
}

/// A successful sign-in clears the email's failures.
pub fn clear_attempts(c: &mut AnyConnection, email: &str) -> Result<(), StoreError> {
    diesel::delete(
        sign_in_attempts::table.filter(sign_in_attempts::email_sha256.eq(attempt_key(email))),
    )
    .execute(c)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// What an account's home page shows.
// ---------------------------------------------------------------------------------------

/// The size of an organisation's registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCounts {
    pub people: i64,
    pub declarations: i64,
    pub gifts: i64,
    pub audit_entries: i64,
}

/// Count the current records of an organisation's registers.
pub fn org_counts(c: &mut AnyConnection, org_id: i64) -> Result<OrgCounts, StoreError> {
    Ok(OrgCounts {
        people: people::table
            .filter(people::organisation_id.eq(org_id))
            .count()
            .get_result(c)?,
        declarations: declarations::table
            .filter(declarations::organisation_id.eq(org_id))
            .filter(declarations::is_current.eq(1))
            .count()
            .get_result(c)?,
        gifts: gifts::table
            .filter(gifts::organisation_id.eq(org_id))
            .filter(gifts::is_current.eq(1))
            .count()
            .get_result(c)?,
        audit_entries: audit_entries::table
            .filter(audit_entries::organisation_id.eq(org_id))
            .count()
            .get_result(c)?,
    })
}
