//! Private PostgreSQL and Redis servers that a fault-injection test may stop and restart
//! without touching the machine's shared services. They need the machine's PostgreSQL
//! binaries and `redis-server`; a test fails with a clear message when they are missing.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn pg_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
        .expect("fault tests need the machine's PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb); install postgresql")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// Run a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root).
fn pg_cmd(tool: &str) -> Command {
    let bin = pg_bin().join(tool);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).current_dir("/");
        c
    } else {
        Command::new(bin)
    }
}

/// A throwaway PostgreSQL cluster on a free port.
pub struct PrivatePg {
    pub port: u16,
    dir: PathBuf,
}

impl PrivatePg {
    pub fn start() -> PrivatePg {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("myrelay-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
        }
        let ok = pg_cmd("initdb")
            .args(["-D"])
            .arg(&dir)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("initdb");
        assert!(ok.success(), "initdb failed");
        let pg = PrivatePg { port, dir };
        pg.up();
        pg
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn up(&self) {
        let ok = pg_cmd("pg_ctl")
            .args(["-D"])
            .arg(&self.dir)
            .args(["-w", "-t", "30", "-l"])
            .arg(self.dir.join("server.log"))
            .args([
                "-o",
                &format!(
                    "-p {} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off",
                    self.port
                ),
            ])
            .arg("start")
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl start");
        assert!(ok.success(), "pg_ctl start failed");
    }

    /// Stop at once (`-m immediate`: like a crash, no clean shutdown).
    pub fn down(&self) {
        let _ = pg_cmd("pg_ctl")
            .args(["-D"])
            .arg(&self.dir)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A throwaway Redis on a free port.
pub struct PrivateRedis {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    pub fn start() -> PrivateRedis {
        let mut r = PrivateRedis {
            port: free_port(),
            child: None,
        };
        r.up();
        r
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn up(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("fault tests need redis-server (apt-get install redis-server)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.down();
    }
}
