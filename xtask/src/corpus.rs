//! `cargo xtask corpus`: placeholder replaced below.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not yet".into())
}
