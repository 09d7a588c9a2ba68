//! A disposable PostgreSQL cluster on its own port, for tests that must stop and start the
//! database. Never the shared server: stopping that would break every other test.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A throw-away cluster made with `initdb`, controlled with `pg_ctl`.
pub struct DisposableCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

/// The PostgreSQL server binaries: `TEST_PG_BIN_DIR`, else the newest Debian-layout install,
/// else whatever is on `PATH`.
fn find_bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("TEST_PG_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let mut installed: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    installed.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    installed.pop().unwrap_or_default()
}

fn output_of(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl DisposableCluster {
    /// Creates and starts a cluster with trust authentication on a free loopback port.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // PostgreSQL refuses to run as root: hand the directory to the `postgres` account.
        let as_postgres_user = output_of("id", &["-u"]) == "0";
        if as_postgres_user {
            let uid: u32 = output_of("id", &["-u", "postgres"]).parse().unwrap();
            let gid: u32 = output_of("id", &["-g", "postgres"]).parse().unwrap();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let cluster = Self {
            dir,
            bin: find_bin_dir(),
            port: free_port(),
            as_postgres_user,
        };
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        cluster.start_server();
        cluster
    }

    /// A streaming hot standby of `primary` (`pg_basebackup -R`), started on its own port.
    pub fn replica_of(primary: &DisposableCluster) -> Self {
        let dir = tempfile::tempdir().unwrap();
        if primary.as_postgres_user {
            let uid: u32 = output_of("id", &["-u", "postgres"]).parse().unwrap();
            let gid: u32 = output_of("id", &["-g", "postgres"]).parse().unwrap();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let replica = Self {
            dir,
            bin: primary.bin.clone(),
            port: free_port(),
            as_postgres_user: primary.as_postgres_user,
        };
        let data = replica.data_dir();
        let port = primary.port.to_string();
        replica.run(
            "pg_basebackup",
            &[
                "-D",
                data.to_str().unwrap(),
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "--no-sync",
            ],
        );
        replica.start_server();
        replica
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server and waits (`pg_ctl -w`) until it accepts connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let data = self.data_dir();
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server (fast mode: open sessions are cut) and waits until it is gone.
    pub fn stop_server(&self) {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        );
    }

    /// Kills the server the way a crash or power cut would (`pg_ctl stop -m immediate`: no
    /// checkpoint, sessions cut, crash recovery at the next start) and waits until it is gone.
    pub fn kill_server(&self) {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// URL of `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Where the cluster lives, for diagnostics.
    #[allow(dead_code)]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for DisposableCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let program = self.bin.join("pg_ctl");
        let args = [
            "-D",
            data.to_str().unwrap_or_default(),
            "-m",
            "immediate",
            "stop",
        ];
        let _ = if self.as_postgres_user {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}
