//! The socket and room-channel limits an operator may set ([`Tuning`]),
//! read from flags and the environment with the rest of the configuration.
//! A leaf of its own so the configuration names it without reaching into
//! the hub.

use std::time::Duration;

/// How sockets and room channels behave under slow clients and silence.
/// The defaults suit people on phones; an operator may change them, and
/// the tests shorten them to see each limit act in a fraction of a second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::Args)]
pub struct Tuning {
    /// How often the server pings each socket (e.g. `20s`).
    #[arg(long = "ws-ping-every", env = "RAPPORT_WS_PING_EVERY", default_value = "20s", value_parser = positive_duration)]
    pub ping_every: Duration,
    /// A socket that sends nothing at all (not even a pong) for this long
    /// is closed. Checked at each ping, so it acts up to one ping later.
    #[arg(long = "ws-idle-timeout", env = "RAPPORT_WS_IDLE_TIMEOUT", default_value = "60s", value_parser = positive_duration)]
    pub idle_timeout: Duration,
    /// A write to a client that has not completed after this long closes
    /// the socket (the client resumes from its last sequence number).
    #[arg(long = "ws-send-timeout", env = "RAPPORT_WS_SEND_TIMEOUT", default_value = "10s", value_parser = positive_duration)]
    pub send_timeout: Duration,
    /// Most bytes buffered in the server for one client beyond what the
    /// network takes; more fails the socket. At least 32 KiB: a history
    /// page is cut to half of it, and one longest message must fit.
    #[arg(long = "ws-max-write-buffer", env = "RAPPORT_WS_MAX_WRITE_BUFFER", default_value_t = 64 * 1024, value_parser = clap::value_parser!(u32).range(32768..))]
    pub max_write_buffer: u32,
    /// Frames a room channel keeps for sockets that are behind; one that
    /// falls further behind is told to resync.
    #[arg(long = "room-backlog", env = "RAPPORT_ROOM_BACKLOG", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(16..=65536))]
    pub room_backlog: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            ping_every: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(10),
            max_write_buffer: 64 * 1024,
            room_backlog: 1024,
        }
    }
}

/// A duration such as `20s`, `500ms` or `1m`; zero is refused (a zero
/// ping period or timeout would make every socket fail at once).
fn positive_duration(raw: &str) -> Result<Duration, String> {
    match humantime::parse_duration(raw) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (write e.g. 20s, 500ms or 1m)")),
    }
}
