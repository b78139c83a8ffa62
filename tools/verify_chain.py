#!/usr/bin/env python3
"""Verify a coi-register audit chain export, its signed checkpoints and the service's
proofs, independently of the project's own code, with the Python standard library only.

  verify_chain.py chain.jsonl [--org SLUG] [--checkpoint CHECKPOINT_FILE] [--key VERIFIER_KEY]
  verify_chain.py --consistency OLD_CHECKPOINT NEW_CHECKPOINT PROOF_JSON [--key VERIFIER_KEY]
  verify_chain.py --inclusion CHECKPOINT PROOF_JSON ENTRY_SHA256_HEX [--key VERIFIER_KEY]

Implements docs/audit-chain.md, the normative format (sections 3-6): RFC 6962 /
RFC 9162 Merkle trees and proofs, C2SP signed-note and tlog-checkpoint, Ed25519 (RFC 8032).
Prints `OK: ...` and exits 0, or the first problem (`FAIL seq N (line L): reason` for an
entry, `FAIL: reason` otherwise) and exits 1. Python 3.9+.
"""
import argparse
import base64
import hashlib
import json
import os
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
    """RFC 8785 (JCS) as UTF-8 bytes. docs/audit-chain.md section 2: for ASCII keys and integers only, this is it."""
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
    """Check every line in order; return (org, entries, withheld, head, Merkle leaves)."""
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
    return org, len(leaves), withheld, prev, leaves


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_ok(index, size, leaf_hash, path, root):
    """RFC 9162 section 2.1.3.2: does `path` prove that leaf_hash is leaf `index` of the tree?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False  # a hash left over
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root  # sn > 0: a hash missing


def consistency_ok(m, n, old_root, new_root, proof):
    """RFC 9162 section 2.1.4.2: does `proof` show that tree m is a prefix of tree n?"""
    if m == 0 or m == n:  # nothing to prove: every tree extends the empty one, and itself
        return not proof and old_root == (merkle_root([]) if m == 0 else new_root)
    if not 0 < m < n or not proof:
        return False
    if m & (m - 1) == 0:  # m is a power of two: the proof leaves out MTH(D[0:m])
        proof = [old_root] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False  # a hash left over
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root  # sn > 0: a hash missing


# Ed25519 verification: RFC 8032 section 5.1.7, after the RFC's reference code (section 6).
P, L = 2**255 - 19, 2**252 + 27742317777372353535851937790883648493  # field prime, group order
D = -121665 * pow(121666, P - 2, P) % P


def point_add(a, b):  # points in extended coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, xy = T/Z
    A, B = (a[1] - a[0]) * (b[1] - b[0]) % P, (a[1] + a[0]) * (b[1] + b[0]) % P
    C, DD = 2 * a[3] * b[3] * D % P, 2 * a[2] * b[2] % P
    E, F, G, H = B - A, DD - C, DD + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def point_mul(s, a):
    q = (0, 1, 1, 0)  # the neutral element
    while s > 0:
        q, a, s = (point_add(q, a) if s & 1 else q), point_add(a, a), s >> 1
    return q


def point_decompress(b):  # RFC 8032 section 5.1.3; None if the bytes encode no point
    y = int.from_bytes(b, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * pow(2, (P - 1) // 4, P) % P  # times a square root of -1
    if len(b) != 32 or y >= P or (x * x - x2) % P or (x == 0 and sign):
        return None
    x = P - x if x & 1 != sign else x
    return (x, y, 1, x * y % P)


BASE = point_decompress((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))  # y = 4/5, x even


def ed25519_verify(public, msg, sig):
    """[S]B = R + [k]A, without the cofactor, as in the RFC's reference code and in Go."""
    A, R = point_decompress(public), point_decompress(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if len(sig) != 64 or A is None or R is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % L
    left, right = point_mul(s, BASE), point_add(R, point_mul(k, A))
    return all((left[i] * right[2] - right[i] * left[2]) % P == 0 for i in (0, 1))


def b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return b""


def parse_key(key):
    """A C2SP verifier key `<name>+<8 hex key hash>+<base64(0x01 || Ed25519 public key)>`."""
    name, khash, raw = (key.strip().split("+", 2) + ["", ""])[:3]
    raw = b64(raw)
    if not name or not re.fullmatch("[0-9a-f]{8}", khash) or len(raw) != 33 or raw[0] != 1 \
            or hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4] != bytes.fromhex(khash):
        raise Bad(f"FAIL: {key.strip()[:99]!r} is not an Ed25519 verifier key (name+hash+base64)")
    return name, bytes.fromhex(khash), raw[1:]


