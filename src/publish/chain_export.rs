//! The public export of the chain, `/<org>/audit/chain.jsonl`: appended to while
//! history only grows, written again when a change hides what earlier entries showed.

use super::views::Visible;
use super::{exports, PublishError, Publisher, Scope};
use crate::store::entries::Register;
use crate::store::AnyConnection;
use std::io::Write;

impl Publisher {
    /// Whether declaration `id`'s published version before its current one was public
    /// (a change that hides it must hide its earlier entries' payloads too). A gift's
    /// visibility changes only by withholding, releasing, withdrawing, accepting (a
    /// withdrawal) or its person's standing.
    fn was_public(
        &self,
        c: &mut AnyConnection,
        v: &Visible,
        id: &str,
    ) -> Result<bool, PublishError> {
        let Ok(id) = id.parse::<i64>() else {
            return Ok(true);
        };
        let s = v.snapshot;
        let versions = crate::store::declarations::Declarations::versions(c, s.org.id, id)?;
        // The version published before this one: the latest accepted one before it.
        let Some(prev) = versions
            .iter()
            .rev()
            .skip(1)
            .find(|x| x.entry.standing.review == crate::domain::entries::Review::Accepted)
        else {
            return Ok(false);
        };
        let d = &prev.entry;
        Ok(d.is_public(v.person(d.person_id).is_some(), v.today, &s.org.settings))
    }

    /// Whether any of the `new` entries changes what earlier entries may show: a record
    /// withheld, released, withdrawn or no longer public, or a person's standing changed.
    /// Then pages built from earlier entries (the chain export, the months of changes) are
    /// written again, not only extended.
    pub(super) fn changes_history(
        &self,
        c: &mut AnyConnection,
        v: &Visible,
        new: &[crate::audit::ChainEntry],
    ) -> Result<bool, PublishError> {
        for e in new {
            let h = &e.header;
            let safe = h.entity != "person"
                // Accepting a declarant's withdrawal hides what was published.
                && !matches!(h.action.as_str(), "withhold" | "release" | "withdraw" | "accept")
                && (h.entity != "declaration"
                    || v.entry_is_public(e)
                    || !self.was_public(c, v, &h.entity_id)?);
            if !safe {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The public export of the chain, `/<org>/audit/chain.jsonl`. History only grows,
    /// so new entries are appended (in one write) unless they change what earlier
    /// entries may show: a record withheld, released or no longer public, or a person's
    /// standing changed. Then, and on a full publish, the whole file is written again.
    pub(super) fn export_chain(
        &self,
        c: &mut AnyConnection,
        v: &Visible,
        scope: &Scope,
    ) -> Result<(), PublishError> {
        let s = v.snapshot;
        let rel = format!("{}/audit/chain.jsonl", s.org.slug);
        let key = format!("{rel}#seq");
        let head = s.org.chain_seq;
        let exported = self.memo.lock().expect("not poisoned").get(&key).copied();
        if let (false, Some(done)) = (scope.everything, exported) {
            let done = done as i64;
            if done == head {
                return Ok(());
            }
            let new = crate::store::audit::range(c, s.org.id, done + 1, head, head - done)?;
            if new.len() as i64 == head - done && !self.changes_history(c, v, &new)? {
                let mut lines = String::new();
                for e in new {
                    lines.push_str(&exports::public_entry(v, e).to_json_line());
                    lines.push('\n');
                }
                let appended = self
                    .out
                    .read()
                    .expect("not poisoned")
                    .as_ref()
                    .expect("render_org runs inside with_output")
                    .append(&rel, lines.as_bytes())?;
                if appended {
                    self.memo
                        .lock()
                        .expect("not poisoned")
                        .insert(key, head as u64);
                    return Ok(());
                }
            }
        }
        let mut file = self
            .out
            .read()
            .expect("not poisoned")
            .as_ref()
            .expect("render_org runs inside with_output")
            .create(&rel)?;
        let mut io_error = None;
        let mut last = 0;
        crate::store::audit::for_each(c, s.org.id, |entry| {
            let line = match entry {
                Ok(e) => {
                    last = e.header.seq;
                    exports::public_entry(v, e).to_json_line()
                }
                Err(why) => format!("{{\"error\":{}}}", serde_json::Value::String(why)),
            };
            if let Err(e) = writeln!(file.writer(), "{line}") {
                io_error.get_or_insert(e);
            }
        })?;
        if let Some(e) = io_error {
            return Err(e.into());
        }
        self.out
            .read()
            .expect("not poisoned")
            .as_ref()
            .expect("render_org runs inside with_output")
            .finish(file)?;
        self.memo
            .lock()
            .expect("not poisoned")
            .insert(key, last as u64);
        Ok(())
    }
}
