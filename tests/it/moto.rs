//! The moto harness: a `moto_server` on 127.0.0.1 and a free port, started and stopped by the
//! test, with a lab seeded into it and temporary AWS config files that reach it.
//!
//! moto comes from the venv `scripts/test.sh` makes (`.venv/`), or `CROSSDECK_MOTO_SERVER`.
//! A test that needs moto and cannot find it fails: it never skips.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running moto server; stopped when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

fn venv_bin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv")
        .join("bin")
        .join(name)
}

/// The moto_server to run: `CROSSDECK_MOTO_SERVER`, else the repo's `.venv`.
fn moto_server() -> PathBuf {
    if let Some(p) = std::env::var_os("CROSSDECK_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let p = venv_bin("moto_server");
    assert!(
        p.is_file(),
        "moto_server not found at {}: run scripts/test.sh, which installs moto into .venv \
         (or set CROSSDECK_MOTO_SERVER)",
        p.display()
    );
    p
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn get(port: u16, path: &str) -> Option<String> {
    request(port, "GET", path, "")
}

/// One HTTP/1.0 request to moto on 127.0.0.1 (a JSON body when not empty); the whole answer.
fn request(port: u16, method: &str, path: &str, body: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n").ok()?;
    if !body.is_empty() {
        write!(
            s,
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        )
        .ok()?;
    }
    write!(s, "\r\n{body}").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

impl Moto {
    /// Start a server and wait until it answers.
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// The same, with extra environment variables for the server (e.g. its request recorder).
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        let server = moto_server();
        let port = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while get(port, "/moto-api/").is_none_or(|r| !r.contains("200")) {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// Seed one lab (see tests/moto/seed_lab.py); returns what the script reports it made.
    pub fn seed_lab(&self, uid: &str, tools: &str, ds: &str, stage: &str) -> serde_json::Value {
        self.seed_lab_with(uid, [tools, ds, stage], &[])
    }

    /// Seed one lab with extra flags for the script (e.g. `--cleanup-extras`).
    pub fn seed_lab_with(
        &self,
        uid: &str,
        [tools, ds, stage]: [&str; 3],
        extra: &[&str],
    ) -> serde_json::Value {
        let mut args = vec!["--endpoint", &self.url, "--uid", uid];
        args.extend(["--tools", tools, "--ds", ds, "--stage", stage]);
        args.extend(extra);
        python_json("seed_lab.py", &args)
    }

    /// GET one of moto's own API paths (`/moto-api/...`); the whole HTTP answer.
    pub fn api(&self, path: &str) -> String {
        get(self.port(), path).unwrap_or_else(|| panic!("moto did not answer {path}"))
    }

    /// POST JSON to one of moto's own API paths (e.g. its static SageMaker endpoint results).
    pub fn api_post(&self, path: &str, json: &str) -> String {
        request(self.port(), "POST", path, json)
            .unwrap_or_else(|| panic!("moto did not answer {path}"))
    }

    fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in the url")
    }
}

/// Run a script of tests/moto with the venv's python and parse the JSON it prints.
pub fn python_json(script: &str, args: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/moto")
        .join(script);
    let python = std::env::var_os("CROSSDECK_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| venv_bin("python"));
    let out = Command::new(&python)
        .arg(&script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch directory with AWS config files and a crossdeck config, removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "crossdeck-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch { dir }
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, text).expect("write scratch file");
        p
    }

    /// A shell command for tmux: the dashboard with `args`, in this directory, with only these
    /// AWS files in its environment; it prints `EXIT=<status>` when it ends.
    pub fn dashboard_in_tmux(&self, args: &str) -> String {
        let d = self.dir.display();
        format!(
            "cd '{d}' && env -i PATH=\"$PATH\" TERM=xterm-256color HOME='{d}' XDG_STATE_HOME='{d}' \
             AWS_CONFIG_FILE='{d}/aws_config' AWS_SHARED_CREDENTIALS_FILE='{d}/aws_credentials' \
             AWS_EC2_METADATA_DISABLED=true '{bin}' {args}; echo \"EXIT=$?\"; sleep 60",
            bin = env!("CARGO_BIN_EXE_crossdeck")
        )
    }

    /// Run crossdeck with only these AWS files in its environment (no ambient credentials).
    pub fn crossdeck(&self, args: &[&str]) -> Output {
        self.crossdeck_with(args, &[])
    }

    /// The same, with extra environment variables.
    pub fn crossdeck_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run crossdeck")
    }

    /// The command `crossdeck` runs as, to spawn it.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_crossdeck"));
        c.args(args)
            .current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("XDG_STATE_HOME", &self.dir)
            .env("XDG_CONFIG_HOME", &self.dir)
            .env("AWS_CONFIG_FILE", self.dir.join("aws_config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.join("aws_credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true");
        c
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
