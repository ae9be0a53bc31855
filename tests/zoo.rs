//! probe
use liveswap_tests::{built_library, install_as_plugin, temp_dir};

#[test]
fn probe() {
    let dir = temp_dir("zoo-probe");
    for (f, id) in [("zoo_future_sdk", "zoo_future_sdk"), ("zoo_bad_layout", "zoo_bad_layout")] {
        let p = install_as_plugin(&built_library(f), &dir, id);
        let e = abi_stable::library::lib_header_from_path(&p).and_then(|h| h.init_root_module::<liveswap_sdk::ProcessorMod_Ref>()).unwrap_err();
        eprintln!("=== {id}:\n{e}");
    }
}
