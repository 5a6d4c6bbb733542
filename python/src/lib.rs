//! Python bindings of onehour (the extension module `onehour._onehour`); the bindings over
//! the library facade follow.
use pyo3::prelude::*;

/// The version of the onehour crate these bindings were built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The extension module.
#[pymodule]
fn _onehour(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
