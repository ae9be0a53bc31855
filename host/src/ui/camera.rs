//! Cameras the app offers as a target.
//!
//! Where: the target panel's "Camera" choice lists what [`list`] finds, by the names
//! `liveswap cameras` prints (live mode matches `--camera` by name). A video can stand in
//! for a camera: type `file:VIDEO` in the target field.

/// Camera names, in the order the system lists them (none when the query fails).
pub fn list() -> Vec<String> {
    match crate::capture::list_cameras() {
        Ok(cameras) => cameras.into_iter().map(|c| c.name).collect(),
        Err(e) => {
            tracing::warn!("cannot list cameras: {e}");
            Vec::new()
        }
    }
}
