//! Free text from declarations: markdown rendered by pulldown-cmark, then sanitised by
//! ammonia, so no raw HTML or script from a user ever reaches a page.

use pulldown_cmark::{html, Options, Parser};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow noopener noreferrer"))
            .rm_tags(["img"]);
        b
    })
}

/// HTML already rendered, by the SHA-256 of its markdown, and the bytes it holds.
#[derive(Default)]
struct Rendered {
    html: HashMap<[u8; 32], String>,
    bytes: usize,
}

/// How much rendered HTML to keep: far more than a large organisation's registers hold;
/// past it the cache starts again rather than growing without bound.
const RENDERED_BYTES: usize = 64 << 20;

fn rendered() -> MutexGuard<'static, Rendered> {
    static RENDERED: OnceLock<Mutex<Rendered>> = OnceLock::new();
    RENDERED
        .get_or_init(Default::default)
        .lock()
        // The map is valid whatever a panicking holder left half done: it only inserts.
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Markdown to safe HTML. Each distinct text is rendered and sanitised once and then
/// taken from a cache: a page, a feed and the web app show the same description many
/// times over, and sanitising a hostile one again each time costs time and floods the log
/// with the HTML parser's warnings. The output is the same either way.
pub fn to_html(markdown: &str) -> String {
    let key: [u8; 32] = Sha256::digest(markdown.as_bytes()).into();
    if let Some(html) = rendered().html.get(&key) {
        return html.clone();
    }
    let html = render(markdown);
    let mut cache = rendered();
    if cache.bytes + html.len() > RENDERED_BYTES {
        *cache = Rendered::default();
    }
    if cache.html.insert(key, html.clone()).is_none() {
        cache.bytes += html.len();
    }
    html
}

#[cfg(test)]
thread_local! {
    /// How many texts this thread has rendered (tests run in parallel threads).
    static RENDERS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn render(markdown: &str) -> String {
    #[cfg(test)]
    RENDERS.with(|n| n.set(n.get() + 1));
    let mut raw = String::new();
    html::push_html(
        &mut raw,
        Parser::new_ext(
            markdown,
            Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
        ),
    );
    cleaner().clean(&raw).to_string()
}

/// Markdown to plain text (for CSV, feeds' titles and the like): the text, no markup.
pub fn to_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::new();
    // Text inside raw <script> or <style> is code, not words: leave it out.
    let mut in_code_tag = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.to_ascii_lowercase();
                if h.starts_with("<script") || h.starts_with("<style") {
                    in_code_tag = !(h.contains("</script") || h.contains("</style"));
                } else if h.starts_with("</script") || h.starts_with("</style") {
                    in_code_tag = false;
                }
            }
            Event::Text(_) | Event::Code(_) if in_code_tag => {}
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // A block's end is a word break: list items and headings do not run together.
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::TableCell,
            ) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_scripts_do_not() {
        let html =
            to_html("Partner at **Riverside** <script>alert(1)</script> [x](javascript:alert(1))");
        assert!(html.contains("<strong>Riverside</strong>"));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn event_handlers_and_images_are_stripped() {
        let html = to_html("<a href=\"https://x.test\" onclick=\"steal()\">x</a> ![i](https://x.test/i.png) <img src=x onerror=alert(1)>");
        assert!(
            !html.contains("onclick") && !html.contains("onerror") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("rel=\"nofollow noopener noreferrer\""));
    }

    #[test]
    fn each_text_is_rendered_once_with_the_same_output() {
        let text = "<svg><p><style><img src=x onerror=alert(1)></style></p></svg> **once** 7f3c";
        let before = RENDERS.with(|n| n.get());
        let first = to_html(text);
        let second = to_html(text);
        assert_eq!(first, second);
        assert_eq!(first, render(text), "the cache changes nothing");
        assert_eq!(
            RENDERS.with(|n| n.get()) - before,
            2,
            "once by to_html, once above"
        );
        assert!(!first.contains("onerror"), "{first}");
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            to_text("Partner at **Riverside**\n\n<b>x</b> `y`"),
            "Partner at Riverside x y"
        );
        assert_eq!(to_text("A <script>alert(1)</script> B"), "A B");
        assert_eq!(
            to_text(
                "# Paid work\nFor Physio Direct:\n\n- two sessions a month\n- paid by the session"
            ),
            "Paid work For Physio Direct: two sessions a month paid by the session"
        );
    }
}
