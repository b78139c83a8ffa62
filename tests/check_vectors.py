#!/usr/bin/env python3
"""Recompute every audit hash vector from the rules in docs/audit-chain.md.

Usage: python3 tests/check_vectors.py [path]   (default: tests/vectors/audit_vectors.json)
Prints "N vectors OK" and exits 0, or names the first mismatch and exits 1.
Standard library only; shares no code with the service or with tools/verify_chain.py.
"""
import hashlib
import json
import os
import sys

HEADER = ["v", "org", "seq", "at", "actor", "action", "entity", "entity_id",
          "payload_sha256", "prev"]


def canonical(x):
    # RFC 8785 (JCS); for ASCII keys and integers only, exactly this (docs/audit-chain.md, section 2).
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expect(name, got, want):
    if got != want:
        print(f"MISMATCH {name}:\n  expected {want!r}\n  computed {got!r}")
        sys.exit(1)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "vectors", "audit_vectors.json")
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    count = 0

    # 1. Canonical JSON: the exact string, and SHA-256 of its UTF-8 bytes.
    for v in vectors["canonical"]:
        expect(f"canonical {v['name']!r}", canonical(v["input"]), v["canonical"])
        expect(f"sha256 {v['name']!r}", sha(v["canonical"]), v["sha256"])
        count += 1

    # 2. Entries: payload hash, the header binding it, and the entry hash over the header.
    for v in vectors["entries"]:
        h = v["header"]
        expect(f"header keys {v['name']!r}", sorted(h), sorted(HEADER))
        expect(f"payload_sha256 {v['name']!r}", sha(canonical(v["payload"])), v["payload_sha256"])
        expect(f"header.payload_sha256 {v['name']!r}", h["payload_sha256"], v["payload_sha256"])
        expect(f"entry_sha256 {v['name']!r}", sha(canonical(h)), v["entry_sha256"])
        count += 1

    # 3. The chain: seq 1..n, one org, prev links, payload hash unless withheld (null).
    prev, org = "0" * 64, vectors["chain"][0]["org"]
    for n, e in enumerate(vectors["chain"], start=1):
        expect(f"chain line {n} keys", sorted(e), sorted(HEADER + ["entry_sha256", "payload"]))
        expect(f"chain line {n} org", e["org"], org)
        expect(f"chain line {n} seq", e["seq"], n)
        if e["payload"] is not None:
            expect(f"chain seq {n} payload_sha256",
                   sha(canonical(e["payload"])), e["payload_sha256"])
        expect(f"chain seq {n} prev", e["prev"], prev)
        header = {k: e[k] for k in HEADER}  # the export line minus entry_sha256 and payload
        expect(f"chain seq {n} entry_sha256", sha(canonical(header)), e["entry_sha256"])
        prev = e["entry_sha256"]
        count += 1

    print(f"{count} vectors OK")


if __name__ == "__main__":
    main()
