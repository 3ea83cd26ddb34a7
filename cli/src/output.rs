//! The command's standard output. Every command writes through here, so a reader that
//! stops early (`opsbook eval ... | head -1`, `| grep -q`) ends the output quietly and the
//! command still exits with the code its work earned: a Nagios caller never sees a panic
//! or exit code 101. Any other write error (a full disk behind `>`) is kept and reported
//! once the command is done, as exit code 3.

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the reader has gone: later output is dropped.
static READER_GONE: AtomicBool = AtomicBool::new(false);
/// The first write error that was not a closed reader.
static FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Standard output that drops what it is given once the reader has gone.
pub struct Stdout;

impl Stdout {
    fn answer<T>(result: io::Result<T>, gone: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                READER_GONE.store(true, Ordering::Relaxed);
                Ok(gone)
            }
            other => other,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if READER_GONE.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        Stdout::answer(io::stdout().lock().write(buf), buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if READER_GONE.load(Ordering::Relaxed) {
            return Ok(());
        }
        Stdout::answer(io::stdout().lock().flush(), ())
    }
}

/// Writes formatted text (the `out!` and `outln!` macros).
pub fn print(args: std::fmt::Arguments<'_>) {
    if let Err(e) = Stdout.write_fmt(args) {
        keep(e);
    }
}

/// Writes bytes as they are.
pub fn write_bytes(bytes: &[u8]) {
    if let Err(e) = Stdout.write_all(bytes) {
        keep(e);
    }
}

fn keep(e: io::Error) {
    if let Ok(mut failure) = FAILURE.lock() {
        failure.get_or_insert_with(|| e.to_string());
    }
}

/// Flushes what is buffered and answers the write error the command met, if any (a closed
/// reader is none).
pub fn finish() -> Option<String> {
    if let Err(e) = Stdout.flush() {
        keep(e);
    }
    FAILURE.lock().ok().and_then(|mut f| f.take())
}

/// `print!` through the output layer.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::print(format_args!($($arg)*)) };
}

/// `println!` through the output layer.
macro_rules! outln {
    () => { $crate::output::write_bytes(b"\n") };
    ($($arg:tt)*) => { $crate::output::print(format_args!("{}\n", format_args!($($arg)*))) };
}
