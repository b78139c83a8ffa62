#!/usr/bin/env python3
"""Self-test for tools/verify_chain.py and tests/check_vectors.py (stdlib unittest only).

Usage: python3 tests/test_verify_chain.py

Writes the vector chain (tests/vectors/audit_vectors.json) and tampered copies of it to a
temporary directory, runs the verifier on each as an auditor would, and checks the exit
code and the reported seq and reason. Then builds C2SP checkpoints of the vector chain and
RFC 6962 proofs between them (with a naive implementation of the RFC's definitions, written
independently of the verifier's RFC 9162 algorithms) and checks that the verifier accepts
them and rejects every altered one.

The standard library cannot make Ed25519 signatures: the tests that sign checkpoints use the
`cryptography` package when it is installed (which also cross-checks the verifier's pure-
Python Ed25519 against a stock implementation) and are skipped when it is not. The fixed
vectors (Go's sumdb note package, RFC 8032) need no signing and always run.
"""
import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFIER = os.path.join(HERE, "..", "tools", "verify_chain.py")
CHECKER = os.path.join(HERE, "check_vectors.py")
VECTORS = os.path.join(HERE, "vectors", "audit_vectors.json")
HEADER = ["v", "org", "seq", "at", "actor", "action", "entity", "entity_id",
          "payload_sha256", "prev"]
FAIL = re.compile(r"FAIL seq (\d+) \(line (\d+)\): (.+)")
sys.path.insert(0, os.path.dirname(VERIFIER))
import verify_chain  # noqa: E402  (for the functions tested directly)

try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
except ImportError:
    if os.environ.get("CI") == "true":
        # In CI a missing package must fail the run, not turn six tests into green skips.
        raise SystemExit("CI: the `cryptography` package is required for the signed-checkpoint "
                         "tests (.ci/run installs it)")
    Ed25519PrivateKey = None
needs_signing = unittest.skipIf(
    Ed25519PrivateKey is None, "the `cryptography` package is not installed, so no Ed25519 "
    "signatures can be made: signed-checkpoint tests skipped (pip install cryptography)")


def sha(x):
    text = json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reseal(entry):
    """Recompute an entry's hashes, as a forger with write access to the export would."""
    if entry["payload"] is not None:
        entry["payload_sha256"] = sha(entry["payload"])
    entry["entry_sha256"] = sha({k: entry[k] for k in HEADER})
    return entry


def build_chain(org, payloads):
    prev, chain = "0" * 64, []
    for seq, payload in enumerate(payloads, start=1):
        e = {"v": 1, "org": org, "seq": seq, "at": "2024-05-0%dT12:00:00Z" % seq,
             "actor": "system", "action": "create", "entity": "declaration",
             "entity_id": str(seq), "payload_sha256": "", "prev": prev, "payload": payload}
        prev = reseal(e)["entry_sha256"]
        chain.append(e)
    return chain


class VerifyChainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(VECTORS, encoding="utf-8") as f:
            cls.vectors = json.load(f)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def chain(self):
        return copy.deepcopy(self.vectors["chain"])

    def write(self, entries, name, raw_lines=None):
        path = os.path.join(self.tmp.name, name + ".jsonl")
        lines = raw_lines if raw_lines is not None else [
            json.dumps(e, ensure_ascii=False) for e in entries]
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("".join(line + "\n" for line in lines))
        return path

    def run_verifier(self, path, *args):
        p = subprocess.run([sys.executable, VERIFIER, path, *args],
                           capture_output=True, text=True, encoding="utf-8")
        self.assertEqual(p.stderr, "", "the verifier must not crash")
        return p.returncode, p.stdout.strip()

    def assert_ok(self, path, *args, entries=5, withheld=1):
        code, out = self.run_verifier(path, *args)
        self.assertEqual(code, 0, out)
        self.assertIn(f" {entries} entries, {withheld} withheld payloads, head ", out)
        return out

    def assert_fails(self, entries, name, seq, reason, *args, raw_lines=None):
        code, out = self.run_verifier(self.write(entries, name, raw_lines), *args)
        self.assertEqual(code, 1, out)
        m = FAIL.fullmatch(out)
        self.assertIsNotNone(m, out)
        self.assertEqual((int(m[1]), int(m[2])), (seq, seq), out)
        self.assertTrue(m[3].startswith(reason), out)

    # --- good chains ---------------------------------------------------------------

    def test_vector_chain_with_seq_3_withheld_verifies(self):
        chain = self.chain()
        self.assertIsNone(chain[2]["payload"])
        out = self.assert_ok(self.write(chain, "good"))
        self.assertIn("OK: vector-ccg 5 entries", out)
        self.assertIn("head " + chain[-1]["entry_sha256"], out)
        self.assertIn("merkle root 5c6c82338c243dda9d05c3c4f5cdc594d59ebd5ecd739fb64f197c7bb8864d06", out)
        self.assert_ok(self.write(chain, "good-org"), "--org", "vector-ccg")

    def test_auditor_view_with_every_payload_gives_the_same_head(self):
        chain = self.chain()
        chain[2]["payload"] = self.vectors["entries"][2]["payload"]  # as an auditor fetches it
        out = self.assert_ok(self.write(chain, "auditor"), withheld=0)
        self.assertIn("head " + chain[-1]["entry_sha256"], out)

    def test_withholding_a_payload_keeps_the_entry_hash_valid(self):
        chain = self.chain()
        chain[0]["payload"] = None
        self.assert_ok(self.write(chain, "withheld-1"), withheld=2)

    def test_empty_file_is_an_empty_chain(self):
        code, out = self.run_verifier(self.write([], "empty"))
        self.assertEqual(code, 0)
        self.assertIn("0 entries", out)
        self.assertIn("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", out)

    def test_line_separators_inside_strings_do_not_split_lines(self):
        chain = build_chain("u-ccg", [{"d": "a\u2028b\u2029c\x85d\x1ce"}, {"d": "caf\u00e9 \U0001F600"}])
        self.assert_ok(self.write(chain, "u2028"), entries=2, withheld=0)

    def test_crlf_line_endings_are_accepted(self):
        lines = [json.dumps(e) + "\r" for e in self.chain()]
        self.assert_ok(self.write(None, "crlf", raw_lines=lines))

    def test_truncating_the_tail_is_not_detectable_without_a_checkpoint(self):
        # The chain alone cannot show that later entries existed; signed tree heads can.
        self.assert_ok(self.write(self.chain()[:4], "truncated"), entries=4)

    # --- tampering -----------------------------------------------------------------

    def test_changed_payload_field(self):
        chain = self.chain()
        chain[1]["payload"]["value_pence"] += 1
        self.assert_fails(chain, "payload", 2, "payload hash mismatch")

    def test_changed_at(self):
        chain = self.chain()
        chain[3]["at"] = "2024-03-14T16:30:06Z"
        self.assert_fails(chain, "at", 4, "entry hash mismatch")

    def test_changed_and_resealed_entry_breaks_the_next_link(self):
        chain = self.chain()
        chain[2]["at"] = "2024-03-12T08:00:00Z"
        reseal(chain[2])
        self.assert_fails(chain, "resealed", 4, "broken link (prev does not match entry 3)")

    def test_prev_of_seq_1_must_be_zeros(self):
        chain = self.chain()
        chain[0]["prev"] = "1" * 64
        self.assert_fails([reseal(chain[0])] + chain[1:], "prev1", 1, "broken link")

    def test_deleted_line(self):
        chain = self.chain()
        del chain[2]
        self.assert_fails(chain, "deleted", 3, "gap (expected seq 3, found 4)")
        self.assert_fails(self.chain()[1:], "deleted-first", 1, "gap (expected seq 1, found 2)")

    def test_swapped_lines(self):
        chain = self.chain()
        chain[1], chain[2] = chain[2], chain[1]
        self.assert_fails(chain, "swapped", 2, "gap (expected seq 2, found 3)")

    def test_swapped_and_renumbered_lines(self):
        chain = self.chain()
        chain[1], chain[2] = chain[2], chain[1]
        chain[1]["seq"], chain[2]["seq"] = 2, 3
        self.assert_fails(chain, "renumbered", 2, "broken link (prev does not match entry 1)")

    def test_changed_org(self):
        chain = self.chain()
        chain[3]["org"] = "other-ccg"
        self.assert_fails(chain, "org", 4, "wrong org (expected vector-ccg, found other-ccg)")
        everywhere = self.chain()
        for e in everywhere:
            e["org"] = "other-ccg"
        self.assert_fails(everywhere, "org-all", 1, "entry hash mismatch")
        self.assert_fails(everywhere, "org-all-flag", 1,
                          "wrong org (expected vector-ccg, found other-ccg)", "--org", "vector-ccg")

    def test_malformed_lines(self):
        cases = {
            "not json": lambda e: "{not json",
            "extra key": lambda e: json.dumps(dict(e, extra=1)),
            "missing key": lambda e: json.dumps({k: v for k, v in e.items() if k != "actor"}),
            "float": lambda e: json.dumps(dict(e, payload=dict(e["payload"], value_pence=1.5))),
            "big integer": lambda e: json.dumps(dict(e, payload={"n": 2**53})),
            "v true": lambda e: json.dumps(dict(e, v=True)),
            "seq string": lambda e: json.dumps(dict(e, seq="2")),
            "upper-case hex": lambda e: json.dumps(dict(e, prev=e["prev"].upper())),
            "at not UTC": lambda e: json.dumps(dict(e, at="2024-03-10T18:02:41+00:00")),
            "payload array": lambda e: json.dumps(dict(e, payload=[])),
            "duplicate key": lambda e: json.dumps(e)[:-1] + ', "payload": null}',
            "blank line": lambda e: "",
            "array": lambda e: "[]",
        }
        for name, make in cases.items():
            with self.subTest(name):
                lines = [json.dumps(e) for e in self.chain()]
                lines[1] = make(self.chain()[1])
                self.assert_fails(None, "malformed", 2, "malformed line: ", raw_lines=lines)

    def test_invalid_utf8(self):
        path = self.write(self.chain(), "utf8")
        with open(path, "ab") as f:
            f.write(b'{"v": 1, "org": "vector-ccg\xff"}\n')
        code, out = self.run_verifier(path)
        self.assertEqual((code, FAIL.fullmatch(out)[1]), (1, "6"), out)

    def test_merkle_root_matches_rfc_6962_reference_vectors(self):
        # Leaves and roots from the Certificate Transparency reference tests.
        merkle_root = verify_chain.merkle_root
        leaves = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243",
                                             "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
        roots = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                 "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                 "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                 "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                 "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                 "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                 "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
        for n, root in enumerate(roots):
            self.assertEqual(merkle_root(leaves[:n]).hex(), root, f"size {n}")

    # --- check_vectors.py ----------------------------------------------------------

    def test_check_vectors_passes_and_catches_a_changed_vector(self):
        p = subprocess.run([sys.executable, CHECKER], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "30 vectors OK"))
        bad = copy.deepcopy(self.vectors)
        bad["canonical"][9]["canonical"] = bad["canonical"][9]["canonical"].replace(
            "\\u001f", "\\u001F")
        path = os.path.join(self.tmp.name, "bad_vectors.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(bad, f)
        p = subprocess.run([sys.executable, CHECKER, path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("MISMATCH canonical", p.stdout)


# --- RFC 6962 section 2.1, as defined there, independently of the verifier -------------

def mth(d):
    """MTH(D[n]): the Merkle Tree Hash of the list of leaves d."""
    if len(d) == 0:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = split(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def split(n):
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def audit_path(m, d):
    """PATH(m, D[n]): the inclusion proof of leaf m (0-based)."""
    if len(d) <= 1:
        return []
    k = split(len(d))
    if m < k:
        return audit_path(m, d[:k]) + [mth(d[k:])]
    return audit_path(m - k, d[k:]) + [mth(d[:k])]


def consistency_proof(m, d):
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m < n."""
    def subproof(m, d, b):
        if m == len(d):
            return [] if b else [mth(d)]
        k = split(len(d))
        if m <= k:
            return subproof(m, d[:k], b) + [mth(d[k:])]
        return subproof(m - k, d[k:], False) + [mth(d[:k])]
    return subproof(m, d, True)


def b64(data):
    return base64.b64encode(data).decode()


def raw_public_key(private_key):
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class Signer:
    """A C2SP signed-note Ed25519 signer, made with the `cryptography` package."""
    def __init__(self, name):
        self.key = Ed25519PrivateKey.generate()
        public = raw_public_key(self.key)
        self.name = name
        self.key_hash = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
        self.verifier_key = name + "+" + self.key_hash.hex() + "+" + b64(b"\x01" + public)

    def signature_line(self, text, name=None, key_hash=None):
        sig = self.key.sign(text.encode())
        return f"\u2014 {name or self.name} {b64((key_hash or self.key_hash) + sig)}\n"


GO_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
          "qfqdngotpRZb6KE6RyyBwJnAM=\n")
GO_SECRET = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ORIGIN = "coi-register/vector-ccg"
# Checkpoints of the vector chain at sizes 3 and 5, signed with Go's (published) test key
# GO_SECRET; Ed25519 signatures are deterministic, so test_fixed_signatures_... remakes them.
FIXED = {
    3: ("w3ZqrPWOdDksmPrjMSMcywes3pHMfguEL8OVKhrBHyc=",
        "x08gozUQwqLlrYIttOV9KCNXw0uEgZT5Ma3MuDpj8+xtePx5MiMUm15cayRUODd+gf9ZMhoVTwpiebsCTvX6LX9mpgk="),
    5: ("XGyCM4wkPdqdBcPE9c3FlNWevV7Nc5+2Txl8e7iGTQY=",
        "x08go6pgqkLVJke2j8iSrhRzexP1DpjMh9NFmiCvAo8QWvrh+xK0SUCKPdlUMP1pxaYyQ7fFg43K5+9Ol3Cg6St6VgQ="),
}
UNSIGNED = "\u2014 coi-register " + b64(bytes(68)) + "\n"  # right form; never verifies


class CheckpointTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(VECTORS, encoding="utf-8") as f:
            cls.chain = json.load(f)["chain"]
        cls.leaves = [bytes.fromhex(e["entry_sha256"]) for e in cls.chain]
        cls.tmp = tempfile.TemporaryDirectory()
        cls.files = 0
        cls.signer = Signer("coi-register") if Ed25519PrivateKey else None
        cls.other = Signer("coi-register") if Ed25519PrivateKey else None

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def file(self, content, suffix=""):
        type(self).files += 1
        path = os.path.join(self.tmp.name, f"f{self.files}{suffix}")
        with open(path, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    def chain_file(self, entries):
        return self.file("".join(json.dumps(e) + "\n" for e in entries), ".jsonl")

    def checkpoint(self, size, root=None, signer=None, origin=ORIGIN, sig=None):
        body = f"{origin}\n{size}\n{b64(root or mth(self.leaves[:size]))}\n"
        return self.file(body + "\n" + (sig or (signer.signature_line(body) if signer else UNSIGNED)))

    def run_verifier(self, *args):
        p = subprocess.run([sys.executable, VERIFIER, *args],
                           capture_output=True, text=True, encoding="utf-8")
        self.assertEqual(p.stderr, "", "the verifier must not crash")
        return p.returncode, p.stdout.strip()

    def assert_ok(self, *args, start):
        code, out = self.run_verifier(*args)
        self.assertEqual(code, 0, out)
        self.assertTrue(out.startswith(start), out)
        return out

    def assert_fails(self, *args, reason):
        code, out = self.run_verifier(*args)
        self.assertEqual(code, 1, out)
        self.assertTrue(out.startswith("FAIL: " + reason), out)

    def consistency_json(self, m, n, proof=None, **extra):
        proof = consistency_proof(m, self.leaves[:n]) if proof is None else proof
        return self.file(json.dumps(dict({"from": m, "to": n, "from_root": mth(self.leaves[:m]).hex(),
                                          "to_root": mth(self.leaves[:n]).hex(),
                                          "proof": [h.hex() for h in proof]}, **extra)), ".json")

    def inclusion_json(self, seq, size, path=None, **extra):
        path = audit_path(seq - 1, self.leaves[:size]) if path is None else path
        return self.file(json.dumps(dict({"seq": seq, "size": size, "leaf_index": seq - 1,
                                          "entry_sha256": self.leaves[seq - 1].hex(),
                                          "root": mth(self.leaves[:size]).hex(),
                                          "path": [h.hex() for h in path]}, **extra)), ".json")

    # --- signed notes and Ed25519, fixed vectors ------------------------------------

    def test_go_sumdb_note_vector(self):
        # golang.org/x/mod/sumdb/note, note_test.go: needs no signing.
        note = (GO_TEXT + "\n" + GO_SIG).encode()
        self.assertEqual(verify_chain.verify_note(note, GO_KEY), GO_TEXT.encode())
        for changed in [note.replace(b"answer", b"Answer"), note.replace(b"is.", b"is!"),
                        note.replace(b"2pZSNXg", b"2pZSNXh")]:
            with self.assertRaisesRegex(verify_chain.Bad, "^FAIL: note signature does not verify"):
                verify_chain.verify_note(changed, GO_KEY)
        with self.assertRaisesRegex(verify_chain.Bad, "no signature by PeterNeumann"):
            verify_chain.verify_note(note.replace(b"PeterNeumann", b"PeterNeuman"), GO_KEY)
        with self.assertRaisesRegex(verify_chain.Bad, "not an Ed25519 verifier key"):
            verify_chain.verify_note(note, GO_KEY.replace("c74f20a3", "c74f20a4"))

    def fixed(self, size, signed_size=None):
        """The fixed checkpoint of `size`, or another size's body under its signature."""
        body = f"{ORIGIN}\n{size}\n{FIXED[size][0]}\n"
        return self.file(body + f"\n\u2014 PeterNeumann {FIXED[signed_size or size][1]}\n")

    def test_fixed_signed_checkpoints_verify_with_the_go_test_key(self):
        chain = self.chain_file(self.chain)
        for size in [3, 5]:
            self.assertEqual(base64.b64decode(FIXED[size][0]), mth(self.leaves[:size]))
            out = self.assert_ok(chain, "--checkpoint", self.fixed(size), "--key", GO_KEY,
                                 start="OK: vector-ccg 5 entries")
            self.assertTrue(out.endswith(f", checkpoint {size} verified"), out)
        self.assert_ok("--consistency", self.fixed(3), self.fixed(5), self.consistency_json(3, 5),
                       "--key", GO_KEY, start="OK: checkpoint 3 is consistent with checkpoint 5")
        self.assert_ok("--inclusion", self.fixed(5), self.inclusion_json(4, 5), self.leaves[3].hex(),
                       "--key", GO_KEY, start="OK: entry seq 4")
        for args in [(chain, "--checkpoint", self.fixed(3, signed_size=5)),
                     ("--consistency", self.fixed(3), self.fixed(5, signed_size=3),
                      self.consistency_json(3, 5)),
                     ("--inclusion", self.fixed(5, signed_size=3), self.inclusion_json(4, 5),
                      self.leaves[3].hex())]:
            self.assert_fails(*args, "--key", GO_KEY, reason="checkpoint signature does not verify")

    @needs_signing
    def test_fixed_signatures_are_what_the_go_test_key_makes(self):
        seed = base64.b64decode(GO_SECRET.split("+", 4)[4])[1:]
        key = Ed25519PrivateKey.from_private_bytes(seed)
        for size, (root, sig) in FIXED.items():
            body = f"{ORIGIN}\n{size}\n{root}\n".encode()
            self.assertEqual(b64(bytes.fromhex("c74f20a3") + key.sign(body)), sig)

    def test_ed25519_rfc_8032_vectors(self):
        # RFC 8032 section 7.1, TEST 1 and TEST 2.
        for public, msg, sig in [
            ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
             "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
             "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]:
            public, msg, sig = bytes.fromhex(public), bytes.fromhex(msg), bytes.fromhex(sig)
            self.assertTrue(verify_chain.ed25519_verify(public, msg, sig))
            self.assertFalse(verify_chain.ed25519_verify(public, msg + b"!", sig))
            self.assertFalse(verify_chain.ed25519_verify(public, msg, sig[:-1] + b"\x01"))
            s = int.from_bytes(sig[32:], "little") + verify_chain.L  # the same S, not reduced
            self.assertFalse(verify_chain.ed25519_verify(public, msg, sig[:32] + s.to_bytes(32, "little")))

    def test_ed25519_rejects_non_canonical_points(self):
        identity = (1).to_bytes(32, "little")  # x = 0, y = 1
        self.assertEqual(verify_chain.point_decompress(identity)[:2], (0, 1))
        minus_zero = identity[:31] + b"\x80"  # x = 0 with the sign bit set: RFC 8032 5.1.3
        p_plus_one = (verify_chain.P + 1).to_bytes(32, "little")  # y >= p
        for bad in [minus_zero, p_plus_one]:
            self.assertIsNone(verify_chain.point_decompress(bad))
            base = (4 * pow(5, verify_chain.P - 2, verify_chain.P) % verify_chain.P).to_bytes(32, "little")
            sig = base + (1).to_bytes(32, "little")  # R = B, S = 1: [S]B = R + [k]A if A = 0
            self.assertFalse(verify_chain.ed25519_verify(bad, b"any message", sig))

    @needs_signing
    def test_ed25519_agrees_with_the_cryptography_package(self):
        for i in range(20):
            msg = os.urandom(i * 7)
            sig = self.signer.key.sign(msg)
            public = raw_public_key(self.signer.key)
            self.assertTrue(verify_chain.ed25519_verify(public, msg, sig))
            bad = bytearray(sig)
            bad[i % 64] ^= 1 << (i % 8)
            self.assertFalse(verify_chain.ed25519_verify(public, msg, bytes(bad)))

    # --- the chain against a checkpoint ---------------------------------------------

    def test_checkpoints_at_size_5_and_3_verify_without_a_key_with_a_warning(self):
        chain = self.chain_file(self.chain)
        for size in [5, 3, 0]:
            out = self.assert_ok(chain, "--checkpoint", self.checkpoint(size), start="OK: vector-ccg 5")
            self.assertIn(f", checkpoint {size} verified (signature not checked)\nWARNING: ", out)

    @needs_signing
    def test_signed_checkpoints_verify_with_the_key_or_a_key_file(self):
        chain, key_file = self.chain_file(self.chain), self.file(self.signer.verifier_key + "\n")
        for size in [5, 3]:
            cp = self.checkpoint(size, signer=self.signer)
            for key in [self.signer.verifier_key, key_file]:
                out = self.assert_ok(chain, "--checkpoint", cp, "--key", key, start="OK: vector-ccg 5")
                self.assertTrue(out.endswith(f", checkpoint {size} verified"), out)
        # Other signatures, by keys we do not know, are ignored.
        body = f"{ORIGIN}\n5\n{b64(mth(self.leaves))}\n"
        cp = self.file(body + "\n" + UNSIGNED + self.signer.signature_line(body))
        self.assert_ok(chain, "--checkpoint", cp, "--key", self.signer.verifier_key, start="OK: ")

    def test_checkpoint_with_a_wrong_root_fails(self):
        chain = self.chain_file(self.chain)
        for size, root in [(5, mth(self.leaves[:4])), (3, mth(self.leaves[1:4])), (0, bytes(32))]:
            self.assert_fails(chain, "--checkpoint", self.checkpoint(size, root), reason=(
                f"entries do not match the checkpoint (root over the first {size} entries differs)"))

    def test_checkpoint_of_a_longer_chain_catches_a_truncated_export(self):
        chain = self.chain_file(self.chain[:4])
        self.assert_fails(chain, "--checkpoint", self.checkpoint(5),
                          reason="checkpoint 5 covers more entries than the file holds (4)")

    def test_a_bad_chain_still_fails_at_its_entry_first(self):
        chain = copy.deepcopy(self.chain)
        chain[1]["at"] = "2024-03-14T16:30:06Z"
        code, out = self.run_verifier(self.chain_file(chain), "--checkpoint", self.checkpoint(5))
        self.assertEqual((code, FAIL.fullmatch(out)[1]), (1, "2"), out)

    @needs_signing
    def test_checkpoint_signed_by_another_key_fails_with_the_key(self):
        chain, key = self.chain_file(self.chain), self.signer.verifier_key
        self.assert_fails(chain, "--checkpoint", self.checkpoint(5, signer=self.other), "--key", key,
                          reason="checkpoint has no signature by " + "+".join(key.split("+")[:2]))
        self.assert_fails(chain, "--checkpoint", self.checkpoint(5), "--key", key,
                          reason="checkpoint has no signature by")
        body = f"{ORIGIN}\n5\n{b64(mth(self.leaves))}\n"
        forged = self.other.signature_line(body, key_hash=self.signer.key_hash)
        good_and_forged = self.signer.signature_line(body) + forged
        self.assert_fails(chain, "--checkpoint", self.checkpoint(5, sig=forged), "--key", key,
                          reason="checkpoint signature does not verify")
        # Every signature by the key must verify, as in Go's note.Open.
        self.assert_fails(chain, "--checkpoint", self.checkpoint(5, sig=good_and_forged), "--key", key,
                          reason="checkpoint signature does not verify")
        # The right key's signature, moved onto a different checkpoint body.
        good = self.signer.signature_line(body)
        self.assert_fails(chain, "--checkpoint", self.checkpoint(3, sig=good), "--key", key,
                          reason="checkpoint signature does not verify")
        self.assert_fails(chain, "--checkpoint", self.checkpoint(5, signer=self.signer),
                          "--key", key[:-2] + "AA", reason="'coi-register+")
        self.assert_fails("--consistency", "missing", "files", "here", "--key", self.checkpoint(5),
                          reason="'coi-register/vector-ccg\\n5")  # a checkpoint is not a key

    def test_malformed_checkpoints_fail(self):
        chain, root = self.chain_file(self.chain), b64(mth(self.leaves))
        self.assertTrue(root.endswith("Y="))  # Y = 011000: its last 2 bits are padding
        for name, text in {
            "no empty line": f"{ORIGIN}\n5\n{root}\n{UNSIGNED}",
            "no signature": f"{ORIGIN}\n5\n{root}\n\n",
            "no final newline": f"{ORIGIN}\n5\n{root}\n\n{UNSIGNED[:-1]}",
            "hyphen, not em dash": f"{ORIGIN}\n5\n{root}\n\n-{UNSIGNED[1:]}",
            "carriage returns": f"{ORIGIN}\r\n5\r\n{root}\r\n\r\n{UNSIGNED}",
            "control character": f"{ORIGIN}\x7f\n5\n{root}\n\n{UNSIGNED}",
            "tab": f"{ORIGIN}\n5\n{root}\n\n{UNSIGNED[:-1]}\t\n",
            "two lines": f"{ORIGIN}\n{root}\n\n{UNSIGNED}",
            "leading zero": f"{ORIGIN}\n05\n{root}\n\n{UNSIGNED}",
            "negative size": f"{ORIGIN}\n-5\n{root}\n\n{UNSIGNED}",
            "hex root": f"{ORIGIN}\n5\n{mth(self.leaves).hex()}\n\n{UNSIGNED}",
            "short root": f"{ORIGIN}\n5\n{b64(bytes(31))}\n\n{UNSIGNED}",
            "empty origin": f"\n5\n{root}\n\n{UNSIGNED}",
            "extension line": f"{ORIGIN}\n5\n{root}\nmore\n\n{UNSIGNED}",
            "root without padding": f"{ORIGIN}\n5\n{root.rstrip('=')}\n\n{UNSIGNED}",
            "root not canonical": f"{ORIGIN}\n5\n{root[:-2]}Z=\n\n{UNSIGNED}",  # same bytes
            "no final newline, two signatures": f"{ORIGIN}\n5\n{root}\n\n{UNSIGNED * 2}"[:-1],
        }.items():
            with self.subTest(name):
                self.assert_fails(chain, "--checkpoint", self.file(text), reason="")
        self.assert_fails(chain, "--checkpoint", self.file(b"\xff\n5\n\n"), reason="checkpoint is not")
        self.assert_fails(chain, "--checkpoint", os.path.join(self.tmp.name, "nothing"), reason="")

    # --- consistency proofs ---------------------------------------------------------

    def test_consistency_3_to_5_verifies(self):
        old, new = self.checkpoint(3), self.checkpoint(5)
        out = self.assert_ok("--consistency", old, new, self.consistency_json(3, 5),
                             start="OK: checkpoint 3 is consistent with checkpoint 5")
        self.assertIn("WARNING: ", out)
        # The roots in the JSON are not used: the signed checkpoints' roots are.
        lying = self.consistency_json(3, 5, from_root="00" * 32, to_root="11" * 32)
        self.assert_ok("--consistency", old, new, lying, start="OK: checkpoint 3 is consistent")
        for m, n in [(1, 5), (2, 5), (4, 5), (1, 2), (5, 5), (0, 5), (3, 3)]:
            self.assert_ok("--consistency", self.checkpoint(m), self.checkpoint(n),
                           self.consistency_json(m, n, proof=[] if m in (0, n) else None),
                           start=f"OK: checkpoint {m} is consistent with checkpoint {n}")

    @needs_signing
    def test_consistency_with_signed_checkpoints(self):
        key = self.signer.verifier_key
        old, new = self.checkpoint(3, signer=self.signer), self.checkpoint(5, signer=self.signer)
        out = self.assert_ok("--consistency", old, new, self.consistency_json(3, 5), "--key", key,
                             start="OK: checkpoint 3 is consistent with checkpoint 5")
        self.assertNotIn("WARNING", out)
        self.assert_fails("--consistency", old, self.checkpoint(5, signer=self.other),
                          self.consistency_json(3, 5), "--key", key, reason="checkpoint has no signature")

    def test_consistency_fails_with_an_altered_proof(self):
        old, new, proof = self.checkpoint(3), self.checkpoint(5), consistency_proof(3, self.leaves)
        self.assertEqual(len(proof), 4)
        fails = "checkpoint 3 is not consistent with checkpoint 5 (the proof does not verify)"
        for name, altered in {
            "modified hash": [proof[0], bytes([proof[1][0] ^ 1]) + proof[1][1:]] + proof[2:],
            "extra hash at the end": proof + [proof[0]],
            "extra hash at the start": [mth(self.leaves[:3])] + proof,
            "missing last hash": proof[:-1],
            "missing first hash": proof[1:],
            "reordered": [proof[1], proof[0]] + proof[2:],
            "empty": [],
        }.items():
            with self.subTest(name):
                self.assert_fails("--consistency", old, new,
                                  self.consistency_json(3, 5, proof=altered), reason=fails)
        # A tree that is not an extension of the old one: its last leaf changed.
        other = self.leaves[:2] + [bytes(32)] + self.leaves[3:]
        self.assert_fails("--consistency", self.checkpoint(3, mth(other[:3])), new,
                          self.consistency_json(3, 5), reason="checkpoint 3 is not consistent")
        self.assert_fails("--consistency", old, new, self.consistency_json(2, 5),
                          reason="the proof is from 2 to 5, not from 3 to 5")
        self.assert_fails("--consistency", new, old, self.consistency_json(3, 5),
                          reason="the proof is from 3 to 5, not from 5 to 3")
        self.assert_fails("--consistency", self.checkpoint(3, origin="coi-register/other-ccg"), new,
                          self.consistency_json(3, 5), reason="the checkpoints are of different logs")
        self.assert_fails("--consistency", old, new, self.file('{"from": 3, "to": 5}'),
                          reason="")
        self.assert_fails("--consistency", old, new,
                          self.consistency_json(3, 5, proof=[b"\x00" * 31]), reason="")

    def test_consistency_every_pair_of_sizes_up_to_20(self):
        d = [hashlib.sha256(bytes([i])).digest() for i in range(20)]
        for n in range(1, 21):
            for m in range(1, n):
                old, new, proof = mth(d[:m]), mth(d[:n]), consistency_proof(m, d[:n])
                ok = verify_chain.consistency_ok
                self.assertTrue(ok(m, n, old, new, proof), (m, n))
                self.assertFalse(ok(m, n, old, new, proof + [new]), (m, n, "extra"))
                self.assertFalse(ok(m, n, old, new, proof[:-1]), (m, n, "missing"))
                self.assertFalse(ok(m, n - 1, old, mth(d[:n - 1]), proof), (m, n, "wrong size"))
                for i in range(len(proof)):
                    bad = proof[:i] + [bytes(32)] + proof[i + 1:]
                    self.assertFalse(ok(m, n, old, new, bad), (m, n, i))

    # --- inclusion proofs -----------------------------------------------------------

    def test_inclusion_verifies(self):
        for seq, size in [(2, 5), (5, 5), (1, 5), (3, 3), (1, 1)]:
            entry = self.leaves[seq - 1].hex()
            out = self.assert_ok("--inclusion", self.checkpoint(size), self.inclusion_json(seq, size),
                                 entry, start=f"OK: entry seq {seq} ({entry}) is included in "
                                              f"checkpoint {size}")
            self.assertIn("WARNING", out)

    @needs_signing
    def test_inclusion_with_a_signed_checkpoint(self):
        key, entry = self.signer.verifier_key, self.leaves[1].hex()
        out = self.assert_ok("--inclusion", self.checkpoint(5, signer=self.signer),
                             self.inclusion_json(2, 5), entry, "--key", key, start="OK: entry seq 2")
        self.assertNotIn("WARNING", out)
        self.assert_fails("--inclusion", self.checkpoint(5, signer=self.other),
                          self.inclusion_json(2, 5), entry, "--key", key, reason="checkpoint has no")

    def test_inclusion_fails_with_an_altered_proof(self):
        cp, entry, path = self.checkpoint(5), self.leaves[1].hex(), audit_path(1, self.leaves)
        self.assertEqual(len(path), 3)
        fails = "entry seq 2 is not in checkpoint 5 (the proof does not verify)"
        for name, altered in {
            "modified hash": [path[0], bytes([path[1][0] ^ 1]) + path[1][1:], path[2]],
            "extra hash": path + [path[0]],
            "missing hash": path[:-1],
            "reordered": [path[1], path[0], path[2]],
            "empty": [],
        }.items():
            with self.subTest(name):
                self.assert_fails("--inclusion", cp, self.inclusion_json(2, 5, path=altered), entry,
                                  reason=fails)
        # The proof of seq 2, presented as one for seq 1 (whose path has the same length).
        moved = self.inclusion_json(1, 5, path=path, entry_sha256=entry)
        self.assert_fails("--inclusion", cp, moved, entry, reason="entry seq 1 is not in checkpoint 5")
        self.assert_fails("--inclusion", self.checkpoint(5, mth(self.leaves[:4] + [bytes(32)])),
                          self.inclusion_json(2, 5), entry, reason=fails)
        self.assert_fails("--inclusion", cp, self.inclusion_json(2, 5), self.leaves[2].hex(),
                          reason=f"the proof is for entry {entry} at leaf 1 (seq 2), not for ")
        self.assert_fails("--inclusion", cp, self.inclusion_json(2, 4), entry,
                          reason="the proof is for a tree of size 4, not checkpoint 5")
        self.assert_fails("--inclusion", cp, self.inclusion_json(2, 5, leaf_index=2), entry,
                          reason=f"the proof is for entry {entry} at leaf 2 (seq 2)")
        self.assert_fails("--inclusion", cp, self.inclusion_json(2, 5), "xyz", reason="ENTRY_SHA256_HEX")

    def test_inclusion_every_leaf_of_every_size_up_to_20(self):
        d = [hashlib.sha256(bytes([i])).digest() for i in range(21)]
        ok = verify_chain.inclusion_ok
        for n in range(1, 21):
            root = mth(d[:n])
            for m in range(n):
                leaf, path = hashlib.sha256(b"\x00" + d[m]).digest(), audit_path(m, d[:n])
                self.assertTrue(ok(m, n, leaf, path, root), (m, n))
                self.assertFalse(ok(m, n, leaf, path + [root], root), (m, n, "extra"))
                self.assertFalse(ok(m, n, leaf, path, mth(d[:n + 1])), (m, n, "wrong root"))
                self.assertFalse(ok(n, n, leaf, path, root), (m, n, "index beyond the tree"))
                if path:
                    self.assertFalse(ok(m, n, leaf, path[:-1], root), (m, n, "missing"))
                    self.assertFalse(ok(m ^ 1, n, leaf, path, root) and m ^ 1 < n, (m, n, "index"))

    def test_usage_errors(self):
        p = subprocess.run([sys.executable, VERIFIER, "--inclusion", "a", "b"], capture_output=True)
        self.assertEqual(p.returncode, 2)
        p = subprocess.run([sys.executable, VERIFIER, "x.jsonl", "--consistency", "a", "b", "c"],
                           capture_output=True)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