def verify_note(data, key=None, what="note"):
    """Open a C2SP signed note (text, empty line, lines `— <name> <base64(4-byte key hash ||
    signature)>`); with a verifier key, require its signatures to verify. Return the text."""
    try:
        note = data.decode("utf-8")
    except UnicodeDecodeError:
        note = ""
    text, sep, sig_text = note.rpartition("\n\n")
    sigs = [re.fullmatch("\u2014 ([^\\s+]+) ([A-Za-z0-9+/=]+)", s) for s in sig_text.split("\n")]
    sigs = [(m[1], b64(m[2])) if m else ("", b"") for m in sigs[:-1]]
    if not sep or not sigs or min(len(s) for _, s in sigs) < 5 or not note.endswith("\n") \
            or re.search("[\x00-\x09\x0b-\x1f\x7f]", note):
        raise Bad(f"FAIL: {what} is not a signed note (text, empty line, signature lines)")
    text = (text + "\n").encode()
    if key is not None:
        name, khash, public = parse_key(key)
        mine = [s[4:] for n, s in sigs if n == name and s[:4] == khash]
        if not mine:
            raise Bad(f"FAIL: {what} has no signature by {name}+{khash.hex()}")
        if not all(ed25519_verify(public, text, s) for s in mine):
            raise Bad(f"FAIL: {what} signature does not verify")
    return text


def read_checkpoint(path, key):
    """A C2SP tlog-checkpoint: three lines, origin, tree size, base64 root hash."""
    with open(path, "rb") as f:
        try:
            lines = verify_note(f.read(), key, "checkpoint").decode().split("\n")[:-1]
        except Bad as fail:
            raise Bad(f"{fail} ({path})") from None
    root = b64(lines[2]) if len(lines) == 3 else b""
    if len(root) != 32 or base64.b64encode(root).decode() != lines[2] or not lines[0] \
            or not re.fullmatch("0|[1-9][0-9]{0,18}", lines[1]):
        raise Bad(f"FAIL: {path} is not a checkpoint (origin, tree size, base64 root hash)")
    return lines[0], int(lines[1]), root


def read_proof(path, numbers, hashes):
    """The service's JSON answer; only its sizes and hashes are used, the roots are signed."""
    with open(path, "rb") as f:
        try:
            p = json.loads(f.read().decode("utf-8"))
        except ValueError:
            p = None
    if not (isinstance(p, dict) and all(type(p.get(k)) is int for k in numbers)
            and isinstance(p.get(hashes), list)
            and all(isinstance(h, str) and HEX64.fullmatch(h) for h in p[hashes])):
        raise Bad(f"FAIL: {path} is not a proof ({', '.join(numbers)} and a list {hashes})")
    return p, [bytes.fromhex(h) for h in p[hashes]]


def check_chain(path, org, checkpoint, key):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")  # not splitlines(): it also splits at U+2028, U+0085 ...
    if lines[-1] == b"":
        lines.pop()  # the newline ending the last line
    org, count, withheld, head, leaves = verify(lines, org)
    root = merkle_root(leaves).hex()
    out = (f"OK: {org} {count} entries, {withheld} withheld payloads, head {head}, merkle root "
           f"{root}") if count else f"OK: empty chain, 0 entries, merkle root {root}"
    if checkpoint is None:
        return out
    size, checkpoint_root = read_checkpoint(checkpoint, key)[1:]
    if size > count:
        raise Bad(f"FAIL: checkpoint {size} covers more entries than the file holds ({count})")
    if merkle_root(leaves[:size]) != checkpoint_root:
        raise Bad(f"FAIL: entries do not match the checkpoint (root over the first {size} "
                  "entries differs)")
    return out + f", checkpoint {size} verified"


