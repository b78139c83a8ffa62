//! Signed tree heads: C2SP `tlog-checkpoint` bodies (<https://c2sp.org/tlog-checkpoint>)
//! wrapped in C2SP `signed-note`s (<https://c2sp.org/signed-note>) with Ed25519 keys.
//! Pure functions over text and key bytes; storing the key is the caller's business.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Signature type byte for Ed25519 in key IDs and verifier keys.
const ED25519_TYPE: u8 = 0x01;
/// Start of every signature line: em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";
/// Most signature lines a note may carry (the limit Go's `sumdb/note` applies).
pub const MAX_SIGNATURES: usize = 100;

/// Why a checkpoint, key or signed note was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    #[error("key name {0:?} is not allowed: it must be non-empty and contain no spaces or '+'")]
    InvalidKeyName(String),
    #[error("could not get random bytes for a new signing key: {0}")]
    Random(String),
    #[error("malformed verifier key (expected <name>+<8 hex digits>+<base64 key>): {0}")]
    InvalidVerifierKey(String),
    #[error("this text cannot be signed as a note: {0}")]
    InvalidNoteText(&'static str),
    #[error("malformed signed note: {0}")]
    MalformedNote(String),
    #[error("the note carries no signature from key {name} (key ID {key_id:08x})")]
    NoSignature { name: String, key_id: u32 },
    #[error(
        "the signature from key {name} (key ID {key_id:08x}) does not verify: the note was \
         altered after signing, or signed by a different key"
    )]
    BadSignature { name: String, key_id: u32 },
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(String),
}

/// A log's tree head: the origin (the log's identity), the number of entries and the
/// RFC 6962 root hash over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
}

impl Checkpoint {
    /// The checkpoint's note text: origin, size and base64 root hash, one per line,
    /// each ending in a newline.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Reads a checkpoint body of exactly three lines (extension lines are not accepted).
    ///
    /// The origin must be non-empty and free of control characters; as the spec asks,
    /// other recommendations about its form (no spaces or '+') are not assumed here,
    /// so checkpoints such as `sum.golang.org`'s ("go.sum database tree") parse.
    /// [`sign_checkpoint`] does insist on them for the checkpoints this service signs.
    pub fn parse_body(body: &str) -> Result<Checkpoint, CheckpointError> {
        let bad = |why: String| CheckpointError::MalformedCheckpoint(why);
        let Some(text) = body.strip_suffix('\n') else {
            return Err(bad("the text does not end in a newline".into()));
        };
        let lines: Vec<&str> = text.split('\n').collect();
        if lines.len() < 3 {
            return Err(bad(format!(
                "expected 3 lines (origin, tree size, root hash), found {}",
                lines.len()
            )));
        }
        if lines.len() > 3 {
            return Err(bad(format!(
                "expected 3 lines (origin, tree size, root hash), found {}: extension lines \
                 are not supported",
                lines.len()
            )));
        }
        let (origin, size, root) = (lines[0], lines[1], lines[2]);

        if origin.is_empty() {
            return Err(bad("the origin line is empty".into()));
        }
        if origin.chars().any(char::is_control) {
            return Err(bad("the origin line contains control characters".into()));
        }

        let size_ok = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        if !size_ok {
            return Err(bad(format!(
                "tree size {size:?} is not a decimal number without leading zeros"
            )));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| bad(format!("tree size {size} is too large")))?;

        let decoded = STANDARD
            .decode(root)
            .map_err(|e| bad(format!("root hash {root:?} is not valid base64 ({e})")))?;
        let root_bytes: [u8; 32] = decoded.as_slice().try_into().map_err(|_| {
            bad(format!(
                "root hash is {} bytes long, expected 32",
                decoded.len()
            ))
        })?;
        if STANDARD.encode(root_bytes) != root {
            return Err(bad(format!("root hash {root:?} is not canonical base64")));
        }

        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root: root_bytes,
        })
    }
}

/// Key names (and the origins this service signs): non-empty, no Unicode spaces, no '+'.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

