//! The smoke test: one row of the lab's abalone data in libsvm format (the notebook's XGBoost
//! model reads it), sent to an endpoint, and what came back.

/// The sample row shipped in `assets/smoke/`: `<label> 1:<sex> 2:<length> … 8:<shell weight>`;
/// the model ignores the label and predicts the number of rings.
pub const SAMPLE_ROW: &str = include_str!("../../assets/smoke/abalone.libsvm");

/// The content type the lab's XGBoost endpoint reads the row as.
pub const CONTENT_TYPE: &str = "text/libsvm";

/// Longest answer kept, in characters: it is shown on one line.
const MAX_ANSWER: usize = 200;

/// What an endpoint answered to one invocation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Invocation {
    /// The response body as text (the model's prediction), trimmed and cut to one line.
    pub answer: String,
    /// From sending the request to reading the whole answer, in milliseconds.
    pub latency_ms: u64,
    /// The variant that answered, when the service says.
    pub variant: Option<String>,
}

impl Invocation {
    pub fn new(body: &str, latency_ms: u64, variant: Option<String>) -> Self {
        let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
        Invocation {
            answer: one_line.chars().take(MAX_ANSWER).collect(),
            latency_ms,
            variant,
        }
    }

    /// The predicted rings: the first number of the answer (XGBoost answers `9.64` or `[9.64]`).
    pub fn rings(&self) -> Option<f64> {
        self.answer
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .find_map(|w| w.parse::<f64>().ok())
    }

    /// One line for a notice or the event log.
    pub fn summary(&self) -> String {
        match self.rings() {
            // An abalone is about 1.5 years older than its rings count.
            Some(r) => format!(
                "predicted {r:.2} rings (about {:.1} years) in {} ms",
                r + 1.5,
                self.latency_ms
            ),
            None => format!("answered \"{}\" in {} ms", self.answer, self.latency_ms),
        }
    }
}

/// A libsvm row's features: `(index, value)` pairs after the label, indices increasing.
pub fn parse_libsvm(row: &str) -> Result<Vec<(u32, f64)>, String> {
    let mut words = row.split_whitespace();
    let label = words.next().ok_or("an empty row")?;
    label
        .parse::<f64>()
        .map_err(|_| format!("the label \"{label}\" is not a number"))?;
    let mut out: Vec<(u32, f64)> = Vec::new();
    for w in words {
        let (i, v) = w
            .split_once(':')
            .ok_or_else(|| format!("\"{w}\" is not index:value"))?;
        let i: u32 = i.parse().map_err(|_| format!("bad index in \"{w}\""))?;
        let v: f64 = v.parse().map_err(|_| format!("bad value in \"{w}\""))?;
        if out.last().is_some_and(|(last, _)| *last >= i) {
            return Err(format!("index {i} is out of order"));
        }
        out.push((i, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_row_is_one_abalone_in_libsvm() {
        let f = parse_libsvm(SAMPLE_ROW).expect("the sample parses");
        assert_eq!(f.len(), 8);
        assert_eq!(f[0], (1, 1.0));
        assert_eq!(f[7], (8, 0.15));
        assert_eq!(SAMPLE_ROW.lines().count(), 1);
        assert!(parse_libsvm("1,0.455,0.365").is_err());
        assert!(parse_libsvm("0 2:1 1:3").is_err());
    }

    #[test]
    fn the_answer_reads_as_rings() {
        let i = Invocation::new("9.6412\n", 41, None);
        assert_eq!(i.rings(), Some(9.6412));
        assert_eq!(
            i.summary(),
            "predicted 9.64 rings (about 11.1 years) in 41 ms"
        );
        assert_eq!(Invocation::new("[10.5]", 3, None).rings(), Some(10.5));
        assert_eq!(Invocation::new("no", 3, None).rings(), None);
    }
}
