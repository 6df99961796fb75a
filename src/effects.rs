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

/// Open a URL with the desktop's opener, quietly; the notice already shows the URL.
fn open_url(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        tracing::warn!("cannot run {opener} for {url}: {e}");
    }
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
