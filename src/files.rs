//! Owner-only files: the data directory (mode 0700) and everything in it (0600) — the sandbox's and the console's
//! databases, sessions, the audit log, credentials and operators. Used by every part that writes there.

use std::path::Path;

/// Writes `contents` to `path`, readable and writable by the owner only (also when the file already existed with a
/// wider mode).
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(contents.as_bytes())
}

/// Creates `dir` if needed and makes it and every file directly in it owner-only (0700 / 0600), whatever modes they
/// had. Called at start-up, before and after the databases are opened (SQLite makes its `-wal` and `-shm` files
/// with the process's umask).
pub fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let mode = entry.metadata()?.permissions().mode() & 0o777;
                if mode != 0o600 {
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn wide_modes_are_narrowed() {
        let dir =
            std::env::temp_dir().join(format!("bi-console-files-{:x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let f = dir.join("console.db");
        std::fs::write(&f, "x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&f), 0o600);
        let g = dir.join("secret.txt");
        std::fs::write(&g, "old").unwrap();
        std::fs::set_permissions(&g, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_private(&g, "new").unwrap();
        assert_eq!(mode(&g), 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
