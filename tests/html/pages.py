"""Fetch one page of every kind from a running coi-register, for the Nu HTML Checker.

    python3 tests/html/pages.py BASE_URL OUT_DIR

The public site is crawled from `/` by following links, keeping the first page of each
organisation and kind (as tests/browser/axe.mjs does: /<org>/committees/<slug>/meetings/<date>/
is one kind), and each GET form to the registers as at a date is submitted with yesterday's
date (the page it leads to is rendered on request, and no link reaches it). The web app is
fetched signed out (the sign-in form, and the form refused), then signed in through the
sign-in form as each account in COI_HTML_ACCOUNTS (lines of `ROLE EMAIL PASSWORD`), crawled
from /admin one page of each GET route of src/web/routes.rs, and every POST form with a
field on those pages submitted emptied (its refusal is a page too). Each page is saved as OUT_DIR/NNN.html; OUT_DIR/index.tsv maps files to URLs.
Standard library only.
"""

import datetime
import html.parser
import http.cookiejar
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

MAX_CRAWL = int(os.environ.get("COI_HTML_MAX_CRAWL", "2000"))
PER_KIND = 3  # admin pages fetched per route while crawling; the first is checked
ROUTES = os.path.join(os.path.dirname(__file__), "..", "..", "src", "web", "routes.rs")