fn check_name(name: &str) -> Result<(), CheckpointError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(CheckpointError::InvalidKeyName(name.to_owned()))
    }
}

/// Key ID = first four bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key).
fn key_id(name: &str, public: &VerifyingKey) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', ED25519_TYPE]);
    hasher.update(public.as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// `<name>+<8 lowercase hex digits>+<base64(0x01 || public key)>`.
fn format_verifier_key(name: &str, id: u32, public: &VerifyingKey) -> String {
    let mut typed = Vec::with_capacity(33);
    typed.push(ED25519_TYPE);
    typed.extend_from_slice(public.as_bytes());
    format!("{name}+{id:08x}+{}", STANDARD.encode(typed))
}

/// Note text must be non-empty, end in a newline and contain no control characters
/// other than newline.
fn check_text(text: &str) -> Result<(), CheckpointError> {
    if text.is_empty() {
        return Err(CheckpointError::InvalidNoteText("the text is empty"));
    }
    if !text.ends_with('\n') {
        return Err(CheckpointError::InvalidNoteText(
            "the text does not end in a newline",
        ));
    }
    if has_forbidden_control(text) {
        return Err(CheckpointError::InvalidNoteText(
            "the text contains control characters other than newline",
        ));
    }
    Ok(())
}

fn has_forbidden_control(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 && b != b'\n')
}

/// An Ed25519 note signer: a key name and a secret key.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
    key_id: u32,
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A new signer with a fresh random key.
    pub fn generate(name: &str) -> Result<NoteSigner, CheckpointError> {
        check_name(name)?;
        let mut secret = [0u8; 32];
        getrandom::getrandom(&mut secret).map_err(|e| CheckpointError::Random(e.to_string()))?;
        let signer = NoteSigner::from_bytes(name, &secret);
        secret.fill(0);
        signer
    }

    /// A signer from a stored 32-byte Ed25519 secret key (seed).
    pub fn from_bytes(name: &str, secret: &[u8; 32]) -> Result<NoteSigner, CheckpointError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(secret);
        let key_id = key_id(name, &key.verifying_key());
        Ok(NoteSigner {
            name: name.to_owned(),
            key,
            key_id,
        })
    }

    /// The 32-byte secret key (seed), for the caller to store.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The public verifier key, `<name>+<key ID hex>+<base64(0x01 || public key)>`, as
    /// Go's `golang.org/x/mod/sumdb/note` and other signed-note tools read it.
    pub fn verifier_key(&self) -> String {
        format_verifier_key(&self.name, self.key_id, &self.key.verifying_key())
    }

    /// The verifier matching this signer.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` and returns the whole signed note: the text, a blank line and this
    /// key's signature line.
    ///
    /// # Panics
    ///
    /// If `text` cannot be a note's text (see [`NoteSigner::try_sign`]); a checkpoint
    /// [`body`](Checkpoint::body) with a valid origin always can.
    pub fn sign(&self, text: &str) -> String {
        self.try_sign(text)
            .unwrap_or_else(|e| panic!("signing a note: {e}"))
    }

    /// Signs `text`, refusing text that would not make a valid note: empty, not ending in
    /// a newline, or holding control characters other than newline.
    pub fn try_sign(&self, text: &str) -> Result<String, CheckpointError> {
        check_text(text)?;
        let signature = self.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(4 + 64);
        blob.extend_from_slice(&self.key_id.to_be_bytes());
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(blob)
        ))
    }
}

/// A trusted Ed25519 public key with its name, read from a verifier key string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl fmt::Display for NoteVerifier {
    /// The verifier key string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_verifier_key(&self.name, self.key_id, &self.key))
    }
}

