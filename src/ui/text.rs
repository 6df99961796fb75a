//! Fitting text to cells: middle truncation for long resource names, word wrapping for reasons.

use ratatui::text::Line;

/// Width in terminal cells (every character the app prints is one cell wide).
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Cut `s` to `max` cells, keeping both ends: `datascience-pro…-Tools`.
pub fn middle(s: &str, max: usize) -> String {
    let n = width(s);
    if n <= max {
        return s.to_string();
    }
    if max <= 1 {
        return "…".chars().take(max).collect();
    }
    let keep = max - 1;
    let tail = keep / 3;
    let head = keep - tail;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// Cut `s` to `max` cells at the end: `The following res…`.
pub fn end(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Greedy word wrap into lines of at most `max` cells; words longer than a line are split.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let mut word: String = word.to_string();
        loop {
            let sep = usize::from(!cur.is_empty());
            if width(&cur) + sep + width(&word) <= max {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            let head: String = word.chars().take(max).collect();
            word = word.chars().skip(max).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Total cells of a line's spans.
pub fn line_width(line: &Line<'_>) -> usize {
    line.spans.iter().map(|s| width(&s.content)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn middle_keeps_both_ends() {
        let s = "datascience-project-2026-11-27-10-15-03-Tools";
        let m = middle(s, 20);
        assert_eq!(width(&m), 20);
        assert!(m.starts_with("datascience-"));
        assert!(m.ends_with("-Tools"));
        assert_eq!(middle("short", 20), "short");
    }

    #[test]
    fn wrap_breaks_on_words_and_splits_long_ones() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(end("abcdef", 4), "abc…");
    }
}
