//! Containing a reader that panics on a malformed file: the panic is caught
//! and becomes that file's error, and its message is kept out of the
//! terminal (the default hook would print it, with a backtrace note, in the
//! middle of `validate`'s report). Only panics on a thread that is inside
//! [`contain`] are silenced; every other panic still reaches the hook that
//! was installed before.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`contain`] calls this thread is inside.
    static CONTAINING: Cell<usize> = const { Cell::new(0) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CONTAINING.with(|c| c.get()) == 0 {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic in it comes back as `Err` with its message, silently.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    CONTAINING.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(c.get() - 1));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown fault".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(contain(|| 7), Ok(7));
        let result: Result<(), String> = contain(|| panic!("bad cell {}", 3));
        assert_eq!(result, Err("bad cell 3".to_string()));
        let nested = contain(|| contain(|| -> u8 { panic!("inner") }).unwrap_err());
        assert_eq!(nested, Ok("inner".to_string()));
    }
}
