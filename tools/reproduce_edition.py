#!/usr/bin/env python3
"""Reproduce an edition's register of interests from the audit chain export, independently
of the service's code, with the Python standard library only. Give it the full export
(`coi-register export chain`, payloads included): the public /<org>/audit/chain.jsonl
carries only what is public today, and an interest that has since ended more than six
months ago has a null payload there.

  reproduce_edition.py chain.jsonl EDITION_DIR [--key VERIFIER_KEY]

EDITION_DIR holds the edition's files as published under /<org>/editions/<date>/:
manifest.json, checkpoint and data/interests.csv. The script

1. verifies the chain export line by line (tools/verify_chain.py, docs/audit-chain.md
   section 4): a changed payload fails there, naming its entry (`FAIL seq N ...`);
2. checks that the edition's checkpoint covers the entries it used: the Merkle root of the
   first N entries equals the manifest's root and the signed checkpoint's (size N), and,
   with --key, that the checkpoint's signature verifies;
3. rebuilds the register of interests as at the edition's date from the payloads of
   entries 1..N (each declaration's latest accepted version, public as the register's
   rules say on that day) and checks that the CSV it writes equals data/interests.csv byte
   for byte, and that the file's SHA-256 is the manifest's.

Prints `OK: ...` and exits 0, or the first problem (`FAIL ...`) and exits 1.
"""
import argparse
import calendar
import csv
import datetime
import hashlib
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_chain  # noqa: E402  (the sibling verifier: same format, same checks)
from verify_chain import Bad  # noqa: E402

COLUMNS = ["id", "version", "person", "person_slug", "position", "interest_type", "associate",
           "description", "body", "arose_on", "ended_on", "declared_on", "days_late",
           "mitigation", "audit_seq"]
NUMERIC = {"id", "version", "days_late", "audit_seq"}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The inline Markdown the registers' descriptions use, and what it leaves as text (as
# pulldown-cmark's text events do): links keep their text, code its content, emphasis its
# words. Anything else that may be Markdown is refused rather than guessed at.
INLINE = [
    (re.compile(r"\[([^\[\]]*)\]\(([^()\s]*)\)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\*\*(\S(?:[^*]*\S)?)\*\*"), r"\1"),
    (re.compile(r"(?<![\w*])\*(\S(?:[^*]*\S)?)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)__(\S(?:[^_]*\S)?)__(?!\w)"), r"\1"),
    (re.compile(r"(?<!\w)_(\S(?:[^_]*\S)?)_(?!\w)"), r"\1"),
]
# Raw <script> and <style> are code, not words: the CSV leaves them out, tags and all.
CODE_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
# Block markers at a line's start: headings, list items. Each block ends with a word break.
BLOCK = re.compile(r"^ {0,3}(#{1,6}[ \t]+|[-+*][ \t]+|\d{1,9}[.)][ \t]+)", re.M)
MARKDOWN = re.compile(r"[*`\[\]<>|~\\]|(?<!\w)_|_(?!\w)|&#?\w+;|^ {0,3}([-+*=#>]|\d+[.)])|^ {4}",
                      re.M)


