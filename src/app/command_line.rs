//! The fleet's `:` commands: parsed from the typed line into what the reducer does.

use super::fleet::SortKey;

/// A parsed `:` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// `:lab NAME`: open that lab's view.
    Lab(String),
    /// `:sort step|blocked|name|change|cost`.
    Sort(SortKey),
    /// `:filter TEXT` (no text clears the filter).
    Filter(String),
    /// `:q`, `:quit`.
    Quit,
}

/// What the commands are, for the notice after a mistake.
pub const USAGE: &str = ":lab NAME, :sort step|blocked|name|change|cost, :filter TEXT, :q";

/// Parse a command line (without the leading `:`); the error is the notice to show.
pub fn parse(line: &str) -> Result<Cmd, String> {
    let line = line.trim();
    let (word, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    match word {
        "lab" | "l" if rest.is_empty() => Err("usage: :lab NAME".into()),
        "lab" | "l" => Ok(Cmd::Lab(rest.to_string())),
        "sort" | "s" => SortKey::parse(rest).map(Cmd::Sort).ok_or_else(|| {
            format!("unknown sort {rest:?}: use step, blocked, name, change or cost")
        }),
        "filter" | "f" => Ok(Cmd::Filter(rest.to_string())),
        "q" | "quit" | "q!" => Ok(Cmd::Quit),
        "" => Err(format!("commands: {USAGE}")),
        other => Err(format!("unknown command :{other} (commands: {USAGE})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_and_mistakes_say_why() {
        assert_eq!(parse("lab bob"), Ok(Cmd::Lab("bob".into())));
        assert_eq!(parse(" sort blocked "), Ok(Cmd::Sort(SortKey::Blocked)));
        assert_eq!(
            parse("filter Stage: denied"),
            Ok(Cmd::Filter("Stage: denied".into()))
        );
        assert_eq!(parse("q"), Ok(Cmd::Quit));
        assert!(parse("sort size").unwrap_err().contains("unknown sort"));
        assert!(
            parse("frobnicate")
                .unwrap_err()
                .contains("unknown command :frobnicate")
        );
        assert!(parse("lab").unwrap_err().contains("usage"));
    }
}
