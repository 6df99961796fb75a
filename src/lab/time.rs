//! Timestamps (milliseconds since the Unix epoch) and their human formats, on jiff's calendar.

use std::fmt;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

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

    /// The same instant for jiff, clamped to the years jiff knows (-9999 to 9999).
    pub fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.0).unwrap_or(if self.0 < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }

    /// The date and time of day in UTC.
    fn utc(self) -> DateTime {
        TimeZone::UTC.to_datetime(self.to_jiff())
    }

    /// (year, month, day, hour, minute, second) in UTC.
    pub fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let t = self.utc();
        let small = |v: i8| u32::try_from(v).unwrap_or(0);
        (
            i64::from(t.year()),
            small(t.month()),
            small(t.day()),
            small(t.hour()),
            small(t.minute()),
            small(t.second()),
        )
    }

    /// `HH:MM:SS` in UTC.
    pub fn hms(self) -> String {
        self.utc().strftime("%H:%M:%S").to_string()
    }

    /// `MM-DD HH:MM:SS` in UTC, for lists where the year goes without saying.
    pub fn month_day_hms(self) -> String {
        self.utc().strftime("%m-%d %H:%M:%S").to_string()
    }

    /// `YYYY-MM-DD-HH-MM-SS`, the suffix the lab's DeployModel function gives models and endpoints.
    pub fn dashed(self) -> String {
        self.utc().strftime("%Y-%m-%d-%H-%M-%S").to_string()
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(t: jiff::Timestamp) -> Self {
        Timestamp(t.as_millisecond())
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, to the second.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.utc().strftime("%Y-%m-%dT%H:%M:%SZ"))
    }
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
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(t.civil(), (2026, 11, 27, 9, 30, 5));
        let parsed: jiff::Timestamp = "2026-11-27T09:30:05.250Z".parse().expect("RFC 3339");
        assert_eq!(Timestamp::from(parsed), t.plus_millis(250));
        // Beyond jiff's years the instant is clamped, never a panic.
        assert!(Timestamp(i64::MAX).to_string().starts_with("9999-12-"));
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
