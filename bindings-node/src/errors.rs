//! Core errors as JS `Error`s whose `code` is the stable core code
//! (`OPSBOOK_INVALID_RANGE`, `OPSBOOK_INVALID_VALUE`, `OPSBOOK_PROBE`, `OPSBOOK_IO`).

pub fn to_js_err(err: opsbook::Error) -> napi::Error<String> {
    napi::Error::new(err.code().to_owned(), err.to_string())
}

pub trait IntoJsResult<T> {
    fn js_err(self) -> napi::Result<T, String>;
}

impl<T> IntoJsResult<T> for opsbook::Result<T> {
    fn js_err(self) -> napi::Result<T, String> {
        self.map_err(to_js_err)
    }
}

/// A task's core error, kept from `compute` (a worker thread, where no JS value can be
/// made) to `reject` (the JS thread), so a rejected Promise carries `code == "OPSBOOK_..."`
/// as a thrown error does, not napi's `GenericFailure`.
#[derive(Default)]
pub struct Failure(Option<opsbook::Error>);

impl Failure {
    /// `result` for `compute`: an error is kept for `reject`.
    pub fn keep<T>(&mut self, result: opsbook::Result<T>) -> napi::Result<T> {
        result.map_err(|e| {
            let message = e.to_string();
            self.0 = Some(e);
            napi::Error::from_reason(message)
        })
    }

    /// What `reject` rejects with: the kept core error as a JS `Error` with its code.
    pub fn reject(&mut self, env: napi::Env, fallback: napi::Error) -> napi::Error {
        let Some(e) = self.0.take() else { return fallback };
        // SAFETY: `env` is the live environment `reject` runs in, on the JS thread, and the
        // value made in it is turned into a reference at once (`From<Unknown>`).
        let value = unsafe { napi::JsError::from(to_js_err(e)).into_value(env.raw()) };
        napi::Error::from(unsafe { napi::bindgen_prelude::Unknown::from_raw_unchecked(env.raw(), value) })
    }
}