impl NoteVerifier {
    /// Reads `<name>+<8 hex digits>+<base64(0x01 || 32-byte public key)>`, checking that
    /// the key ID is the one the name and key give.
    pub fn parse(verifier_key: &str) -> Result<NoteVerifier, CheckpointError> {
        let bad = |why: &str| CheckpointError::InvalidVerifierKey(why.to_owned());
        let mut parts = verifier_key.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected three parts separated by '+'"));
        };
        if !is_valid_name(name) {
            return Err(bad("the key name is empty or contains spaces"));
        }
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("the key ID is not 8 hexadecimal digits"));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("bad key ID"))?;
        let typed = STANDARD
            .decode(key_b64)
            .map_err(|_| bad("the public key is not valid base64"))?;
        match typed.split_first() {
            Some((&ED25519_TYPE, _)) => {}
            Some(_) => return Err(bad("the key is not an Ed25519 key (type byte 0x01)")),
            None => return Err(bad("the public key is empty")),
        }
        let public: [u8; 32] = typed[1..]
            .try_into()
            .map_err(|_| bad("the Ed25519 public key is not 32 bytes long"))?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| bad("the bytes are not a valid Ed25519 public key"))?;
        if key_id(name, &key) != id {
            return Err(bad("the key ID does not match the name and public key"));
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: id,
            key,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Checks `note` and returns its text (including the final newline).
    ///
    /// Signature lines from other keys (a different name or key ID) are ignored, as the
    /// spec requires; the note is refused if it has none from this key, or if the first
    /// one from this key does not verify (repeats of it are ignored, as in Go).
    pub fn verify(&self, note: &str) -> Result<String, CheckpointError> {
        let bad = |why: &str| CheckpointError::MalformedNote(why.to_owned());
        if has_forbidden_control(note) {
            return Err(bad("it contains control characters other than newline"));
        }
        let Some(split) = note.rfind("\n\n") else {
            return Err(bad(
                "there is no blank line between the text and the signatures",
            ));
        };
        let (text, sigs) = (&note[..=split], &note[split + 2..]);
        if sigs.is_empty() {
            return Err(bad("there are no signature lines after the blank line"));
        }
        let Some(sigs) = sigs.strip_suffix('\n') else {
            return Err(bad("the last signature line does not end in a newline"));
        };

        let mut verified = false;
        for (count, line) in sigs.split('\n').enumerate() {
            if count >= MAX_SIGNATURES {
                return Err(bad("it has more than 100 signature lines"));
            }
            let Some(rest) = line.strip_prefix(SIG_PREFIX) else {
                return Err(bad(
                    "a signature line does not start with an em dash and a space",
                ));
            };
            let (name, sig_b64) = rest.split_once(' ').unwrap_or((rest, ""));
            if !is_valid_name(name) {
                return Err(bad("a signature line has an invalid key name"));
            }
            let blob = match STANDARD.decode(sig_b64) {
                Ok(blob) if !sig_b64.is_empty() && blob.len() >= 5 => blob,
                _ => return Err(bad("a signature line does not hold a base64 signature")),
            };
            let id = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]);
            if name != self.name || id != self.key_id || verified {
                continue;
            }
            let sig_ok = <[u8; 64]>::try_from(&blob[4..]).is_ok_and(|bytes| {
                self.key
                    .verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes))
                    .is_ok()
            });
            if !sig_ok {
                return Err(CheckpointError::BadSignature {
                    name: self.name.clone(),
                    key_id: self.key_id,
                });
            }
            verified = true;
        }
        if !verified {
            return Err(CheckpointError::NoSignature {
                name: self.name.clone(),
                key_id: self.key_id,
            });
        }
        Ok(text.to_owned())
    }
}

/// Signs a checkpoint, returning the signed note.
///
/// # Panics
///
/// If the origin is not of the form [`try_sign_checkpoint`] requires.
pub fn sign_checkpoint(signer: &NoteSigner, checkpoint: &Checkpoint) -> String {
    try_sign_checkpoint(signer, checkpoint).unwrap_or_else(|e| panic!("signing checkpoint: {e}"))
}

