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
