//! Carrying out the reducer's commands that leave the app: actions, the launch form's reads,
//! following a launch, an endpoint's metrics and smoke test, opening a URL, copying with OSC 52.
//! Answers come back as messages.

use std::io::Write;
use std::ops::ControlFlow;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::app::{Command, Msg};
use crate::backend::Backend;
use crate::cleanup::{self, RunOptions};

/// Start the work a command asks for; `Refresh` is the poller's and is not handled here.
pub fn spawn<B: Backend>(backend: &Arc<B>, cmd: Command, tx: &mpsc::Sender<Msg>) {
    let (b, tx) = (backend.clone(), tx.clone());
    match cmd {
        Command::Refresh(_) => {}
        Command::Act { key, action } => {
            tokio::spawn(async move {
                let result = b.act(key, action.clone()).await;
                let _ = tx
                    .send(Msg::ActionResult {
                        key,
                        action: Box::new(action),
                        result,
                    })
                    .await;
            });
        }
        Command::LaunchOptions { key, product } => {
            tokio::spawn(async move {
                let result = b.launch_options(key, &product).await.map(Box::new);
                let _ = tx.send(Msg::LaunchOptions { key, result }).await;
            });
        }
        Command::FollowRecord {
            key,
            record_id,
            after,
        } => {
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                let result = b.record(key, &record_id).await;
                let _ = tx
                    .send(Msg::Record {
                        key,
                        record_id,
                        result,
                    })
                    .await;
            });
        }
        Command::NotebookUrl { key, name } => {
            tokio::spawn(async move {
                let result = b.notebook_url(key, &name).await;
                let _ = tx.send(Msg::NotebookUrl { name, result }).await;
            });
        }
        Command::RunCleanup { lab, plan } => {
            tokio::spawn(async move {
                let events = tx.clone();
                let outcome = cleanup::run(&*b, lab, &plan, RunOptions::default(), |event| {
                    // A full channel drops a progress line, never the run.
                    let _ = events.try_send(Msg::Cleanup {
                        lab,
                        event: event.clone(),
                    });
                    ControlFlow::Continue(())
                })
                .await;
                let _ = tx.send(Msg::CleanupDone { lab, outcome }).await;
            });
        }
        Command::EndpointMetrics {
            key,
            endpoint,
            variants,
            generation,
        } => {
            tokio::spawn(async move {
                let result = b
                    .endpoint_metrics(key, &endpoint, &variants, b.now())
                    .await
                    .map(Box::new);
                let msg = Msg::EndpointMetrics {
                    key,
                    endpoint,
                    generation,
                    result,
                };
                let _ = tx.send(msg).await;
            });
        }
        Command::InvokeEndpoint {
            key,
            endpoint,
            body,
            content_type,
        } => {
            tokio::spawn(async move {
                let result = b
                    .invoke_endpoint(key, &endpoint, &body, &content_type)
                    .await;
                let _ = tx
                    .send(Msg::Invoked {
                        key,
                        endpoint,
                        result,
                    })
                    .await;
            });
        }
        Command::OpenUrl(url) => open_url(&url),
        Command::Copy(text) => {
            let mut out = std::io::stdout();
            let _ = out.write_all(osc52(&text).as_bytes());
            let _ = out.flush();
        }
    }
}

/// Open a URL with the desktop's opener (xdg-open, open, start, or the Windows side of WSL),
/// quietly; the notice already shows the URL.
fn open_url(url: &str) {
    if let Err(e) = open::that_detached(url) {
        tracing::warn!("cannot open {url}: {e}");
    }
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard.
pub fn osc52(text: &str) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = crossterm::Command::write_ansi(
        &crossterm::clipboard::CopyToClipboard::to_clipboard_from(text),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x1b\\");
        assert_eq!(osc52("foobar"), "\x1b]52;c;Zm9vYmFy\x1b\\");
        assert_eq!(osc52(""), "\x1b]52;c;\x1b\\");
    }
}
