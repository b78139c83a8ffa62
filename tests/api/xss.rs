//! Stored cross-site scripting: a corpus of payloads (script, event handlers,
//! `javascript:` and `data:` links in markdown and HTML, SVG, entity tricks, mXSS) in
//! every free-text field, written through the JSON API and through the web app's forms;
//! then every public page, every admin page that shows them, the feeds and the data
//! files are read, and nothing in them is active.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::store::users::Role;

/// Payloads beyond the feed markup of `hostile::MARKUP`: each would run script if it
/// reached a page as markup, or as a link a reader can follow.
const MORE: [&str; 25] = [
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![picture](javascript:alert(1))",
    "[entity](&#x6A;avascript:alert(1))",
    "<a href=\"&#106;avascript:alert(1)\">entity</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">tab</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">data</a>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html,<script>alert(1)</script>\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "`<img src=x onerror=alert(1)>` in code",
    "<img src=\"x\" onerror=\"alert(1)\"/>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<javascript:alert(1)>",
    "<http://evil.example/\"onmouseover=\"alert(1)>",
];

fn corpus() -> Vec<&'static str> {
    crate::hostile::MARKUP
        .iter()
        .chain(MORE.iter())
        .copied()
        .collect()
}

/// Decode the character references a browser decodes in an attribute value.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let n = if let Some(hex) = entity.strip_prefix("#x").or(entity.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = entity.strip_prefix('#') {
                dec.parse().ok()
            } else {
                match entity {
                    "colon" => Some(':' as u32),
                    "tab" => Some('\t' as u32),
                    "newline" => Some('\n' as u32),
                    "amp" => Some('&' as u32),
                    "lt" => Some('<' as u32),
                    "gt" => Some('>' as u32),
                    "quot" => Some('"' as u32),
                    _ => None,
                }
            };
            n.and_then(char::from_u32).map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One tag of a page: its name and attributes, read the way a browser's tokenizer
/// reads them (quoted values may hold `>` and white space).
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
    raw: String,
}

/// The tags of an HTML page (comments and doctype skipped).
fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|at| i + at) {
        i = lt + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        let name_len = html[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(html.len() - i);
        if name_len == 0 || !bytes[i].is_ascii_alphabetic() {
            continue;
        }
        let name = html[i..i + name_len].to_ascii_lowercase();
        let mut j = i + name_len;
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let start = j;
            while j < bytes.len() && !b" \t\n\r/>=".contains(&bytes[j]) {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j] as char;
                    let end = html[j + 1..].find(quote).map_or(html.len(), |e| j + 1 + e);
                    value = html[j + 1..end].to_owned();
                    j = (end + 1).min(html.len());
                } else {
                    let end = html[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |e| j + e);
                    value = html[j..end].to_owned();
                    j = end;
                }
            }
            if attr.is_empty() {
                j += 1;
            } else {
                attributes.push((attr, decode(&value)));
            }
        }
        out.push(Tag {
            name,
            attributes,
            raw: html[lt..j.min(html.len())].to_owned(),
        });
        i = j.min(html.len());
    }
    out
}

/// What on a page of this service is active and could only have come from a payload:
/// script-bearing elements the templates never use, event handlers, script URLs.
fn active(html: &str) -> Vec<String> {
    const NEVER: [&str; 11] = [
        "script", "iframe", "object", "embed", "base", "style", "math", "frame", "frameset",
        "applet", "noscript",
    ];
    const URLS: [&str; 8] = [
        "href",
        "src",
        "action",
        "formaction",
        "data",
        "xlink:href",
        "poster",
        "background",
    ];
    let mut found = Vec::new();
    for tag in tags(html) {
        let script_url = |v: &str| {
            let v: String = v
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            v.starts_with("javascript:") || v.starts_with("vbscript:") || v.starts_with("data:")
        };
        let bad = NEVER.contains(&tag.name.as_str())
            || (tag.name == "svg" && tag.raw.contains("alert"))
            || tag.attributes.iter().any(|(name, value)| {
                name.starts_with("on")
                    || (URLS.contains(&name.as_str()) && script_url(value))
                    || (tag.name == "meta" && value.to_ascii_lowercase().contains("javascript:"))
            });
        if bad {
            found.push(tag.raw);
        }
    }
    found
}

