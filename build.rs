// The bundled network and scenarios are compiled into the binary (src/bundled.rs): rebuild
// when any file under them changes.
fn main() {
    println!("cargo:rerun-if-changed=networks");
    println!("cargo:rerun-if-changed=scenarios");
}
