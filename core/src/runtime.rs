//! The Tokio runtime opsbook runs probes on when the embedder has none of its own
//! (Python, Node, C, the CLI). Built lazily on first use, so a process that never runs a
//! probe starts no threads; rebuilt in a child after `fork()` (gunicorn and
//! `uvicorn --workers` fork after import), where the parent's worker threads do not exist.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::runtime::{Builder, Runtime};

static SHARED: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The shared runtime for this process (two worker threads: probes wait on I/O, they do
/// not compute).
pub fn shared() -> Arc<Runtime> {
    let pid = std::process::id();
    let mut slot = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((owner, rt)) = slot.as_ref() {
        if *owner == pid {
            return Arc::clone(rt);
        }
        // Inherited across fork(): its threads are gone. Leak it rather than drop it, since
        // dropping would try to join threads that do not exist in this process.
        if let Some((_, stale)) = slot.take() {
            std::mem::forget(stale);
        }
    }
    let rt = Arc::new(
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("opsbook")
            .enable_all()
            .build()
            .expect("building a Tokio runtime only fails when the OS refuses threads"),
    );
    *slot = Some((pid, Arc::clone(&rt)));
    rt
}

/// Runs a future to completion on the shared runtime, from a thread that is not itself
/// inside a Tokio runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    shared().block_on(future)
}
