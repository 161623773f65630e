//! The names the build gave the page's files (`/pkg/<name>.<hash>.css|js|wasm` when files are named by their
//! content, from the build's hash file next to the binary) and the tags that load them. A release build reads them
//! once per process; a debug build on every page, as a rebuild under `cargo leptos watch` renames them while the
//! server runs. (Leptos's own `HashedStylesheet` and `HydrationScripts` read the hash file on every page view.)

use leptos::prelude::*;
use leptos::WasmSplitManifest;
use std::sync::{Arc, OnceLock};

/// What the page's head links to.
#[derive(Debug)]
pub struct SiteFiles {
    /// The stylesheet's address.
    pub css: String,
    /// The wasm-bindgen module's and the wasm's names, without their extensions.
    pub js: String,
    pub wasm: String,
    /// A split build's manifest (which chunks each lazy part needs), for the router's preloads.
    pub split: Option<WasmSplitManifest>,
    /// A split build's loader module for the chunks (the main module imports it), preloaded with the main module.
    pub split_js: Option<String>,
}

/// The loader Leptos's `HydrationScripts` puts on the page: it imports the module, loads the wasm, then hydrates. (Run
/// as a deferred module, after the page is parsed: an `async` one, compiling while the page is parsed and laid out,
/// competed with that work and made the page interactive later, 785 against 719 ms in turns.)
const LOADER: &str = r#"(function (root, pkg_path, output_name, wasm_output_name) {
	import(`${root}/${pkg_path}/${output_name}.js`)
		.then(mod => {
			mod.default({module_or_path: `${root}/${pkg_path}/${wasm_output_name}.wasm`}).then(() => {
				mod.hydrate();
			});
		});
})"#;

impl SiteFiles {
    /// The names for `options`' build.
    pub fn of(options: &LeptosOptions) -> Arc<SiteFiles> {
        static READ: OnceLock<Arc<SiteFiles>> = OnceLock::new();
        if cfg!(debug_assertions) {
            Arc::new(Self::read(options))
        } else {
            READ.get_or_init(|| Arc::new(Self::read(options))).clone()
        }
    }

    fn read(options: &LeptosOptions) -> SiteFiles {
        let name = options.output_name.to_string();
        let (mut css, mut js, mut wasm) = (name.clone(), name.clone(), name);
        let mut split_js = "__wasm_split.______________________.js".to_string();
        let mut manifest = "__wasm_split_manifest.json".to_string();
        if options.hash_files {
            let hash_file = std::env::current_exe()
                .ok()
                .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())));
            match hash_file.and_then(|path| std::fs::read_to_string(path).ok()) {
                Some(hashes) => {
                    for (file, hash) in hashes.lines().filter_map(|l| l.trim().split_once(':')) {
                        let hash = hash.trim();
                        match file {
                            "css" => css = format!("{css}.{hash}"),
                            "js" => js = format!("{js}.{hash}"),
                            "wasm" => wasm = format!("{wasm}.{hash}"),
                            "split" => split_js = format!("__wasm_split.{hash}.js"),
                            "manifest" => manifest = format!("__wasm_split_manifest.{hash}.json"),
                            _ => {}
                        }
                    }
                }
                None => tracing::error!("files are named by their content but the build's hash file was not found"),
            }
        } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            wasm.push_str("_bg");
        }
        let pkg = &options.site_pkg_dir;
        let manifest = std::path::Path::new(options.site_root.as_ref())
            .join(pkg.as_ref())
            .join(manifest);
        let split_js_path = format!("/{pkg}/{split_js}");
        let split = std::fs::read_to_string(manifest).ok().and_then(|text| {
            match serde_json::from_str(&text) {
                Ok(preloads) => Some(WasmSplitManifest(ArcStoredValue::new((
                    format!("/{pkg}"),
                    preloads,
                    split_js,
                )))),
                Err(e) => {
                    tracing::error!(error = %e, "the split build's manifest could not be read");
                    None
                }
            }
        });
        SiteFiles {
            css: format!("/{pkg}/{css}.css"),
            js,
            wasm,
            split_js: split.is_some().then_some(split_js_path),
            split,
        }
    }
}

/// The stylesheet's link.
#[component]
pub fn Stylesheet(options: LeptosOptions) -> impl IntoView {
    view! { <link rel="stylesheet" id="leptos" href=SiteFiles::of(&options).css.clone() /> }
}

/// The wasm's preloads and the script that loads it and hydrates the page (what Leptos's `HydrationScripts`
/// renders, with the names read once).
#[component]
pub fn HydrationScripts(options: LeptosOptions) -> impl IntoView {
    let files = SiteFiles::of(&options);
    if let Some(split) = &files.split {
        provide_context(split.clone());
    }
    let pkg = options.site_pkg_dir.to_string();
    let nonce = leptos::nonce::use_nonce();
    let preload_nonce = nonce
        .as_ref()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let (js, wasm) = (&files.js, &files.wasm);
    view! {
        <link rel="modulepreload" href=format!("/{pkg}/{js}.js") crossorigin=nonce.clone() />
        {files.split_js.clone().map(|href| view! { <link rel="modulepreload" href=href crossorigin=nonce.clone() /> })}
        <link rel="preload" href=format!("/{pkg}/{wasm}.wasm") r#as="fetch" r#type="application/wasm" crossorigin=preload_nonce />
        <script type="module" nonce=nonce>
            {format!("{LOADER}({:?}, {pkg:?}, {js:?}, {wasm:?});", "")}
        </script>
    }
}
