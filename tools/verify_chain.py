#!/usr/bin/env python3
"""Verify a coi-register audit chain export, independently of the project's own code.

Usage: python3 tools/verify_chain.py chain.jsonl [--org SLUG]

Implements DESIGN.md, "The audit chain", with the Python standard library only (3.9+).
Prints the first bad entry as `FAIL seq N (line L): reason` and exits 1; otherwise
prints the chain head and the RFC 6962 Merkle root and exits 0.
"""
import argparse
import hashlib
import json
import re
import sys

HEADER = ["v", "org", "seq", "at", "actor", "action", "entity", "entity_id",
          "payload_sha256", "prev"]
LINE_KEYS = set(HEADER) | {"entry_sha256", "payload"}
ZEROS = "0" * 64
HEX64 = re.compile(r"[0-9a-f]{64}")
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")  # RFC 3339, UTC, ending in Z
MAX_INT = 2**53 - 1  # I-JSON range: beyond it JCS (RFC 8785) and Python print numbers differently


class Bad(Exception):
    """Why the current line fails."""


def canonical(value):
    """RFC 8785 (JCS) as UTF-8 bytes. DESIGN.md: for ASCII keys and integers only, this is it."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError


def integer(text):
    """Every number in the chain is an integer in I-JSON's range: no floats, NaN, Infinity."""
    if not re.fullmatch(r"-?[0-9]+", text) or abs(int(text)) > MAX_INT:
        raise ValueError(f"number {text} is not an integer within +/-(2^53-1)")
    return int(text)


def unique_keys(pairs):
    if len({k for k, _ in pairs}) != len(pairs):
        raise ValueError("duplicate key in object")
    return dict(pairs)


def parse_line(raw):
    """One JSON object with exactly the export's keys, each of the documented type."""
    e = json.loads(raw.decode("utf-8"), parse_int=integer, parse_float=integer,
                   parse_constant=integer, object_pairs_hook=unique_keys)  # ValueError if bad
    if not isinstance(e, dict) or set(e) != LINE_KEYS:
        raise Bad(f"malformed line: keys must be exactly {sorted(LINE_KEYS)}")
    if type(e["v"]) is not int or e["v"] != 1 or type(e["seq"]) is not int:  # True == 1 in Python
        raise Bad("malformed line: v must be the integer 1 and seq an integer")
    for k in ["org", "at", "actor", "action", "entity", "entity_id"]:
        if not isinstance(e[k], str):
            raise Bad(f"malformed line: {k} must be a string")
    for k in ["payload_sha256", "prev", "entry_sha256"]:
        if not isinstance(e[k], str) or not HEX64.fullmatch(e[k]):
            raise Bad(f"malformed line: {k} must be 64 lower-case hex digits")
    if not UTC_TIME.fullmatch(e["at"]):
        raise Bad(f"malformed line: at {e['at']!r} is not an RFC 3339 UTC time ending in Z")
    if e["payload"] is not None and not isinstance(e["payload"], dict):
        raise Bad("malformed line: payload must be an object or null")
    return e


def merkle_root(leaves):
    """RFC 6962 Merkle Tree Hash: split at the largest power of two smaller than n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((len(leaves) - 1).bit_length() - 1) # the largest power of two smaller than n
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


def verify(lines, org):
    """Check every line in order; return (org, entries, withheld, head, merkle root)."""
    prev, withheld, leaves = ZEROS, 0, []
    for n, raw in enumerate(lines, start=1):  # line n must hold seq n
        try:
            e = parse_line(raw)
            org = org or e["org"]  # without --org, the first line names the chain's org
            if e["org"] != org:
                raise Bad(f"wrong org (expected {org}, found {e['org']})")
            if e["seq"] != n:  # a deleted, inserted or reordered line
                raise Bad(f"gap (expected seq {n}, found {e['seq']})")
            if e["payload"] is None:
                withheld += 1  # withheld from the public: only the entry hash can be checked
            elif hashlib.sha256(canonical(e["payload"])).hexdigest() != e["payload_sha256"]:
                raise Bad("payload hash mismatch")
            if e["prev"] != prev:
                raise Bad(f"broken link (prev does not match entry {n - 1})" if n > 1
                          else "broken link (prev of seq 1 is not 64 zeros)")
            header = {k: e[k] for k in HEADER}  # the line minus entry_sha256 and payload
            if hashlib.sha256(canonical(header)).hexdigest() != e["entry_sha256"]:
                raise Bad("entry hash mismatch")
        except (Bad, ValueError, RecursionError) as err:
            reason = err if isinstance(err, Bad) else f"malformed line: {err}"
            raise Bad(f"FAIL seq {n} (line {n}): {reason}") from None
        prev = e["entry_sha256"]
        leaves.append(bytes.fromhex(prev))  # Merkle leaf i = the 32 raw bytes of entry i's hash
    return org, len(leaves), withheld, prev, merkle_root(leaves).hex()


def main():
    ap = argparse.ArgumentParser(description="Verify a coi-register audit chain (JSON Lines).")
    ap.add_argument("chain", help="the export, e.g. chain.jsonl from /<org>/audit/")
    ap.add_argument("--org", help="the organisation's slug (default: the first line's org)")
    args = ap.parse_args()
    with open(args.chain, "rb") as f:
        lines = f.read().split(b"\n")  # not splitlines(): it also splits at U+2028, U+0085 ...
    if lines[-1] == b"":
        lines.pop()  # the newline ending the last line
    try:
        org, count, withheld, head, root = verify(lines, args.org)
    except Bad as fail:
        print(fail)
        sys.exit(1)
    if count == 0:
        print(f"OK: empty chain, 0 entries, merkle root {root}")
    else:
        print(f"OK: {org} {count} entries, {withheld} withheld payloads, head {head}, "
              f"merkle root {root}")


if __name__ == "__main__":
    main()
