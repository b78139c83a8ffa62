//! The chain's export and the import of registers from CSV, on the command line.

use super::CliError;
use crate::audit::ChainSummary;
use crate::store::Store;
use std::io::Write;
use std::path::PathBuf;

pub(super) fn print_summary(s: &ChainSummary) {
    println!(
        "OK: {} chain holds, {} entries ({} with withheld payloads), head {}",
        s.org.as_deref().unwrap_or("empty"),
        s.entries,
        s.withheld,
        s.head
    );
}

pub(super) fn export_chain(
    store: &Store,
    org: &str,
    output: Option<PathBuf>,
) -> Result<(), CliError> {
    let mut c = store.conn()?;
    let org = crate::store::orgs::by_slug(&mut c, org)?;
    let mut out: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut failed: Option<std::io::Error> = None;
    crate::store::audit::for_each(&mut c, org.id, |e| {
        let line = match e {
            Ok(e) => e.to_json_line(),
            Err(why) => format!("{{\"error\":{}}}", serde_json::Value::String(why)),
        };
        if let Err(e) = writeln!(out, "{line}") {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    out.flush()?;
    Ok(())
}

pub(super) fn import(
    store: &Store,
    kind: crate::import::Kind,
    org: &str,
    file: &std::path::Path,
) -> Result<(), CliError> {
    let data = std::fs::read(file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let actor = format!("import:{name}");
    let done = crate::import::import(
        &mut *store.conn()?,
        org,
        kind,
        &actor,
        &data,
        crate::clock::today(),
    )?;
    match done.seqs {
        Some((a, b)) => println!(
            "imported {} {} into {org} (audit seq {a}–{b})",
            done.count,
            kind.noun()
        ),
        None => println!(
            "imported 0 {} into {org}: the file has no rows",
            kind.noun()
        ),
    }
    Ok(())
}