/// Write the corpus through the web app's forms: people, declarations and gifts.
fn plant_through_forms(app: &TestApp, values: &[&str]) -> usize {
    let lead = app.account("forms@test.example", Role::Governance, &["test-ccg"], None);
    let b = app.sign_in(&lead);
    let person = app.add_person("Dr Form Filler", true);
    let mut sent = 0;
    for (i, v) in values.iter().enumerate() {
        let text = format!("{v} f{i}");
        let answers = [
            app.submit(
                "/admin/orgs/test-ccg/people/new",
                Some(&b.cookie),
                &[
                    ("csrf_token", &b.csrf),
                    ("name", &text),
                    ("position", &text),
                    ("decision_making", "yes"),
                ],
            ),
            app.submit(
                "/admin/orgs/test-ccg/declarations/new",
                Some(&b.cookie),
                &[
                    ("csrf_token", &b.csrf),
                    ("person", &person),
                    ("interest_type", "indirect"),
                    ("associate", &text),
                    ("description", &text),
                    ("body", &text),
                    ("mitigation", &text),
                    ("arose_on", "2026-01-05"),
                ],
            ),
            app.submit(
                "/admin/orgs/test-ccg/gifts/new",
                Some(&b.cookie),
                &[
                    ("csrf_token", &b.csrf),
                    ("person", &person),
                    ("giver", &text),
                    ("giver_is_supplier", "no"),
                    ("kind", "gift"),
                    ("description", &text),
                    ("value", "60.00"),
                    ("offered_on", "2026-05-01"),
                    ("outcome", "declined"),
                ],
            ),
        ];
        for answer in answers {
            assert_eq!(answer.status, 303, "{v}: {}", answer.body);
            sent += 1;
        }
    }
    sent
}

fn no_payload_is_active_on_any_page_feed_or_data_file(b: Backend) {
    let app = TestApp::spawn(b);
    let corpus = corpus();
    assert!(corpus.len() >= 30, "a corpus of {} payloads", corpus.len());
    crate::hostile::plant(&app, &corpus);
    let through_forms = plant_through_forms(&app, &corpus);
    assert_eq!(through_forms, 3 * corpus.len());

    let (mut pages, mut reached) = (0, 0);
    for (rel, text) in app.site_files() {
        if rel.ends_with(".html") {
            pages += 1;
            // The payloads did reach the page, as text.
            reached += usize::from(text.contains("alert(1)"));
            let found = active(&text);
            assert!(found.is_empty(), "{rel}: {found:?}");
        }
    }
    assert!(pages > 20, "only {pages} pages");
    assert!(reached > 10, "the payloads reached only {reached} pages");

    // The data files are data: served as such, never as a page a browser would run.
    for file in [
        "interests.csv",
        "interests.json",
        "gifts.csv",
        "decisions.json",
    ] {
        let r = ureq::get(&format!("{}/test-ccg/data/{file}", app.base))
            .call()
            .expect(file);
        let kind = r.content_type().to_owned();
        assert!(!kind.contains("html"), "{file} is served as {kind}");
        assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
    }

    // Every admin page that shows the planted text.
    let lead = app.account("reader@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let mut admin_pages = vec![
        "/admin".to_owned(),
        "/admin/orgs/test-ccg/people".to_owned(),
        "/admin/orgs/test-ccg/declarations".to_owned(),
        "/admin/orgs/test-ccg/gifts".to_owned(),
        "/admin/orgs/test-ccg/committees".to_owned(),
        "/admin/orgs/test-ccg/committees/hostile".to_owned(),
        "/admin/orgs/test-ccg/decisions".to_owned(),
        "/admin/orgs/test-ccg/breaches".to_owned(),
        "/admin/orgs/test-ccg/review".to_owned(),
        "/admin/orgs/test-ccg/confirmations".to_owned(),
    ];
    let (_, declarations) = app.get(&app.api("/declarations"), Some(&app.token));
    for d in declarations.as_array().into_iter().flatten().take(10) {
        let id = d["id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or(d["id"].to_string());
        admin_pages.push(format!("/admin/orgs/test-ccg/declarations/{id}"));
        admin_pages.push(format!("/admin/orgs/test-ccg/declarations/{id}/amend"));
    }
    let (_, gifts) = app.get(&app.api("/gifts"), Some(&app.token));
    for g in gifts.as_array().into_iter().flatten().take(10) {
        let id = g["id"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or(g["id"].to_string());
        admin_pages.push(format!("/admin/orgs/test-ccg/gifts/{id}"));
    }
    let mut reached = 0;
    for page in &admin_pages {
        let answer = app.browse(page, Some(&browser.cookie));
        assert_eq!(answer.status, 200, "{page}: {}", answer.body);
        reached += usize::from(answer.body.contains("alert(1)"));
        let found = active(&answer.body);
        assert!(found.is_empty(), "{page}: {found:?}");
    }
    assert!(
        reached > 15,
        "the payloads reached only {reached} admin pages"
    );
    assert!(
        admin_pages.len() > 20,
        "only {} admin pages",
        admin_pages.len()
    );
}

#[test]
fn the_scanner_finds_what_it_should_and_nothing_else() {
    let page = r#"<a href="/x" title="a > b">x</a><input value="&lt;img src=x onerror=alert(1)&gt;"><svg class="i" aria-hidden="true"><path d="M1"></path></svg><p>&lt;script&gt;</p>"#;
    assert!(active(page).is_empty(), "{:?}", active(page));
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href='data:text/html,x'>x</a>",
        "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
        "<p title=\"x\" onclick=\"y()\">x</p>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    ] {
        assert!(!active(bad).is_empty(), "{bad}");
    }
}

both_backends!(no_payload_is_active_on_any_page_feed_or_data_file);
