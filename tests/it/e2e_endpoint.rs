//! End to end on the demo: once the simulated lab has an endpoint, Enter on it shows its health
//! view with the metrics section, and `i` there shows the smoke test's prediction.

use std::time::Duration;

use crate::e2e::Tmux;

#[test]
fn the_demo_shows_an_endpoints_metrics_and_its_smoke_test() {
    let bin = env!("CARGO_BIN_EXE_crossdeck");
    let log = std::env::temp_dir().join(format!("crossdeck-e2e-health-{}.log", std::process::id()));
    let cmd = format!(
        "'{bin}' demo --participants 1 --speed 400 --log-file '{}'; echo \"EXIT=$?\"; sleep 60",
        log.display()
    );
    let tmux = Tmux::start(100, 30, &cmd);
    tmux.wait_for("the Tools endpoint InService", |s| {
        s.contains("✓ datascience-project")
    });
    // Down the Tools pane until Enter opens the endpoint (other rows open their own detail).
    let mut opened = false;
    for _ in 0..12 {
        tmux.send("Enter");
        std::thread::sleep(Duration::from_millis(300));
        let screen = tmux.capture();
        if screen.contains("Endpoint · ") {
            opened = true;
            break;
        }
        if screen.contains("q back") {
            tmux.send_escape();
        }
        tmux.send("j");
    }
    assert!(
        opened,
        "no endpoint row in the Tools pane:\n{}",
        tmux.capture()
    );
    let view = tmux.wait_for("the metrics section", |s| {
        s.contains("Metrics · AllTraffic") && s.contains("Invocations") && s.contains("5XX errors")
    });
    assert!(
        view.contains("Variant AllTraffic  1 × ml.t2.medium"),
        "{view}"
    );
    tmux.send("i");
    // A capture can land mid-frame: the wait names the last line it needs.
    tmux.wait_for("the prediction", |s| {
        s.contains("Prediction")
            && s.contains("rings")
            && s.contains("Round trip")
            && s.contains("Answered by         AllTraffic")
    });
    tmux.send("q");
    tmux.wait_for("the view to close", |s| !s.contains("Endpoint · "));
    tmux.send("q");
    let after = tmux.wait_for("the process to exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "{after}");
    let _ = std::fs::remove_file(log);
}
