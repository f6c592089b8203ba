//! uniffi's bindings generator, built from this workspace so its version matches the library:
//! `cargo run -p omo-mobile --features bindgen --bin uniffi-bindgen -- generate <lib.so> --library ...`

fn main() {
    uniffi::uniffi_bindgen_main()
}
