//! The browser's side of a passkey ceremony: WebAuthn's options from the server (JSON) are parsed by the browser
//! (`PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`), handed to
//! `navigator.credentials.create` / `get`, and the credential goes back as its `toJSON()`.

/// Which ceremony.
#[derive(Clone, Copy)]
pub enum Ceremony {
    /// Registering a new passkey.
    Create,
    /// Using one.
    Get,
}

/// Runs `ceremony` with the server's `options` (WebAuthn's `publicKey` options as JSON): the credential as JSON,
/// or what the operator reads when it did not happen.
#[cfg(feature = "hydrate")]
pub async fn run(ceremony: Ceremony, options: &str) -> Result<String, String> {
    use js_sys::{Function, Object, Promise, Reflect, JSON};
    use wasm_bindgen::{JsCast, JsValue};
    let unsupported = || "This browser cannot use passkeys.".to_string();
    let get = |target: &JsValue, key: &str| {
        Reflect::get(target, &JsValue::from_str(key)).map_err(|_| unsupported())
    };
    let window = web_sys::window().ok_or_else(unsupported)?;
    let class = get(&window, "PublicKeyCredential")?;
    let (parse, call) = match ceremony {
        Ceremony::Create => ("parseCreationOptionsFromJSON", "create"),
        Ceremony::Get => ("parseRequestOptionsFromJSON", "get"),
    };
    let parse: Function = get(&class, parse)?.dyn_into().map_err(|_| unsupported())?;
    let json = JSON::parse(options)
        .map_err(|_| "The console sent options the browser cannot read.".to_string())?;
    let public_key = parse
        .call1(&class, &json)
        .map_err(|_| "The console sent options the browser cannot read.".to_string())?;
    let arg = Object::new();
    Reflect::set(&arg, &JsValue::from_str("publicKey"), &public_key).map_err(|_| unsupported())?;
    let credentials = get(&window.navigator(), "credentials")?;
    let call: Function = get(&credentials, call)?
        .dyn_into()
        .map_err(|_| unsupported())?;
    let promise: Promise = call
        .call1(&credentials, &arg)
        .map_err(|_| unsupported())?
        .dyn_into()
        .map_err(|_| unsupported())?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| {
            let name = Reflect::get(&e, &JsValue::from_str("name"))
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_default();
            match name.as_str() {
                "NotAllowedError" => {
                    "The passkey request was cancelled or timed out. Try again.".to_string()
                }
                "InvalidStateError" => "This passkey is already registered.".to_string(),
                _ => format!("The passkey could not be used ({name})."),
            }
        })?;
    let to_json: Function = get(&credential, "toJSON")?
        .dyn_into()
        .map_err(|_| unsupported())?;
    let out = to_json.call0(&credential).map_err(|_| unsupported())?;
    JSON::stringify(&out)
        .map(String::from)
        .map_err(|_| unsupported())
}
