#!/usr/bin/env python3
"""Self-test for tools/verify_chain.py and tests/check_vectors.py (stdlib unittest only).

Usage: python3 tests/test_verify_chain.py

Writes the vector chain (tests/vectors/audit_vectors.json) and tampered copies of it to a
temporary directory, runs the verifier on each as an auditor would, and checks the exit
code and the reported seq and reason.
"""
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
        sys.path.insert(0, os.path.dirname(VERIFIER))
        from verify_chain import merkle_root
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