class Parts(html.parser.HTMLParser):
    """The links and the POST forms (action, fields) of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "hidden": [], "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "hidden":
                self._form["hidden"].append((a["name"], a.get("value") or ""))
            elif kind not in ("submit", "button", "reset", "image"):
                self._form["fields"].append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser-like client with its own cookie jar."""

    def __init__(self, base, follow=True):
        self.base = base
        handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())]
        if not follow:
            handlers.append(NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path, form=None):
        """(status, final path, content type, body) of GET `path`, or POST `form`."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            res = self.opener.open(urllib.parse.urljoin(self.base, path), data, timeout=60)
        except urllib.error.HTTPError as e:
            res = e
        final = urllib.parse.urlsplit(res.geturl())
        where = final.path + (f"?{final.query}" if final.query else "")
        return res.status, where, res.headers.get("Content-Type", ""), res.read()


def page_kind(path):
    segments = [s for s in path.split("/") if s]
    if not segments:
        return "home"
    org, rest = segments[0], segments[1:]
    return org + " " + ("/".join(s if i % 2 == 0 else "*" for i, s in enumerate(rest)) or "org home")


def admin_routes():
    text = open(ROUTES, encoding="utf-8").read()
    routes = []
    for pattern in re.findall(r'^\s*Get\s+"(/admin[^"]*)"', text, re.M):
        segments = [s for s in pattern.split("/") if s]
        source = "/".join("[^/]+" if s.startswith("{") else re.escape(s) for s in segments)
        literals = sum(not s.startswith("{") for s in segments)
        routes.append((literals, pattern, re.compile(f"^/{source}/?$")))
    if not routes:
        sys.exit(f"html: no GET /admin routes in {ROUTES}")
    return [(p, r) for _, p, r in sorted(routes, key=lambda x: -x[0])]


class Pages:
    def __init__(self, base, out):
        self.base, self.out, self.saved = base, out, []
        os.makedirs(out, exist_ok=True)

    def save(self, what, body):
        name = f"{len(self.saved):03d}.html"
        with open(os.path.join(self.out, name), "wb") as f:
            f.write(body)
        self.saved.append((name, what))

    def public(self):
        client, kinds, seen, queue, fetched = Client(self.base), set(), {"/"}, ["/"], 0
        yesterday = (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=1)).isoformat()
        while queue and fetched < MAX_CRAWL:
            path = queue.pop(0)
            status, landed, ctype, body = client.request(path)
            fetched += 1
            if status != 200 or "text/html" not in ctype:
                continue
            path = landed
            kind = page_kind(path)
            if kind not in kinds:
                kinds.add(kind)
                self.save(f"{path} (public: {kind})", body)
            text = body.decode("utf-8", "replace")
            for action in re.findall(r'<form class="app-as-at" method="get" action="([^"]+)"', text):
                if action not in seen:
                    seen.add(action)
                    queue.append(f"{action}?date={yesterday}")
            parts = Parts()
            parts.feed(text)
            for href in parts.links:
                u = urllib.parse.urlsplit(urllib.parse.urljoin(self.base + path, href))
                p = u.path
                if u.netloc != urllib.parse.urlsplit(self.base).netloc or p.startswith(("/api/", "/admin")):
                    continue
                if (p.endswith("/") or p.endswith(".html")) and p not in seen:
                    seen.add(p)
                    queue.append(p)
        print(f"html: public site: crawled {fetched} pages, {len(kinds)} kinds")

    def sign_in(self, client, email, password):
        _, _, _, body = client.request("/admin/sign-in")
        parts = Parts()
        parts.feed(body.decode("utf-8", "replace"))
        form = dict(parts.forms[0]["hidden"]) if parts.forms else {}
        return client.request("/admin/sign-in", {**form, "email": email, "password": password})

    def submit_empty(self, client, path, body, who):
        parts = Parts()
        parts.feed(body.decode("utf-8", "replace"))
        for form in parts.forms:
            action = urllib.parse.urljoin(path, form["action"] or path)
            if not form["fields"] or action.endswith("/sign-out"):
                continue
            fields = dict(form["hidden"]) | {name: "" for name in form["fields"]}
            status, _, ctype, answer = client.request(action, fields)
            if status == 422 and "text/html" in ctype:
                self.save(f"{action} submitted empty from {path} ({who}, {status})", answer)

    def signed_out(self):
        client = Client(self.base)
        status, path, _, body = client.request("/admin/sign-in")
        self.save(f"{path} (signed out, {status})", body)
        self.submit_empty(client, path, body, "signed out")

    def admin(self, role, email, password):
        client = Client(self.base)
        status, landed, _, _ = self.sign_in(client, email, password)
        if status != 200 or landed != "/admin":
            sys.exit(f"html: signing in as {email} ended on {landed} ({status})")
        routes = admin_routes()
        kind_of = lambda p: next((pat for pat, r in routes if r.match(p)), p)
        chosen, per_kind, seen, queue, fetched = {}, {}, {"/admin"}, ["/admin"], 0
        while queue and fetched < MAX_CRAWL:
            path = queue.pop(0)
            asked = kind_of(urllib.parse.urlsplit(path).path)
            if per_kind.get(asked, 0) >= PER_KIND:
                continue
            per_kind[asked] = per_kind.get(asked, 0) + 1
            status, landed, ctype, body = client.request(path)
            fetched += 1
            if status != 200 or "text/html" not in ctype:
                continue
            kind = kind_of(urllib.parse.urlsplit(landed).path)
            if kind not in chosen:
                chosen[kind] = (landed, body)
            parts = Parts()
            parts.feed(body.decode("utf-8", "replace"))
            for href in parts.links:
                u = urllib.parse.urlsplit(urllib.parse.urljoin(self.base + landed, href))
                nxt = u.path + (f"?{u.query}" if u.query else "")
                if u.netloc == urllib.parse.urlsplit(self.base).netloc and u.path.startswith("/admin") and nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        for kind, (landed, body) in chosen.items():
            self.save(f"{landed} ({role}: {kind})", body)
        # Emptied forms last: a form that were accepted would change what the crawl sees.
        for kind, (landed, body) in chosen.items():
            self.submit_empty(client, landed, body, role)
        print(f"html: web app as {role}: crawled {fetched} pages, {len(chosen)} kinds")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pages.py BASE_URL OUT_DIR")
    pages = Pages(sys.argv[1].rstrip("/"), sys.argv[2])
    pages.public()
    pages.signed_out()
    for line in os.environ.get("COI_HTML_ACCOUNTS", "").splitlines():
        fields = line.split()
        if len(fields) >= 3:
            pages.admin(*fields[:3])
    with open(os.path.join(pages.out, "index.tsv"), "w", encoding="utf-8") as f:
        for name, what in pages.saved:
            f.write(f"{name}\t{what}\n")
    print(f"html: {len(pages.saved)} pages saved in {pages.out}")


if __name__ == "__main__":
    main()
