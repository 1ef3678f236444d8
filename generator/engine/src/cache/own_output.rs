//! Which output folder the site's last build put in place, kept in
//! `.maillage/output-folder.json` and left alone when the rest of the
//! cache is forgotten, a failed build included. A build moves its output
//! folder aside and empties it two builds later, so a folder named with
//! `--output-dir` that holds files and is not the site's own is refused
//! unless `--force` says to replace it, as Zola asks before replacing one.

use std::path::{Path, PathBuf};

use super::unchanged::FolderIdentity;
use super::DIR;
use crate::error::{Diagnostic, Result};

const FILE: &str = "output-folder.json";

fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// Notes `output` as the folder the site's last build put in place.
pub fn note(root: &Path, output: &Path) {
    let Some(identity) = FolderIdentity::of(output) else {
        return;
    };
    let Ok(text) = serde_json::to_vec(&identity) else {
        return;
    };
    // Worth no error: without it the next build asks for --force.
    let _ = super::replace_file(&path(root), &text);
}

/// Refuses `output` when it exists, holds files and is not the folder the
/// site's last build put in place.
pub fn check_replaceable(root: &Path, output: &Path) -> Result<()> {
    let holds_files = std::fs::read_dir(output).is_ok_and(|mut entries| entries.next().is_some());
    if !holds_files {
        return Ok(());
    }
    let noted = std::fs::read(path(root))
        .ok()
        .and_then(|text| serde_json::from_slice::<FolderIdentity>(&text).ok());
    if noted.is_some() && noted == FolderIdentity::of(output) {
        return Ok(());
    }
    Err(Diagnostic::new(
        output,
        "the output folder holds files and is not this site's last output: a build \
         replaces it, and deletes its files two builds later; pass --force to \
         replace it",
    )
    .into())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// An empty or missing folder is taken; one that holds files only once
    /// noted as the site's output, and not once replaced by another.
    #[test]
    fn only_the_sites_own_output_is_replaced_unasked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let output = dir.path().join("dist");
        std::fs::create_dir_all(root.join(DIR)).unwrap();
        assert!(check_replaceable(&root, &output).is_ok(), "missing");
        std::fs::create_dir_all(&output).unwrap();
        assert!(check_replaceable(&root, &output).is_ok(), "empty");
        std::fs::write(output.join("notes.txt"), "mine").unwrap();
        let refused = check_replaceable(&root, &output).unwrap_err().to_string();
        assert!(refused.contains("pass --force"), "{refused}");
        note(&root, &output);
        assert!(check_replaceable(&root, &output).is_ok(), "noted");
        std::fs::rename(&output, dir.path().join("moved")).unwrap();
        std::fs::create_dir_all(&output).unwrap();
        std::fs::write(output.join("other.txt"), "other").unwrap();
        assert!(
            check_replaceable(&root, &output).is_err(),
            "another folder by the same name"
        );
    }
}
