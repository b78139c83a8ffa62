#!/usr/bin/env python3
"""Generate tests/vectors/audit_vectors.json from the rules of docs/audit-chain.md.

Deterministic: running it twice gives byte-identical output.
"""
import hashlib
import os
import json
import sys

ZEROS = "0" * 64


def canonical(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


CANONICAL = [
    ("key order: ASCII code point, upper case before lower case, digits first",
     {"b": 1, "a": 2, "B": 3, "_": 4, "1": 5, "A": 6, "aa": 7, "a1": 8}),
    ("nested objects sorted at every level, arrays keep their order",
     {"z": {"y": [3, 1, 2], "x": {"b": True, "a": False}}, "a": [{"d": 1, "c": 2}, "z", "a"]}),
    ("empty object", {}),
    ("empty array", []),
    ("empty containers nested", {"o": {}, "a": [], "s": ""}),
    ("literals true false null", [True, False, None]),
    ("integers: zero, negative, 2^53-1 and its negation",
     {"zero": 0, "neg": -1, "neg_big": -9007199254740991, "max_safe": 9007199254740991, "pence": 7550}),
    ("quote and backslash escaped", "She said \"no\" \\ then left"),
    ("short escapes for \\b \\f \\n \\r \\t", "a\bb\fc\nd\re\tf"),
    ("other control characters as lower-case \\u00xx", "x\u0001y\u001fz\u0000\u000b"),
    ("DEL U+007F is not escaped", "del\u007fend"),
    ("slash and HTML-significant characters are not escaped", "</script><a href='x'>&amp;"),
    ("non-ASCII kept as raw UTF-8: e-acute, em dash, pound, curly quotes",
     "Caf\u00e9 \u2014 \u00a325 \u201cdinner\u201d"),
    ("astral character (emoji) kept as raw 4-byte UTF-8, not a surrogate pair", "ok \U0001F600"),
    ("U+2028 and U+2029 kept raw (not escaped)", "line\u2028sep\u2029para"),
    ("top-level string", "hello"),
    ("top-level integer", -42),
    ("top-level null", None),
    ("declaration-like record with markdown and null", {
        "id": "12", "version": 1, "person": "dr-anita-shah", "interest_type": "financial",
        "description": "Partner at *Riverside* Surgery", "arose_on": "2024-03-01",
        "ended_on": None, "value_pence": 250000}),
]

# The chain for org "vector-ccg": (at, actor, action, entity, entity_id, payload, withheld)
DECL_12_V1 = {
    "id": "12", "version": 1, "person": "dr-anita-shah", "position": "GP member, governing body",
    "interest_type": "financial", "description": "Partner at *Riverside* Surgery",
    "body": "Riverside Surgery", "arose_on": "2024-03-01", "ended_on": None,
    "action_taken": "Leaves the room for any item about Riverside PCN",
    "value_pence": 250000, "withheld": False,
}
GIFT_7 = {
    "id": "7", "version": 1, "person": "dr-anita-shah", "giver": "Northern Pharma Ltd",
    "supplier": True, "kind": "hospitality",
    "description": "Dinner \u2014 \u201cAdvances in diabetes care\u201d symposium, Caf\u00e9 Royal",
    "value_pence": 7550, "offered_on": "2024-03-10", "accepted": False,
    "approved_by": None, "reason": "Supplier hospitality over \u00a325: declined",
}
DECL_13 = {
    "id": "13", "version": 1, "person": "mr-ben-okafor", "position": "Lay member",
    "interest_type": "non_financial_personal",
    "description": "Trustee of a local refuge\nAddress not to be published",
    "body": "Northshire Refuge Trust", "arose_on": "2023-11-20", "ended_on": None,
    "action_taken": "None required", "value_pence": 0, "withheld": True,
    "withheld_reason": "Publication would risk harm to the declarant",
}
DECISION = {
    "id": "D-2024-004", "version": 1, "committee": "primary-care-commissioning",
    "title": "Extended access \u2014 Riverside PCN", "decided_on": "2024-03-14",
    "value_pence": 12500000, "quorate": True,
    "conflicts": [
        {"person": "dr-anita-shah", "declaration": "12", "action": "left the room"},
        {"person": "mr-ben-okafor", "declaration": None, "action": "none"},
    ],
}
DECL_12_V2 = dict(DECL_12_V1, version=2, ended_on="2024-06-30")

CHAIN = [
    ("2024-03-01T09:15:00Z", "anita.shah@vector-ccg.example", "create", "declaration", "12", DECL_12_V1, False),
    ("2024-03-10T18:02:41Z", "anita.shah@vector-ccg.example", "create", "gift", "7", GIFT_7, False),
    ("2024-03-11T08:00:00Z", "governance@vector-ccg.example", "create", "declaration", "13", DECL_13, True),
    ("2024-03-14T16:30:05Z", "governance@vector-ccg.example", "create", "decision", "D-2024-004", DECISION, False),
    ("2024-07-01T00:00:00Z", "system", "end", "declaration", "12", DECL_12_V2, False),
]
ENTRY_NAMES = [
    "seq 1: declaration created (prev is 64 zeros)",
    "seq 2: gift declined, non-ASCII description",
    "seq 3: declaration withheld from the public (payload null in the export)",
    "seq 4: procurement decision with a nested array of conflicts",
    "seq 5: declaration ended by the system actor",
]


def header(org, seq, at, actor, action, entity, entity_id, payload, prev):
    return {"v": 1, "org": org, "seq": seq, "at": at, "actor": actor, "action": action,
            "entity": entity, "entity_id": entity_id,
            "payload_sha256": sha(canonical(payload)), "prev": prev}


def main():
    out = {"canonical": [], "entries": [], "chain": []}
    for name, value in CANONICAL:
        c = canonical(value)
        out["canonical"].append({"name": name, "input": value, "canonical": c, "sha256": sha(c)})

    prev = ZEROS
    for seq, ((at, actor, action, entity, eid, payload, withheld), name) in enumerate(
            zip(CHAIN, ENTRY_NAMES), start=1):
        h = header("vector-ccg", seq, at, actor, action, entity, eid, payload, prev)
        e = sha(canonical(h))
        out["entries"].append({"name": "vector-ccg " + name, "header": h, "payload": payload,
                               "payload_sha256": h["payload_sha256"], "entry_sha256": e})
        out["chain"].append(dict(h, entry_sha256=e, payload=None if withheld else payload))
        prev = e

    # A second organisation's first entry: system actor, empty payload object.
    h = header("northshire-ccg", 1, "2024-01-01T00:00:00Z", "system", "create",
               "organisation", "northshire-ccg", {}, ZEROS)
    out["entries"].append({"name": "northshire-ccg seq 1: empty payload object, system actor",
                           "header": h, "payload": {}, "payload_sha256": h["payload_sha256"],
                           "entry_sha256": sha(canonical(h))})

    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "audit_vectors.json")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        json.dump(out, f, indent=2, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
