//! Browser sessions: the key that signs their cookies (created on first start, kept in
//! the data directory), the session cookie itself, and the short-lived cookie that
//! carries the sign-in form's CSRF token before there is a session.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

/// The file in the data directory that holds the cookie-signing key (hex).
pub const KEY_FILE: &str = "session.key";

/// How long the sign-in form's CSRF token stays valid.
const SIGN_IN_FORM_LIFETIME: i64 = 60 * 60;

/// Signs and checks the service's cookies, and knows how to set them.
pub struct SessionKeys {
    key: [u8; 64],
    /// Cookies only over TLS (the public URL is https), with `__Host-` names.
    secure: bool,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes)
}

/// A fresh random identifier: 32 bytes, URL-safe base64.
pub fn random_id() -> std::io::Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(random::<32>()?))
}

impl SessionKeys {
    /// Load the key from the data directory, creating it (mode 0600) on first start. The
    /// key is never printed or logged.
    pub fn load_or_create(data_dir: &Path, secure: bool) -> std::io::Result<SessionKeys> {
        let path = data_dir.join(KEY_FILE);
        let bad = |why: &str| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {why}", path.display()),
            )
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let key: [u8; 64] = hex::decode(text.trim())
                    .map_err(|_| bad("not hex"))?
                    .try_into()
                    .map_err(|_| bad("not a 64-byte key"))?;
                Ok(SessionKeys { key, secure })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir)?;
                let mut tmp = tempfile::NamedTempFile::new_in(data_dir)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    tmp.as_file()
                        .set_permissions(std::fs::Permissions::from_mode(0o600))?;
                }
                std::io::Write::write_all(&mut tmp, hex::encode(random::<64>()?).as_bytes())?;
                tmp.persist_noclobber(&path).map_err(|e| e.error)?;
                // Another process may have won the race: use whichever key is on disk.
                SessionKeys::load_or_create(data_dir, secure)
            }
            Err(e) => Err(e),
        }
    }

    fn mac(&self, name: &str, value: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("any key length");
        mac.update(name.as_bytes());
        mac.update(b"=");
        mac.update(value.as_bytes());
        mac
    }

    /// `value` with its HMAC-SHA256, bound to the cookie's name.
    fn sign(&self, name: &str, value: &str) -> String {
        let tag = self.mac(name, value).finalize().into_bytes();
        format!("{value}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The value of a cookie this service signed, or `None` if it was not.
    fn unsign<'a>(&self, name: &str, signed: &'a str) -> Option<&'a str> {
        let (value, tag) = signed.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(name, value).verify_slice(&tag).ok()?;
        Some(value)
    }

    /// The tag that vouches for `message` as a notice this service wrote for the session
    /// whose CSRF token is `session_secret`, to carry it across a redirect in the URL.
    pub fn flash_tag(&self, session_secret: &str, message: &str) -> String {
        let tag = self
            .mac(&format!("flash:{session_secret}"), message)
            .finalize()
            .into_bytes();
        URL_SAFE_NO_PAD.encode(tag)
    }

    /// `message` if `tag` vouches for it for this session; a message someone put in a
    /// link (to show their words as the service's) has no such tag and is not shown.
    pub fn flash<'a>(&self, session_secret: &str, message: &'a str, tag: &str) -> Option<&'a str> {
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(&format!("flash:{session_secret}"), message)
            .verify_slice(&tag)
            .ok()?;
        Some(message)
    }

    /// The session cookie's name: `__Host-` prefixed over TLS, so no other host may set it.
    fn session_name(&self) -> &'static str {
        if self.secure {
            "__Host-coi_session"
        } else {
            "coi_session"
        }
    }

    fn sign_in_name(&self) -> &'static str {
        if self.secure {
            "__Host-coi_sign_in"
        } else {
            "coi_sign_in"
        }
    }

    fn cookie(&self, name: &'static str, value: String, max_age: i64) -> Cookie<'static> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(time::Duration::seconds(max_age))
            .finish()
    }

    /// The session cookie for session id `id`, living as long as the session.
    pub fn session_cookie(&self, id: &str, lifetime: chrono::Duration) -> Cookie<'static> {
        let name = self.session_name();
        self.cookie(name, self.sign(name, id), lifetime.num_seconds())
    }

    /// A cookie that makes the browser forget its session cookie.
    pub fn session_removal(&self) -> Cookie<'static> {
        self.cookie(self.session_name(), String::new(), 0)
    }

    /// What the request's session cookie carries.
    pub fn session_cookie_of(&self, req: &HttpRequest) -> SessionCookie {
        let name = self.session_name();
        match req.cookie(name) {
            None => SessionCookie::Absent,
            Some(c) if c.value().is_empty() => SessionCookie::Absent,
            Some(c) => match self.unsign(name, c.value()) {
                Some(id) => SessionCookie::Signed(id.to_owned()),
                None => SessionCookie::Forged,
            },
        }
    }

    /// A new CSRF token for the sign-in form, and the cookie that vouches for it.
    pub fn sign_in_token(&self) -> std::io::Result<(String, Cookie<'static>)> {
        let token = random_id()?;
        let expires = chrono::Utc::now().timestamp() + SIGN_IN_FORM_LIFETIME;
        let name = self.sign_in_name();
        let value = self.sign(name, &format!("{token}.{expires}"));
        Ok((token, self.cookie(name, value, SIGN_IN_FORM_LIFETIME)))
    }

    /// The sign-in form's CSRF token vouched for by the request's cookie, if it is valid
    /// and not expired.
    pub fn sign_in_token_of(&self, req: &HttpRequest) -> Option<String> {
        let name = self.sign_in_name();
        let cookie = req.cookie(name)?;
        let (token, expires) = self.unsign(name, cookie.value())?.split_once('.')?;
        let expires: i64 = expires.parse().ok()?;
        (expires > chrono::Utc::now().timestamp()).then(|| token.to_owned())
    }

    /// A cookie that makes the browser forget the sign-in form's token.
    pub fn sign_in_token_removal(&self) -> Cookie<'static> {
        self.cookie(self.sign_in_name(), String::new(), 0)
    }
}

/// A request's session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCookie {
    Absent,
    /// A session id this service signed (which may still be expired or signed out).
    Signed(String),
    /// A cookie this service did not sign.
    Forged,
}

/// Compare two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use sha2::Digest;
    // Hash first, so the comparison is of equal lengths whatever was sent.
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SessionKeys {
        SessionKeys {
            key: [9; 64],
            secure: false,
        }
    }

    #[test]
    fn a_signed_value_comes_back() {
        let k = keys();
        let signed = k.sign("coi_session", "abc");
        assert_eq!(k.unsign("coi_session", &signed), Some("abc"));
    }

    #[test]
    fn a_changed_value_or_another_cookie_name_is_refused() {
        let k = keys();
        let signed = k.sign("coi_session", "abc");
        assert_eq!(k.unsign("coi_sign_in", &signed), None);
        let forged = signed.replacen("abc", "abd", 1);
        assert_eq!(k.unsign("coi_session", &forged), None);
        assert_eq!(k.unsign("coi_session", "abc"), None);
        let other = SessionKeys {
            key: [8; 64],
            secure: false,
        };
        assert_eq!(other.unsign("coi_session", &signed), None);
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", ""));
    }

    #[test]
    fn the_key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let a = SessionKeys::load_or_create(dir.path(), false).unwrap();
        let b = SessionKeys::load_or_create(dir.path(), false).unwrap();
        assert_eq!(a.key, b.key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
