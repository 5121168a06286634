//! The server's secret key: 64 random bytes generated on first start and
//! kept in the data directory, readable by the owner only. It signs the
//! session cookie. It never appears in logs or `Debug` output.

use anyhow::Context;
use rand::RngCore;
use std::{fs, io::Write, path::Path};

pub const KEY_FILE: &str = "secret.key";
const KEY_LEN: usize = 64;

/// The key bytes.
pub struct SecretKey([u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl SecretKey {
    /// Reads the key from `data_dir`, creating it (and the folder) on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(data_dir)
            .with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let path = data_dir.join(KEY_FILE);
        match fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; KEY_LEN] = bytes.try_into().map_err(|_| {
                    anyhow::anyhow!(
                        "{} is not a {KEY_LEN}-byte key; move it away to make a new one",
                        path.display()
                    )
                })?;
                restrict(&path)?;
                Ok(Self(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_LEN];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let mut file = create_private(&path)?;
                file.write_all(&key)?;
                file.sync_all()?;
                tracing::info!(path = %path.display(), "generated a new secret key");
                Ok(Self(key))
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> anyhow::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    Ok(fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> anyhow::Result<fs::File> {
    Ok(fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?)
}

/// Tightens the key file to owner-only if someone loosened it.
#[cfg(unix)]
fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), "secret key was readable by others; restricting it to the owner");
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("rapport-secret-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn the_key_is_created_once_and_then_reused() {
        let dir = temp_dir();
        let first = SecretKey::load_or_create(&dir).unwrap();
        let second = SecretKey::load_or_create(&dir).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        assert_ne!(first.bytes(), &[0u8; KEY_LEN]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir();
        SecretKey::load_or_create(&dir).unwrap();
        let mode = fs::metadata(dir.join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn debug_output_hides_the_key() {
        let dir = temp_dir();
        let key = SecretKey::load_or_create(&dir).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
        fs::remove_dir_all(dir).unwrap();
    }
}
