//! Forms sent as `multipart/form-data` (a file upload): the body is read field by field
//! with size limits, and its `csrf_token` field is checked against the session's before
//! the handler sees anything, as [`super::CsrfForm`] does for ordinary forms.

use super::{PageError, SignedIn};
use crate::store::users::Session;
use crate::web::session::same_secret;
use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;

/// Most a text field of an uploaded form may hold.
const TEXT_LIMIT: usize = 64 * 1024;

/// Past this much in all, the rest of an over-size body is not even read.
const DRAIN_LIMIT: usize = 32 * 1024 * 1024;

/// An uploaded file: the name the browser gave it and its bytes.
pub struct UploadedFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A multipart form from a signed-in session whose CSRF token matched.
pub struct Upload {
    pub session: Session,
    /// The text fields, in order.
    pub fields: Vec<(String, String)>,
    /// The file of the file field, if one was chosen (browsers send an empty part when
    /// none was).
    pub file: Option<UploadedFile>,
    /// The fields (the file's or a text field) larger than allowed, which were not kept.
    pub too_large: Vec<String>,
}

impl Upload {
    /// The text field `name`, or "".
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Whether a request's body is `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Read a multipart form whose file field is `file_field` (at most `file_limit` bytes).
/// Refused with 403 unless signed in with the right CSRF token (a token over its size
/// limit counts as missing); a body that is not well-formed multipart is a 400. Text
/// fields hold at most 64 KB; fields over their limit are named in `too_large`.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    file_field: &str,
    file_limit: usize,
) -> Result<Upload, PageError> {
    let SignedIn(session) = SignedIn::from_request(req, &mut Payload::None).await?;
    let mut parts = Multipart::new(req.headers(), payload);
    let bad = |e: actix_multipart::MultipartError| PageError::BadRequest(e.to_string());
    let mut fields = Vec::new();
    let mut file = None;
    let mut too_large = Vec::new();
    let mut read_in_all = 0usize;
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(bad)?;
        let name = part.name().unwrap_or("").to_owned();
        let filename = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let is_file = name == file_field;
        let limit = if is_file { file_limit } else { TEXT_LIMIT };
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(bad)?;
            read_in_all += chunk.len();
            if read_in_all > DRAIN_LIMIT {
                // Stop reading: the connection is closed rather than the body drained.
                return Err(PageError::BadRequest("the form is far too large".into()));
            }
            if over || bytes.len() + chunk.len() > limit {
                over = true;
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if over {
            too_large.push(name);
        } else if is_file {
            let filename = filename.unwrap_or_default();
            if !(bytes.is_empty() && filename.is_empty()) {
                file = Some(UploadedFile { filename, bytes });
            }
        } else {
            let text = String::from_utf8(bytes).map_err(|_| {
                PageError::BadRequest(format!("the form field {name:?} is not UTF-8 text"))
            })?;
            fields.push((name, text));
        }
    }
    let sent = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !same_secret(sent, &session.csrf_token) {
        return Err(PageError::Csrf);
    }
    Ok(Upload {
        session,
        fields,
        file,
        too_large,
    })
}
