//! `maillage serve`: placeholder replaced below.
use crate::build::BuildOptions;
pub fn serve(_o: BuildOptions, _p: u16, _h: Option<()>) -> crate::error::Result<()> {
    Ok(())
}
