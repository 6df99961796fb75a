//! End to end: `crossdeck demo --events` in tmux shows the simulated feed live in the fleet
//! summary and the lab header, and the count of events taken grows.

use crate::e2e::Tmux;

/// The number before ` taken` on the feed's line, if it shows live.
fn taken(screen: &str) -> Option<u64> {
    let line = screen.lines().find(|l| l.contains("events: live"))?;
    let head = line.split(" taken").next()?;
    let number = head.rsplit(' ').next()?;
    number.replace(',', "").parse().ok()
}

#[test]
fn the_demo_with_events_shows_the_feed_live_and_counting() {
    let bin = env!("CARGO_BIN_EXE_crossdeck");
    let log = std::env::temp_dir().join(format!("crossdeck-e2e-events-{}.log", std::process::id()));
    let cmd = format!(
        "'{bin}' demo --events --log-file '{}'; echo \"EXIT=$?\"; sleep 60",
        log.display()
    );
    let tmux = Tmux::start(120, 40, &cmd);

    let screen = tmux.wait_for("the fleet with the feed live and an event taken", |s| {
        s.contains("fleet · 6 labs") && taken(s).is_some_and(|n| n > 0)
    });
    let first = taken(&screen).expect("a count");
    tmux.wait_for("more events taken", |s| taken(s).is_some_and(|n| n > first));

    // The lab header has the same line.
    tmux.send("Enter");
    let lab = tmux.wait_for("alice's lab view with the feed line", |s| {
        s.contains("alice (1/6)") && s.contains("events: live")
    });
    assert!(taken(&lab).is_some(), "{lab}");
    tmux.send("q");
    let after = tmux.wait_for("the process to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "exit status 0:\n{after}");
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        log_text.contains("event queue live"),
        "the log says the feed went live:\n{log_text}"
    );
    let _ = std::fs::remove_file(log);
}
