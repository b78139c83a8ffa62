#!/usr/bin/env python3
"""The published open data, read as its users' tools read it.

Usage: python3 tests/test_open_data.py        (COI_BIN=path/to/coi-register to choose the binary)

Builds nothing: takes the debug binary `cargo build` made (target/debug/coi-register),
seeds the demo organisations into a new data directory (`coi-register demo`), renders the
site (`coi-register publish`), and then checks, for each organisation:

* every CSV file under <org>/data/ starts with a UTF-8 byte order mark, parses with
  Python's csv module, has a header row and as many fields in every row as in the header,
  round-trips through csv.writer (QUOTE_MINIMAL), and has one row per record of the JSON
  file beside it;
* every RSS feed under <org>/feeds/ parses with feedparser without complaint (bozo 0), has
  an atom:link rel="self" to its own address, and items with a guid, a pubDate, an
  absolute link and their audit entry's seq and entry_sha256;
* data/decisions.ocds.json validates against the OCDS 1.1 release package schema (Draft 4,
  with the release schema resolved locally: tests/fixtures/ocds/, see its README), and is
  consistent in itself and with data/decisions.json;
* the open data page, /<org>/data/, links to every file it describes, and the
  organisation's home page links to it.

feedparser and jsonschema are third-party: .ci/run installs them; without them those
checks are skipped (with the reason).
"""
import csv
import datetime
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.environ.get("COI_BIN") or os.path.join(ROOT, "target", "debug", "coi-register")
SCHEMAS = os.path.join(HERE, "fixtures", "ocds")
BASE = "http://open-data.test"
BOM = b"\xef\xbb\xbf"
AUDIT_NS = "urn:coi-register:audit:1"
ATOM_NS = "http://www.w3.org/2005/Atom"
OCID_PREFIX = "ocds-coireg-"

try:
    import feedparser
except ImportError:
    feedparser = None
try:
    import jsonschema
    import referencing
    import referencing.jsonschema
except ImportError:
    jsonschema = None
if os.environ.get("CI") == "true" and (feedparser is None or jsonschema is None):
    # In CI a missing package must fail the run, not turn checks into green skips.
    raise SystemExit("CI: feedparser and jsonschema are required (.ci/run installs them)")


def run(*args):
    done = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"coi-register {' '.join(args)} failed ({done.returncode}):\n"
                             f"{done.stdout}\n{done.stderr}")
    return done.stdout


def is_absolute(url):
    u = urlparse(url)
    return u.scheme in ("http", "https") and bool(u.netloc)


def parse_date_time(s):
    """An RFC 3339 date-time (Python 3.11's fromisoformat reads the Z form); None if not one."""
    if not isinstance(s, str) or not re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", s):
        return None
    try:
        return datetime.datetime.fromisoformat(s)
    except ValueError:
        return None


class OpenDataTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(BIN, os.X_OK):
            raise AssertionError(f"no binary at {BIN}: run `cargo build` first (or set COI_BIN)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="coi-open-data.")
        data = cls.tmp.name
        run("--data-dir", data, "demo")
        run("--data-dir", data, "--public-url", BASE, "publish")
        cls.site = os.path.join(data, "site")
        cls.orgs = sorted(d for d in os.listdir(cls.site)
                          if os.path.isdir(os.path.join(cls.site, d, "data")))
        if not cls.orgs:
            raise AssertionError(f"publish wrote no organisation's open data under {cls.site}")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, org, *parts):
        return os.path.join(self.site, org, *parts)

    def files(self, org, folder, suffix):
        top = self.path(org, folder)
        found = []
        for dirpath, _, names in os.walk(top):
            found += [os.path.join(dirpath, n) for n in names if n.endswith(suffix)]
        return sorted(found)

    def read_json(self, path, **kw):
        with open(path, encoding="utf-8") as f:
            return json.load(f, **kw)

    # -- CSV -------------------------------------------------------------------------

    def test_csv_files_parse_and_round_trip(self):
        seen = 0
        for org in self.orgs:
            csvs = self.files(org, "data", ".csv")
            names = {os.path.basename(p) for p in csvs}
            for expected in ("interests.csv", "gifts.csv", "decisions.csv", "breaches.csv",
                             "gp-earnings.csv"):
                self.assertIn(expected, names, f"{org}: no data/{expected}")
            for path in csvs:
                rel = os.path.relpath(path, self.site)
                with self.subTest(file=rel):
                    with open(path, "rb") as f:
                        raw = f.read()
                    self.assertTrue(raw.startswith(BOM), f"{rel}: no UTF-8 byte order mark")
                    text = raw[len(BOM):].decode("utf-8")
                    self.assertFalse(text.startswith("\ufeff"), f"{rel}: two byte order marks")
                    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
                    self.assertTrue(rows, f"{rel}: empty, not even a header row")
                    header = rows[0]
                    self.assertTrue(all(h and h == h.strip() for h in header),
                                    f"{rel}: blank or padded column name in {header}")
                    self.assertEqual(len(header), len(set(header)), f"{rel}: repeated column")
                    for n, row in enumerate(rows[1:], start=2):
                        self.assertEqual(len(row), len(header),
                                         f"{rel}, record {n}: {len(row)} fields, header has "
                                         f"{len(header)}: {row}")
                    out = io.StringIO(newline="")
                    csv.writer(out, quoting=csv.QUOTE_MINIMAL).writerows(rows)
                    again = list(csv.reader(io.StringIO(out.getvalue(), newline=""), strict=True))
                    self.assertEqual(again, rows, f"{rel}: does not round-trip")
                    # The JSON beside it holds the same records.
                    twin = path[:-len(".csv")] + ".json"
                    if os.path.exists(twin):
                        records = self.read_json(twin)["records"]
                        self.assertEqual(len(records), len(rows) - 1,
                                         f"{rel}: {len(rows) - 1} rows, {len(records)} records "
                                         f"in {os.path.basename(twin)}")
                        for r in records:
                            missing = [h for h in header if h not in r]
                            self.assertFalse(missing, f"{os.path.basename(twin)}: a record "
                                             f"lacks columns {missing}")
                    seen += 1
        self.assertGreater(seen, 0)

    # -- RSS -------------------------------------------------------------------------

    @unittest.skipIf(feedparser is None, "feedparser is not installed (pip install feedparser)")
    def test_feeds_parse_cleanly(self):
        for org in self.orgs:
            feeds = self.files(org, "feeds", ".xml")
            names = {os.path.relpath(p, self.path(org, "feeds")) for p in feeds}
            for expected in ("all.xml", "interests.xml", "gifts.xml", "decisions.xml",
                             "gp-earnings.xml"):
                self.assertIn(expected, names, f"{org}: no feeds/{expected}")
            self.assertTrue(any(n.startswith("committees/") for n in names),
                            f"{org}: no committee feeds in {sorted(names)}")
            items_seen = 0
            for path in feeds:
                rel = os.path.relpath(path, self.site).replace(os.sep, "/")
                url = f"{BASE}/{rel}"
                with self.subTest(feed=rel):
                    with open(path, "rb") as f:
                        raw = f.read()
                    d = feedparser.parse(raw)
                    self.assertEqual(d.bozo, 0, f"{rel}: feedparser says "
                                     f"{d.get('bozo_exception')!r}")
                    self.assertEqual(d.version, "rss20", rel)
                    self.assertTrue(d.feed.get("title"), f"{rel}: no channel title")
                    self.assertTrue(is_absolute(d.feed.get("link", "")),
                                    f"{rel}: channel link {d.feed.get('link')!r} is not absolute")
                    selves = [link.get("href") for link in d.feed.get("links", [])
                              if link.get("rel") == "self"]
                    self.assertEqual(selves, [url], f"{rel}: atom:link rel=self")
                    # The same, read as plain XML, with the audit elements feedparser drops.
                    channel = ET.fromstring(raw).find("channel")
                    atom = [a.get("href") for a in channel.findall(f"{{{ATOM_NS}}}link")
                            if a.get("rel") == "self"]
                    self.assertEqual(atom, [url], f"{rel}: atom:link rel=self in the XML")
                    xml_items = channel.findall("item")
                    self.assertEqual(len(xml_items), len(d.entries), rel)
                    for e, x in zip(d.entries, xml_items):
                        title = e.get("title", "")
                        self.assertTrue(title, f"{rel}: an item without a title")
                        self.assertTrue(e.get("id"), f"{rel}: {title!r} has no guid")
                        self.assertTrue(e.get("published") and e.get("published_parsed"),
                                        f"{rel}: {title!r} has no (valid) pubDate")
                        self.assertTrue(is_absolute(e.get("link", "")),
                                        f"{rel}: {title!r} link {e.get('link')!r} is not absolute")
                        seq = x.findtext(f"{{{AUDIT_NS}}}seq")
                        sha = x.findtext(f"{{{AUDIT_NS}}}entry_sha256")
                        self.assertTrue(seq and seq.isdigit(), f"{rel}: {title!r} seq {seq!r}")
                        self.assertTrue(sha and re.fullmatch(r"[0-9a-f]{64}", sha),
                                        f"{rel}: {title!r} entry_sha256 {sha!r}")
                    guids = [e.get("id") for e in d.entries]
                    self.assertEqual(len(guids), len(set(guids)), f"{rel}: repeated guids")
                    items_seen += len(d.entries)
            all_feed = feedparser.parse(self.path(org, "feeds", "all.xml"))
            self.assertTrue(all_feed.entries, f"{org}: the all-changes feed has no items")
            self.assertGreater(items_seen, 0)

    # -- OCDS ------------------------------------------------------------------------

    def ocds(self, org):
        """The package, with its numbers read exactly (decimals, not binary floats)."""
        return self.read_json(self.path(org, "data", "decisions.ocds.json"), parse_float=Decimal)

    @unittest.skipIf(jsonschema is None, "jsonschema is not installed (pip install jsonschema)")
    def test_ocds_validates_against_the_release_package_schema(self):
        package_schema = self.read_json(os.path.join(SCHEMAS, "release-package-schema.json"))
        release_schema = self.read_json(os.path.join(SCHEMAS, "release-schema.json"))
        self.assertIn("/1__1__", package_schema["id"])
        self.assertEqual(package_schema["properties"]["releases"]["items"]["$ref"],
                         release_schema["id"])
        draft4 = referencing.jsonschema.DRAFT4
        registry = referencing.Registry().with_resources([
            (s["id"], draft4.create_resource(s)) for s in (package_schema, release_schema)])
        validator = jsonschema.Draft4Validator(
            package_schema, registry=registry,
            format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
        jsonschema.Draft4Validator.check_schema(package_schema)
        jsonschema.Draft4Validator.check_schema(release_schema)
        for org in self.orgs:
            with self.subTest(org=org):
                package = self.read_json(self.path(org, "data", "decisions.ocds.json"))
                errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
                self.assertFalse(errors, f"{org}: decisions.ocds.json is not valid OCDS 1.1:\n"
                                 + "\n".join(f"  at {'/'.join(map(str, e.path))}: {e.message}"
                                             for e in errors[:20]))

    def test_ocds_is_consistent(self):
        for org in self.orgs:
            with self.subTest(org=org):
                self.check_package(org)

    def check_package(self, org):
        p = self.ocds(org)
        uri = f"{BASE}/{org}/data/decisions.ocds.json"
        self.assertEqual(p["uri"], uri)
        self.assertEqual(p["version"], "1.1")
        self.assertIsNotNone(parse_date_time(p["publishedDate"]), p["publishedDate"])
        self.assertTrue(p["publisher"]["name"])
        self.assertTrue(is_absolute(p["license"]), p["license"])
        self.assertEqual(p["publicationPolicy"], f"{BASE}/{org}/data/")
        releases = p["releases"]
        decisions = self.read_json(self.path(org, "data", "decisions.json"))["records"]
        self.assertTrue(decisions, f"{org}: the demo has no procurement decisions")
        self.assertEqual(len(releases), len(decisions), "one release per decision")
        ocids = [r.get("ocid") for r in releases]
        self.assertEqual(len(ocids), len(set(ocids)), f"repeated ocids: {ocids}")
        by_ref = {d["reference"]: d for d in decisions}
        for r in releases:
            for key in ("ocid", "id", "date", "tag", "initiationType"):
                self.assertIn(key, r, f"a release without {key}: {r.get('id')}")
            rid = r["id"]
            self.assertTrue(r["ocid"].startswith(f"{OCID_PREFIX}{org}-"), r["ocid"])
            self.assertNotIn("#", rid)
            self.assertIsNotNone(parse_date_time(r["date"]), f"{rid}: date {r['date']!r}")
            self.assertEqual(r["initiationType"], "tender")
            self.assertIn(r["tag"], (["award"], ["awardCancellation"]), rid)
            parties = {party["id"]: party for party in r["parties"]}
            self.assertEqual(len(parties), len(r["parties"]), f"{rid}: repeated party ids")
            self.assertIn("buyer", parties[r["buyer"]["id"]]["roles"], rid)
            self.assertEqual(r["buyer"]["name"], p["publisher"]["name"])
            self.assertEqual(len(r["awards"]), 1, rid)
            a = r["awards"][0]
            amount = a["value"]["amount"]
            self.assertIsInstance(amount, (int, Decimal), f"{rid}: amount {amount!r}")
            self.assertNotIsInstance(amount, bool)
            self.assertEqual(a["value"]["currency"], "GBP")
            self.assertIsNotNone(parse_date_time(a["date"]), f"{rid}: award date")
            for s in a.get("suppliers", []):
                self.assertIn("supplier", parties[s["id"]]["roles"], f"{rid}: {s}")
                self.assertEqual(parties[s["id"]]["name"], s["name"])
            for doc in a.get("documents", []):
                self.assertTrue(is_absolute(doc["url"]), f"{rid}: document {doc}")
            period = a.get("contractPeriod", {})
            for k in ("startDate", "endDate"):
                if k in period:
                    self.assertIsNotNone(parse_date_time(period[k]), f"{rid}: {k}")
            if "endDate" in period:
                self.assertLess(parse_date_time(period["startDate"]),
                                parse_date_time(period["endDate"]), rid)
            # Against the register's own export of the same decision.
            d = by_ref.get(r["tender"]["id"])
            self.assertIsNotNone(d, f"{rid}: no decision {r['tender']['id']} in decisions.json")
            self.assertEqual(Decimal(amount) * 100, Decimal(d["value_pence"]),
                             f"{rid}: amount {amount} for {d['value_pence']} pence")
            self.assertTrue(rid.startswith(d["reference"] + "-v"), rid)
            self.assertEqual(a["date"][:10], d["decided_on"], rid)
            self.assertEqual(r["tender"]["title"], d["title"])
            self.assertEqual(a.get("suppliers", [{}])[0].get("name"), d["supplier"], rid)
            withdrawn = d["status"] == "withdrawn"
            self.assertEqual(r["tag"], ["awardCancellation"] if withdrawn else ["award"], rid)
            self.assertEqual(a["status"], "cancelled" if withdrawn else "active", rid)
            if d.get("starts_on"):
                self.assertEqual(period.get("startDate", "")[:10], d["starts_on"], rid)
            if d.get("meeting_date"):
                self.assertTrue(any(doc.get("documentType") == "conflictOfInterest"
                                    and f"/meetings/{d['meeting_date']}/" in doc["url"]
                                    for doc in a["documents"]),
                                f"{rid}: no link to the meeting that took it")

    # -- The open data page -------------------------------------------------------------

    def test_gp_earnings_cover_a_dozen_practices_over_two_years(self):
        for org in self.orgs:
            with self.subTest(org=org):
                records = self.read_json(self.path(org, "data", "gp-earnings.json"))["records"]
                self.assertEqual(len({r["ods_code"] for r in records}), 12, records)
                self.assertEqual(len({r["financial_year"] for r in records}), 2, records)
                self.assertEqual(len(records), 24)
                for r in records:
                    self.assertRegex(r["ods_code"], r"^[A-Z][0-9]{5}$")
                    self.assertEqual(r["mean_earnings_pence"] % 100, 0, r)
                    self.assertGreaterEqual(r["full_time_gps"] + r["part_time_gps"], 1, r)

    def test_the_data_page_describes_every_file(self):
        for org in self.orgs:
            with self.subTest(org=org):
                page = self.path(org, "data", "index.html")
                self.assertTrue(os.path.exists(page), f"no {org}/data/index.html")
                with open(page, encoding="utf-8") as f:
                    html = f.read()
                links = set(re.findall(r'href="([^"]+)"', html))
                for name in os.listdir(self.path(org, "data")):
                    # A .gz or .br sibling is the same file in another encoding, served
                    # under the file's own address by content negotiation.
                    if name != "index.html" and not name.endswith((".gz", ".br")):
                        self.assertIn(f"/{org}/data/{name}", links, f"data/{name} not linked")
                self.assertIn(f"/{org}/audit/chain.jsonl", links)
                for path in self.files(org, "feeds", ".xml"):
                    rel = os.path.relpath(path, self.site).replace(os.sep, "/")
                    self.assertIn(f"/{rel}", links, f"{rel} not listed")
                self.assertNotIn("Not yet described", html)
                for column in ("interest_type", "value_pence", "withdrawn_reason", "audit_seq",
                               "mean_earnings_pence", "ods_code"):
                    self.assertIn(f"<code>{column}</code>", html)
                with open(self.path(org, "index.html"), encoding="utf-8") as f:
                    home = f.read()
                self.assertTrue(f'href="/{org}/data/"' in home,
                                f"{org}/index.html does not link to /{org}/data/")


if __name__ == "__main__":
    unittest.main(verbosity=2)
