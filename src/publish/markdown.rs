//! Free text from declarations: markdown rendered by pulldown-cmark, then sanitised by
//! ammonia, so no raw HTML or script from a user ever reaches a page.

use pulldown_cmark::{html, Options, Parser};
use std::sync::OnceLock;

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

/// Markdown to safe HTML.
pub fn to_html(markdown: &str) -> String {
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
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
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
    fn plain_text_drops_markup() {
        assert_eq!(
            to_text("Partner at **Riverside**\n\n<b>x</b> `y`"),
            "Partner at Riverside x y"
        );
        assert_eq!(to_text("A <script>alert(1)</script> B"), "A B");
    }
}
