//! Signed tree heads: after each publish, the organisation's Merkle root is signed as a
//! C2SP checkpoint with the service's Ed25519 key, kept, and published.

use crate::audit::checkpoint::{sign_checkpoint, Checkpoint, NoteSigner};
use crate::store::{checkpoints, merkle, AnyConnection, StoreError};
use std::path::Path;

/// The file in the data directory that holds the signing key's 32 secret bytes (hex).
pub const KEY_FILE: &str = "checkpoint-signing.key";

/// Load the service's signing key, creating it on first start. The key never leaves
/// this file: it is not printed or logged; only its verifier key is published.
pub fn load_or_create_signer(data_dir: &Path, name: &str) -> std::io::Result<NoteSigner> {
    let path = data_dir.join(KEY_FILE);
    let bad = |why: String| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: {why}", path.display()),
        )
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .map_err(|e| bad(e.to_string()))?
                .try_into()
                .map_err(|_| bad("not a 32-byte key".into()))?;
            Ok(NoteSigner::from_bytes(name, &bytes).map_err(|e| bad(e.to_string()))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)?;
            let signer = NoteSigner::generate(name).map_err(|e| bad(e.to_string()))?;
            let mut tmp = tempfile::NamedTempFile::new_in(data_dir)?;
            std::io::Write::write_all(&mut tmp, hex::encode(signer.secret_bytes()).as_bytes())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                tmp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            tmp.persist_noclobber(&path).map_err(|e| e.error)?;
            // Another process may have won the race: use whichever key is on disk.
            load_or_create_signer(data_dir, name)
        }
        Err(e) => Err(e),
    }
}

/// The checkpoint origin line of an organisation's log.
pub fn origin(key_name: &str, org_slug: &str) -> String {
    format!("{key_name}/{org_slug}")
}

/// Make sure the stored tree covers the whole chain, then sign and keep a checkpoint of
/// it if the latest one is older. Returns the latest checkpoint.
pub fn checkpoint(
    c: &mut AnyConnection,
    signer: &NoteSigner,
    org_slug: &str,
) -> Result<checkpoints::Stored, StoreError> {
    let org = crate::store::orgs::by_slug(c, org_slug)?;
    merkle::catch_up(c, org.id, org.chain_seq)?;
    if let Some(latest) = checkpoints::latest(c, org.id)? {
        if latest.size >= org.chain_seq {
            return Ok(latest);
        }
    }
    let size = org.chain_seq as u64;
    let root = merkle::root(c, org.id, size)
        .map_err(|e| StoreError::Corrupt(format!("Merkle tree of {org_slug}: {e}")))?;
    let note = sign_checkpoint(
        signer,
        &Checkpoint {
            origin: origin(signer.name(), org_slug),
            size,
            root,
        },
    );
    checkpoints::insert(c, org.id, org.chain_seq, &hex::encode(root), &note)?;
    checkpoints::latest(c, org.id)?.ok_or_else(|| StoreError::Corrupt("checkpoint vanished".into()))
}