def add_months(day, months):
    """chrono's checked_add_months: the same day that many months on, or the month's last."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def date(text):
    return datetime.date.fromisoformat(text)


def plain(seq, text):
    """A description as the CSV holds it: Markdown as plain text, white space collapsed."""
    text = BLOCK.sub(" ", CODE_TAGS.sub(" ", text))
    for pattern, keep in INLINE:
        text = pattern.sub(keep, text)
    if MARKDOWN.search(text):
        raise Bad(f"FAIL seq {seq}: its description uses Markdown this script does not rebuild")
    return " ".join(text.split())


def cell(column, value):
    """The CSV cell: numbers as numbers, text guarded against spreadsheet formulas."""
    if value is None:
        return ""
    if column in NUMERIC:
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def rebuild(entries, as_at):
    """The register of interests as at the end of `as_at`, from entries 1..N."""
    settings, people, declarations = {}, {}, {}
    for e in entries:
        p, seq = e["payload"], e["seq"]
        if e["entity"] == "organisation" and p is not None:
            settings = p.get("settings") or settings
        elif e["entity"] == "person":
            people[e["entity_id"]] = p  # None: not public now
        elif e["entity"] == "declaration":
            d = declarations.setdefault(e["entity_id"], {"hidden": False, "published": None})
            if p is None:
                d["hidden"] = True  # withheld, or not public, now: left out of past views too
            elif p.get("review", "accepted") == "accepted":
                d["published"] = (seq, p)
    within = settings.get("declare_within_days", 28)
    ended_months = settings.get("publish_ended_months", 6)
    rows = []
    for key in sorted(declarations, key=int):
        d = declarations[key]
        if d["hidden"] or d["published"] is None:
            continue
        seq, p = d["published"]
        person = people.get(p["person_id"])
        if not person or not person.get("decision_making"):
            continue
        if p.get("state") != "active" or p.get("withheld"):
            continue
        if p["ended_on"] and as_at > add_months(date(p["ended_on"]), ended_months):
            continue
        elapsed = (date(p["declared_on"]) - date(p["arose_on"])).days
        record = {
            "id": int(p["id"]), "version": p["version"], "person": person["name"],
            "person_slug": person["slug"], "position": p["position"] or person["position"],
            "interest_type": p["interest_type"], "associate": p["associate"],
            "description": plain(seq, p["description"]), "body": p["body"],
            "arose_on": p["arose_on"], "ended_on": p["ended_on"], "declared_on": p["declared_on"],
            "days_late": elapsed - within if elapsed > within else None,
            "mitigation": p["mitigation"], "audit_seq": seq,
        }
        rows.append([cell(c, record[c]) for c in COLUMNS])
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    w.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")  # UTF-8 with a byte order mark


def reproduce(chain_path, edition_dir, key):
    with open(os.path.join(edition_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    size, root = manifest["checkpoint"]["tree_size"], manifest["checkpoint"]["root"]
    with open(chain_path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    if len(lines) < size:
        raise Bad(f"FAIL: the edition uses {size} entries; the export holds {len(lines)}")
    # 1. Every entry the edition uses is intact.
    org, _, _, _, leaves = verify_chain.verify(lines[:size], manifest["organisation"])
    # 2. The checkpoint covers exactly those entries.
    if verify_chain.merkle_root(leaves).hex() != root:
        raise Bad(f"FAIL: the root of entries 1..{size} is not the edition's root {root}")
    checkpoint = os.path.join(edition_dir, "checkpoint")
    if key is not None or os.path.exists(checkpoint):
        _, signed_size, signed_root = verify_chain.read_checkpoint(checkpoint, key)
        if (signed_size, signed_root.hex()) != (size, root):
            raise Bad(f"FAIL: the signed checkpoint is of {signed_size} entries, root "
                      f"{signed_root.hex()}, not the edition's {size}, {root}")
    # 3. The register, rebuilt, is the published file.
    entries = [json.loads(raw) for raw in lines[:size]]
    rebuilt = rebuild(entries, date(manifest["as_at"]))
    with open(os.path.join(edition_dir, "data", "interests.csv"), "rb") as f:
        published = f.read()
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    if hashlib.sha256(published).hexdigest() != listed.get("data/interests.csv"):
        raise Bad("FAIL: data/interests.csv is not the file the manifest lists")
    if rebuilt != published:
        got, want = rebuilt.split(b"\r\n"), published.split(b"\r\n")
        row = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        raise Bad(f"FAIL: data/interests.csv differs from the register rebuilt from the chain "
                  f"at row {row}: published {want[row] if row < len(want) else b'(none)'!r}, "
                  f"rebuilt {got[row] if row < len(got) else b'(none)'!r}")
    rows = len(published.split(b"\r\n")) - 2
    return (f"OK: {org} register of interests as at {manifest['as_at']} ({rows} entries) "
            f"reproduced from entries 1..{size} of the chain, checkpoint {root}")


def main():
    ap = argparse.ArgumentParser(description="Reproduce an edition's register of interests "
                                 "from the audit chain export (the full one, payloads included).")
    ap.add_argument("chain", help="the full export (coi-register export chain); the public "
                    "/<org>/audit/chain.jsonl serves while every entry used is still public")
    ap.add_argument("edition", help="a directory with the edition's manifest.json, checkpoint "
                    "and data/interests.csv")
    ap.add_argument("--key", metavar="VERIFIER_KEY", help="check the checkpoint's signature: "
                    "the verifier key from /<org>/audit/verifier-key, or a file holding it")
    args = ap.parse_args()
    key = args.key
    try:
        if key is not None and os.path.isfile(key):
            with open(key, encoding="utf-8") as f:
                key = f.read()
        out = reproduce(args.chain, args.edition, key)
    except (Bad, OSError, ValueError, KeyError, TypeError) as fail:
        print(fail if isinstance(fail, Bad) else f"FAIL: {type(fail).__name__}: {fail}")
        sys.exit(1)
    if key is None:
        out += " (signature not checked: give --key)"
    print(out)


if __name__ == "__main__":
    main()