/// Signs a checkpoint, returning the signed note. The origin must be non-empty and
/// contain no spaces, control characters or '+', as the checkpoint spec recommends.
pub fn try_sign_checkpoint(
    signer: &NoteSigner,
    checkpoint: &Checkpoint,
) -> Result<String, CheckpointError> {
    if !is_valid_name(&checkpoint.origin) {
        return Err(CheckpointError::MalformedCheckpoint(format!(
            "origin {:?} must be non-empty and contain no spaces, control characters or '+'",
            checkpoint.origin
        )));
    }
    signer.try_sign(&checkpoint.body())
}

/// Verifies a signed checkpoint note with `verifier` and reads its body.
pub fn verify_checkpoint(
    verifier: &NoteVerifier,
    note: &str,
) -> Result<Checkpoint, CheckpointError> {
    Checkpoint::parse_body(&verifier.verify(note)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answer from Go's golang.org/x/mod/sumdb/note documentation and tests.
    const GO_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_SIG_LINE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn go_signer() -> NoteSigner {
        // PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte seed)>; the base64 has '+'s.
        let rest = GO_SKEY.strip_prefix("PRIVATE+KEY+").unwrap();
        let mut parts = rest.splitn(3, '+');
        let (name, id, b64) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let typed = STANDARD.decode(b64).unwrap();
        assert_eq!(typed.len(), 33);
        assert_eq!(typed[0], ED25519_TYPE);
        let seed: [u8; 32] = typed[1..].try_into().unwrap();
        let signer = NoteSigner::from_bytes(name, &seed).unwrap();
        assert_eq!(format!("{:08x}", signer.key_id()), id);
        signer
    }

    fn sample() -> Checkpoint {
        Checkpoint {
            origin: "coi-register.example/northshire-ccg".into(),
            size: 1234,
            root: Sha256::digest(b"root").into(),
        }
    }

    fn signer(name: &str, byte: u8) -> NoteSigner {
        NoteSigner::from_bytes(name, &[byte; 32]).unwrap()
    }

    /// Replaces the signature line's base64 with `blob`'s.
    fn with_blob(note: &str, name: &str, blob: &[u8]) -> String {
        let split = note.rfind("\n\n").unwrap();
        format!(
            "{}\n{SIG_PREFIX}{name} {}\n",
            &note[..=split],
            STANDARD.encode(blob)
        )
    }

    fn sig_blob(note: &str) -> Vec<u8> {
        let line = note.trim_end_matches('\n').rsplit('\n').next().unwrap();
        STANDARD.decode(line.rsplit(' ').next().unwrap()).unwrap()
    }

    #[test]
    fn go_vector_signs_byte_for_byte() {
        let signer = go_signer();
        assert_eq!(signer.key_id(), 0xc74f20a3);
        assert_eq!(signer.verifier_key(), GO_VKEY);
        let note = signer.sign(GO_TEXT);
        assert_eq!(note, format!("{GO_TEXT}\n{GO_SIG_LINE}"));
    }

    #[test]
    fn go_vector_verifies() {
        let verifier = NoteVerifier::parse(GO_VKEY).unwrap();
        assert_eq!(verifier.name(), "PeterNeumann");
        assert_eq!(verifier.key_id(), 0xc74f20a3);
        assert_eq!(verifier.to_string(), GO_VKEY);
        assert_eq!(verifier, go_signer().verifier());
        let note = format!("{GO_TEXT}\n{GO_SIG_LINE}");
        assert_eq!(verifier.verify(&note).unwrap(), GO_TEXT);
    }

    #[test]
    fn spec_example_verifies() {
        // The example note and key from the signed-note spec.
        let verifier = NoteVerifier::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .unwrap();
        let note = "This is an example message.\n\n\u{2014} example.com/foo \
                    Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        assert_eq!(
            verifier.verify(note).unwrap(),
            "This is an example message.\n"
        );
    }

    #[test]
    fn real_sum_golang_org_checkpoint_verifies() {
        // A tree head published by sum.golang.org, with the key built into the go command.
        let verifier = NoteVerifier::parse(
            "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        )
        .unwrap();
        let note = "go.sum database tree\n13485\n/ZWur4obeiqK+ASdnPK+/Rmz6LPQMUeSmHh0+UkL54Y=\n\n\
                    \u{2014} sum.golang.org Az3grnQReYTvpCrRxT+w50vixbqBlB/aPS8bL8f8KW4HHP+UjLSXOJgCh4f54n8hO6lrESglzyRXMXnhaWzaeY3zqw8=\n";
        let checkpoint = verify_checkpoint(&verifier, note).unwrap();
        assert_eq!(checkpoint.origin, "go.sum database tree");
        assert_eq!(checkpoint.size, 13485);
    }

    #[test]
    fn checkpoint_round_trip() {
        let signer = NoteSigner::generate("coi-register.example/northshire-ccg").unwrap();
        let verifier = NoteVerifier::parse(&signer.verifier_key()).unwrap();
        let note = sign_checkpoint(&signer, &sample());
        assert!(note.starts_with(&sample().body()));
        assert_eq!(verify_checkpoint(&verifier, &note).unwrap(), sample());

        let again = NoteSigner::from_bytes(signer.name(), &signer.secret_bytes()).unwrap();
        assert_eq!(again.verifier_key(), signer.verifier_key());
        assert_eq!(sign_checkpoint(&again, &sample()), note);
    }

    #[test]
    fn body_format() {
        let empty = Checkpoint {
            origin: "example.com/log".into(),
            size: 0,
            root: Sha256::digest(b"").into(),
        };
        assert_eq!(
            empty.body(),
            "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
        for cp in [
            empty,
            sample(),
            Checkpoint {
                size: u64::MAX,
                ..sample()
            },
        ] {
            assert_eq!(Checkpoint::parse_body(&cp.body()).unwrap(), cp);
        }
    }

    #[test]
    fn tampered_size_fails() {
        let signer = signer("log", 1);
        let note = sign_checkpoint(&signer, &sample());
        let tampered = note.replacen("\n1234\n", "\n1235\n", 1);
        assert_ne!(tampered, note);
        assert!(matches!(
            verify_checkpoint(&signer.verifier(), &tampered),
            Err(CheckpointError::BadSignature { .. })
        ));
    }

    #[test]
    fn other_key_with_same_name_fails() {
        let ours = signer("log", 1);
        let theirs = signer("log", 2);
        assert_ne!(ours.key_id(), theirs.key_id());
        let note = sign_checkpoint(&theirs, &sample());
        // A different key ID: not our signature, so the note has none of ours.
        assert_eq!(
            verify_checkpoint(&ours.verifier(), &note),
            Err(CheckpointError::NoSignature {
                name: "log".into(),
                key_id: ours.key_id()
            })
        );
        // Their signature relabelled with our key ID: checked, and refused.
        let mut blob = sig_blob(&note);
        blob[..4].copy_from_slice(&ours.key_id().to_be_bytes());
        let forged = with_blob(&note, "log", &blob);
        assert!(matches!(
            verify_checkpoint(&ours.verifier(), &forged),
            Err(CheckpointError::BadSignature { .. })
        ));
    }

    #[test]
    fn wrong_key_hash_or_name_fails() {
        let signer = signer("log", 1);
        let note = sign_checkpoint(&signer, &sample());
        let mut blob = sig_blob(&note);
        blob[0] ^= 0xff;
        assert!(matches!(
            signer.verifier().verify(&with_blob(&note, "log", &blob)),
            Err(CheckpointError::NoSignature { .. })
        ));
        let renamed = with_blob(&note, "other-log", &sig_blob(&note));
        assert!(matches!(
            signer.verifier().verify(&renamed),
            Err(CheckpointError::NoSignature { .. })
        ));
        // A truncated signature under our name and key ID is a bad signature.
        let short = with_blob(&note, "log", &sig_blob(&note)[..40]);
        assert!(matches!(
            signer.verifier().verify(&short),
            Err(CheckpointError::BadSignature { .. })
        ));
    }

    #[test]
    fn other_signers_lines_are_ignored() {
        let ours = signer("log", 1);
        let witness = signer("witness.example/w1", 3);
        let body = sample().body();
        let ours_note = ours.sign(&body);
        let witness_line = witness.sign(&body)[body.len() + 1..].to_owned();
        let both = format!("{ours_note}{witness_line}");
        let both_first = format!("{body}\n{witness_line}{}", &ours_note[body.len() + 1..]);
        assert_eq!(ours.verifier().verify(&both).unwrap(), body);
        assert_eq!(ours.verifier().verify(&both_first).unwrap(), body);
        assert_eq!(witness.verifier().verify(&both).unwrap(), body);
        // Only the witness signed: none of ours.
        let only_witness = format!("{body}\n{witness_line}");
        assert!(matches!(
            ours.verifier().verify(&only_witness),
            Err(CheckpointError::NoSignature { .. })
        ));
    }

    #[test]
    fn text_with_blank_lines_round_trips() {
        let signer = signer("log", 1);
        let text = "first\n\nsecond\n\n";
        let note = signer.sign(text);
        assert_eq!(signer.verifier().verify(&note).unwrap(), text);
    }

    #[test]
    fn verifier_key_format() {
        let signer = NoteSigner::generate("coi-register.example/northshire-ccg").unwrap();
        let vkey = signer.verifier_key();
        let rest = vkey
            .strip_prefix("coi-register.example/northshire-ccg+")
            .unwrap();
        let (hex, b64) = rest.split_once('+').unwrap();
        assert_eq!(hex.len(), 8);
        assert!(hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert_eq!(hex, format!("{:08x}", signer.key_id()));
        let body = b64.trim_end_matches('=');
        assert!(!body.is_empty() && b64.len() - body.len() <= 2);
        assert!(body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
        let typed = STANDARD.decode(b64).unwrap();
        assert_eq!(typed[0], ED25519_TYPE);
        assert_eq!(typed[1..], signer.public_key());
    }

    #[test]
    fn verifier_key_parse_rejects_bad_keys() {
        for bad in [
            "",
            "PeterNeumann",
            "PeterNeumann+c74f20a3",
            "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
            "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=",
        ] {
            assert!(
                matches!(
                    NoteVerifier::parse(bad),
                    Err(CheckpointError::InvalidVerifierKey(_))
                ),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn invalid_names_are_refused() {
        for name in ["", "a b", "a+b", "a\tb", "a\u{a0}b"] {
            assert_eq!(
                NoteSigner::from_bytes(name, &[1; 32]).unwrap_err(),
                CheckpointError::InvalidKeyName(name.into())
            );
        }
        let cp = Checkpoint {
            origin: "go.sum database tree".into(),
            ..sample()
        };
        assert!(matches!(
            try_sign_checkpoint(&signer("log", 1), &cp),
            Err(CheckpointError::MalformedCheckpoint(_))
        ));
        let cp = Checkpoint {
            origin: "two\nlines".into(),
            ..sample()
        };
        assert!(matches!(
            try_sign_checkpoint(&signer("log", 1), &cp),
            Err(CheckpointError::MalformedCheckpoint(_))
        ));
    }

    #[test]
    fn unsignable_text_is_refused() {
        let signer = signer("log", 1);
        for text in ["", "no newline", "tab\there\n", "cr\r\n"] {
            assert!(matches!(
                signer.try_sign(text),
                Err(CheckpointError::InvalidNoteText(_))
            ));
        }
    }

    #[test]
    #[should_panic(expected = "does not end in a newline")]
    fn sign_panics_on_unsignable_text() {
        signer("log", 1).sign("no newline");
    }

    #[test]
    #[should_panic(expected = "origin")]
    fn sign_checkpoint_panics_on_bad_origin() {
        let cp = Checkpoint {
            origin: String::new(),
            ..sample()
        };
        sign_checkpoint(&signer("log", 1), &cp);
    }

    #[test]
    fn malformed_notes_are_refused() {
        let verifier = NoteVerifier::parse(GO_VKEY).unwrap();
        let good = format!("{GO_TEXT}\n{GO_SIG_LINE}");
        let sig = GO_SIG_LINE.strip_prefix(SIG_PREFIX).unwrap();
        let cases = [
            // No blank line between the text and the signatures.
            format!("{GO_TEXT}{GO_SIG_LINE}"),
            // Text not ending in a newline, so no blank line either.
            format!("{}\n{GO_SIG_LINE}", GO_TEXT.trim_end()),
            // No signature lines.
            format!("{GO_TEXT}\n"),
            // Last line without a newline.
            good.trim_end_matches('\n').to_owned(),
            // Hyphens instead of an em dash, or no space after it.
            format!("{GO_TEXT}\n-- {sig}"),
            format!("{GO_TEXT}\n\u{2014}{sig}"),
            // A junk line among the signatures.
            format!("{good}junk\n"),
            // A signature line without a signature, or with bad base64, or too short.
            format!("{good}{SIG_PREFIX}other\n"),
            format!("{good}{SIG_PREFIX}other !!!!\n"),
            format!("{good}{SIG_PREFIX}other AQID\n"),
            // Control characters.
            good.replacen("problem,", "problem,\r", 1),
        ];
        for note in cases {
            assert!(
                matches!(
                    verifier.verify(&note),
                    Err(CheckpointError::MalformedNote(_))
                ),
                "{note:?} gave {:?}",
                verifier.verify(&note)
            );
        }
        // Too many signature lines.
        let many = format!(
            "{good}{}",
            format!("{SIG_PREFIX}other AAAAAAB0ZXN0\n").repeat(100)
        );
        assert!(matches!(
            verifier.verify(&many),
            Err(CheckpointError::MalformedNote(_))
        ));
        let enough = format!(
            "{good}{}",
            format!("{SIG_PREFIX}other AAAAAAB0ZXN0\n").repeat(99)
        );
        assert_eq!(verifier.verify(&enough).unwrap(), GO_TEXT);
    }

    #[test]
    fn body_parser_rejects_malformed_bodies() {
        let root = STANDARD.encode(sample().root);
        let cases = [
            format!("log\n01\n{root}\n"),
            format!("log\n00\n{root}\n"),
            format!("log\n+1\n{root}\n"),
            format!("log\n-1\n{root}\n"),
            format!("log\n 1\n{root}\n"),
            format!("log\n\n{root}\n"),
            format!("log\n18446744073709551616\n{root}\n"),
            "log\n1\n!!not base64!!\n".to_owned(),
            format!("log\n1\n{}\n", root.trim_end_matches('=')),
            format!("log\n1\n{}\n", STANDARD.encode([0u8; 31])),
            format!("log\n1\n{}\n", STANDARD.encode([0u8; 33])),
            format!(
                "log\n1\n{}\n",
                STANDARD.encode([0u8; 32]).replace("A=", "B=")
            ),
            format!("log\n1\n{root}\nextension\n"),
            format!("log\n1\n{root}\n\n"),
            format!("log\n1\n{root}"),
            format!("\n1\n{root}\n"),
            format!("log\u{1}\n1\n{root}\n"),
            "log\n1\n".to_owned(),
            String::new(),
        ];
        for body in cases {
            assert!(
                matches!(
                    Checkpoint::parse_body(&body),
                    Err(CheckpointError::MalformedCheckpoint(_))
                ),
                "{body:?} was accepted"
            );
        }
    }

    #[test]
    fn error_messages_read_well() {
        let err = CheckpointError::BadSignature {
            name: "log".into(),
            key_id: 0xc74f20a3,
        };
        assert!(err
            .to_string()
            .contains("key log (key ID c74f20a3) does not verify"));
        let err = Checkpoint::parse_body("log\n01\nAAAA\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed checkpoint: tree size \"01\" is not a decimal number without leading zeros"
        );
    }
}
