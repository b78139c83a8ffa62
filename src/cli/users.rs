//! Accounts on the command line: add, list, disable, reset a password.

use super::{CliError, RoleArg, UserAction};
use crate::domain::accounts::NewPassword;
use crate::store::users::Role;
use crate::store::Store;

pub(super) fn user(store: &Store, action: UserAction) -> Result<(), CliError> {
    use crate::store::users;
    let mut c = store.conn()?;
    match action {
        UserAction::Add {
            email,
            role,
            orgs,
            person,
            password_stdin,
        } => {
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Governance => Role::Governance,
                RoleArg::Declarant => Role::Declarant,
                RoleArg::Auditor => Role::Auditor,
            };
            // Read and check the password before anything is created.
            let password = new_password(password_stdin)?;
            let (token, id) = add_user(&mut c, &email, role, &orgs, person.as_deref())?;
            users::set_password(&mut c, id, &password)?;
            println!(
                "created {} account {}",
                role.code(),
                email.trim().to_lowercase()
            );
            if !password_stdin {
                println!("password (shown once; keep it safe): {}", password.expose());
            }
            println!("API token (shown once; keep it safe): {token}");
            Ok(())
        }
        UserAction::List => {
            for a in users::list(&mut c)? {
                let orgs: Vec<String> = a
                    .orgs
                    .iter()
                    .map(|(org, person)| match person {
                        Some(p) => format!("{org} (person {p})"),
                        None => org.clone(),
                    })
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    a.email,
                    a.role,
                    if orgs.is_empty() {
                        "-".to_owned()
                    } else {
                        orgs.join(", ")
                    },
                    if a.disabled { "disabled" } else { "active" }
                );
            }
            Ok(())
        }
        UserAction::Disable { email } => {
            let email = normalised_email(&email)?;
            let id = users::id_by_email(&mut c, &email)?;
            users::disable(&mut c, id)?;
            println!("disabled {email}: its sessions and API tokens no longer work");
            Ok(())
        }
        UserAction::ResetPassword {
            email,
            password_stdin,
        } => {
            let email = normalised_email(&email)?;
            let id = users::id_by_email(&mut c, &email)?;
            let password = new_password(password_stdin)?;
            users::set_password(&mut c, id, &password)?;
            users::revoke_sessions_of(&mut c, id)?;
            println!("set a new password for {email}; its sessions have ended");
            if !password_stdin {
                println!("password (shown once; keep it safe): {}", password.expose());
            }
            Ok(())
        }
    }
}

fn normalised_email(raw: &str) -> Result<String, CliError> {
    crate::domain::accounts::Email::parse(raw)
        .map(|e| e.as_str().to_owned())
        .map_err(CliError::Usage)
}

/// The password for an account: read from standard input (one line), or generated.
fn new_password(from_stdin: bool) -> Result<NewPassword, CliError> {
    if !from_stdin {
        return Ok(generate_password()?);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
    let line = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    NewPassword::parse(line).map_err(CliError::Usage)
}

/// A strong random password: four groups of five characters from an alphabet without
/// look-alikes (about 99 bits).
pub fn generate_password() -> std::io::Result<NewPassword> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::with_capacity(23);
    let mut byte = [0u8; 1];
    while out.len() < 23 {
        if out.len() % 6 == 5 {
            out.push('-');
            continue;
        }
        getrandom::getrandom(&mut byte).map_err(|e| std::io::Error::other(e.to_string()))?;
        // Rejection sampling keeps every character equally likely.
        if usize::from(byte[0]) < 256 - 256 % ALPHABET.len() {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(NewPassword::parse(&out).expect("23 characters is a valid password"))
}

/// Create an account in the named organisations and issue its first token.
pub fn add_user(
    c: &mut crate::store::AnyConnection,
    email: &str,
    role: Role,
    orgs: &[String],
    person: Option<&str>,
) -> Result<(String, i64), CliError> {
    let email = normalised_email(email)?;
    if orgs.is_empty() && role != Role::Admin {
        return Err(CliError::Usage(
            "name the account's organisation with --org <slug>".into(),
        ));
    }
    if role == Role::Declarant && person.is_none() {
        return Err(CliError::Usage(
            "a declarant needs --person <slug>: the person they declare for".into(),
        ));
    }
    if role != Role::Declarant && person.is_some() {
        return Err(CliError::Usage(
            "only a declarant account is linked to a person (--person)".into(),
        ));
    }
    let mut memberships = Vec::new();
    for (i, slug) in orgs.iter().enumerate() {
        let org = crate::store::orgs::by_slug(c, slug)?;
        let person_id = match (i, person) {
            (0, Some(p)) => Some(crate::store::people::by_slug(c, org.id, p)?.id),
            _ => None,
        };
        memberships.push((org.id, person_id));
    }
    let id = crate::store::users::create(c, &email, role, &memberships)?;
    Ok((crate::store::users::issue_token(c, id)?, id))
}
