//! Timestamps (milliseconds since the Unix epoch) and their human formats, without a date crate.

use std::fmt;

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn from_secs(secs: i64) -> Self {
        Timestamp(secs * 1000)
    }

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus_secs(self, secs: i64) -> Self {
        Timestamp(self.0 + secs * 1000)
    }

    pub fn plus_millis(self, ms: i64) -> Self {
        Timestamp(self.0 + ms)
    }

    /// Whole seconds from `earlier` to `self` (0 when `earlier` is later).
    pub fn secs_since(self, earlier: Timestamp) -> i64 {
        ((self.0 - earlier.0) / 1000).max(0)
    }

    /// (year, month, day, hour, minute, second) in UTC.
    pub fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (rem / 3600) as u32,
            ((rem % 3600) / 60) as u32,
            (rem % 60) as u32,
        )
    }

    /// `HH:MM:SS` in UTC.
    pub fn hms(self) -> String {
        let (_, _, _, h, mi, s) = self.civil();
        format!("{h:02}:{mi:02}:{s:02}")
    }

    /// `MM-DD HH:MM:SS` in UTC, for lists where the year goes without saying.
    pub fn month_day_hms(self) -> String {
        let (_, m, d, h, mi, s) = self.civil();
        format!("{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// `YYYY-MM-DD-HH-MM-SS`, the suffix the lab's DeployModel function gives models and endpoints.
    pub fn dashed(self) -> String {
        let (y, m, d, h, mi, s) = self.civil();
        format!("{y:04}-{m:02}-{d:02}-{h:02}-{mi:02}-{s:02}")
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, to the second.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d, h, mi, s) = self.civil();
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A short duration: `42s`, `3m 05s`, `2h 10m`, `3d 4h`.
pub fn short_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m {:02}s", secs / 60, secs % 60),
        3600..=86_399 => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
        _ => format!("{}d {}h", secs / 86_400, (secs % 86_400) / 3600),
    }
}

/// A compact age for "updated … ago": `4s`, `12m`, `3h`, `2d`.
pub fn age(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_known_points() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00Z");
        // 2026-11-27T09:30:05Z
        let t = Timestamp::from_secs(1_795_771_805);
        assert_eq!(t.to_string(), "2026-11-27T09:30:05Z");
        assert_eq!(t.dashed(), "2026-11-27-09-30-05");
        assert_eq!(t.hms(), "09:30:05");
        assert_eq!(t.month_day_hms(), "11-27 09:30:05");
        assert_eq!(
            Timestamp::from_secs(951_782_400).to_string(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(short_duration(-3), "0s");
        assert_eq!(short_duration(42), "42s");
        assert_eq!(short_duration(185), "3m 05s");
        assert_eq!(short_duration(7_800), "2h 10m");
        assert_eq!(short_duration(273_600), "3d 4h");
        assert_eq!(age(59), "59s");
        assert_eq!(age(61), "1m");
        assert_eq!(age(7_200), "2h");
    }
}