def check_consistency(old, new, proof_file, key):
    (old_origin, m, old_root), (new_origin, n, new_root) = (read_checkpoint(old, key),
                                                            read_checkpoint(new, key))
    p, proof = read_proof(proof_file, ["from", "to"], "proof")
    if old_origin != new_origin:
        raise Bad(f"FAIL: the checkpoints are of different logs ({old_origin}, {new_origin})")
    if (p["from"], p["to"]) != (m, n):
        raise Bad(f"FAIL: the proof is from {p['from']} to {p['to']}, not from {m} to {n}")
    if not consistency_ok(m, n, old_root, new_root, proof):
        raise Bad(f"FAIL: checkpoint {m} is not consistent with checkpoint {n} "
                  "(the proof does not verify)")
    return f"OK: checkpoint {m} is consistent with checkpoint {n}"


def check_inclusion(checkpoint, proof_file, entry, key):
    size, root = read_checkpoint(checkpoint, key)[1:]
    p, path = read_proof(proof_file, ["seq", "size", "leaf_index"], "path")
    if not HEX64.fullmatch(entry):
        raise Bad("FAIL: ENTRY_SHA256_HEX must be 64 lower-case hex digits")
    if p["size"] != size:
        raise Bad(f"FAIL: the proof is for a tree of size {p['size']}, not checkpoint {size}")
    if (p["leaf_index"], p.get("entry_sha256")) != (p["seq"] - 1, entry):
        raise Bad(f"FAIL: the proof is for entry {p.get('entry_sha256')} at leaf "
                  f"{p['leaf_index']} (seq {p['seq']}), not for {entry}")
    leaf_hash = hashlib.sha256(b"\x00" + bytes.fromhex(entry)).digest()
    if not inclusion_ok(p["leaf_index"], size, leaf_hash, path, root):
        raise Bad(f"FAIL: entry seq {p['seq']} is not in checkpoint {size} "
                  "(the proof does not verify)")
    return f"OK: entry seq {p['seq']} ({entry}) is included in checkpoint {size}"


def main():
    ap = argparse.ArgumentParser(description="Verify a coi-register audit chain (JSON Lines), "
                                 "its signed checkpoints, and inclusion and consistency proofs.")
    ap.add_argument("chain", nargs="?", help="the export, e.g. chain.jsonl from /<org>/audit/")
    ap.add_argument("--org", help="the organisation's slug (default: the first line's org)")
    ap.add_argument("--checkpoint", metavar="CHECKPOINT_FILE",
                    help="check the chain against a checkpoint, e.g. /<org>/audit/checkpoint")
    ap.add_argument("--consistency", nargs=3, metavar=("OLD_CHECKPOINT", "NEW_CHECKPOINT",
                    "PROOF_JSON"), help="from /api/v1/orgs/<org>/audit/proof/consistency")
    ap.add_argument("--inclusion", nargs=3, metavar=("CHECKPOINT", "PROOF_JSON",
                    "ENTRY_SHA256_HEX"), help="from /api/v1/orgs/<org>/audit/proof/inclusion")
    ap.add_argument("--key", metavar="VERIFIER_KEY", help="check checkpoint signatures: the "
                    "verifier key published on /<org>/audit/, or a file holding it")
    args = ap.parse_args()
    if [args.chain is not None, bool(args.consistency), bool(args.inclusion)].count(True) != 1 \
            or (args.chain is None and (args.org or args.checkpoint)):
        ap.error("give a chain file (with --org, --checkpoint), or --consistency, or --inclusion")
    key = args.key
    try:
        if key is not None and os.path.isfile(key):
            with open(key, encoding="utf-8") as f:
                key = f.read()
            parse_key(key)  # a malformed key fails here, before any checkpoint is read
        if args.consistency:
            out = check_consistency(*args.consistency, key)
        elif args.inclusion:
            out = check_inclusion(*args.inclusion, key)
        else:
            out = check_chain(args.chain, args.org, args.checkpoint, key)
    except (Bad, OSError) as fail:
        print(fail if isinstance(fail, Bad) else f"FAIL: {fail}")
        sys.exit(1)
    if key is None and (args.checkpoint or args.consistency or args.inclusion):
        out += (" (signature not checked)\nWARNING: the checkpoint signature was not checked;"
                " give --key with the verifier key published on /<org>/audit/")
    print(out)


if __name__ == "__main__":
    main()
