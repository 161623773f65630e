//! Checking answers against BI's published OpenAPI document: the spec loaded with chosen schemas made strict (no
//! property the spec does not name), its schemas as JSON Schema, and a caller that checks each answer of the sandbox
//! against the schema of its operation and status. Shared by the contract tests.

#![allow(dead_code)]

use axum::http::Method;
use serde_json::{json, Value};

/// BI's published OpenAPI document, as BI publishes it.
pub const SPEC: &str = include_str!("../../spec/bi-openapi.yaml");
pub struct Spec {
    doc: Value,
}

impl Spec {
    /// The spec, with the component schemas named in `strict_schemas` made strict.
    pub fn load(strict_schemas: &[&str]) -> Spec {
        let mut doc: Value = serde_yaml::from_str(SPEC).expect("the spec is YAML");
        let schemas = doc["components"]["schemas"]
            .as_object_mut()
            .expect("components.schemas");
        // RFC 7643 §7 requires every schema representation to carry its `schemas` attribute (a generic SCIM
        // client reads it); BI's published document leaves it out of SCIMSchema.
        if let Some(props) = schemas
            .get_mut("SCIMSchema")
            .and_then(|s| s["properties"].as_object_mut())
        {
            props.insert(
                "schemas".into(),
                json!({ "type": "array", "items": { "type": "string" } }),
            );
        }
        for name in strict_schemas {
            strict(schemas.get_mut(*name).expect(name));
        }
        for schema in schemas.values_mut() {
            openapi_to_json_schema(schema);
        }
        Spec { doc }
    }

    pub fn operation(&self, method: &str, path: &str) -> &Value {
        let op = &self.doc["paths"][path][method];
        assert!(op.is_object(), "the spec has no {method} {path}");
        op
    }

    /// The schema of the answer to `method path` with `status`, made strict where the spec's own schema is inline
    /// (request and response bodies defined in place).
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<Value> {
        let response = &self.operation(method, path)["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "the spec names no {status} answer for {method} {path}"
        );
        response["content"]["application/json"]["schema"]
            .as_object()
            .map(|_| self.rooted(&response["content"]["application/json"]["schema"]))
    }

    pub fn request_schema(&self, method: &str, path: &str) -> Option<Value> {
        let body =
            &self.operation(method, path)["requestBody"]["content"]["application/json"]["schema"];
        body.as_object().map(|_| self.rooted(body))
    }

    /// The first example of the answer to `method path` with 200, its `$ref` followed.
    pub fn example(&self, method: &str, path: &str) -> Option<Value> {
        let examples = &self.operation(method, path)["responses"]["200"]["content"]
            ["application/json"]["examples"];
        let first = examples.as_object()?.values().next()?;
        let first = match first.get("$ref").and_then(Value::as_str) {
            Some(pointer) => self.pointer(pointer),
            None => first.clone(),
        };
        Some(first["value"].clone())
    }

    /// A JSON pointer of the spec (`#/paths/~1v1~1tenants~1%7Btenant_id%7D/...`).
    pub fn pointer(&self, reference: &str) -> Value {
        let pointer = reference.trim_start_matches('#');
        let decoded: String = percent_decode(pointer);
        self.doc
            .pointer(&decoded)
            .unwrap_or_else(|| panic!("the spec has nothing at {reference}"))
            .clone()
    }

    /// `schema` as a document of its own that still resolves `#/components/...`.
    pub fn rooted(&self, schema: &Value) -> Value {
        let mut s = schema.clone();
        strict(&mut s);
        openapi_to_json_schema(&mut s);
        let mut root = s.as_object().cloned().unwrap_or_default();
        root.insert("components".into(), self.doc["components"].clone());
        // Some answers refer to a schema defined in another operation (e.g. GetBatchCredentialBindingJob's).
        root.insert("paths".into(), self.doc["paths"].clone());
        Value::Object(root)
    }
}

/// Adds `additionalProperties: false` to every object schema in `schema` that lists its properties (not through
/// `$ref`, which is made strict where it is defined).
pub fn strict(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut() {
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
            for p in props.values_mut() {
                strict(p);
            }
        }
        if let Some(items) = map.get_mut("items") {
            strict(items);
        }
    }
}

/// OpenAPI 3.0's schema dialect in JSON Schema terms: `nullable: true` allows null.
pub fn openapi_to_json_schema(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([t, "null"]));
                }
            }
            for v in map.values_mut() {
                openapi_to_json_schema(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(openapi_to_json_schema),
        _ => {}
    }
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

/// Every way `instance` breaks `schema`, as "at /path: why".
pub fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(schema)
        .expect("the spec's schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

pub fn assert_matches(schema: &Value, instance: &Value, what: &str) {
    let found = violations(schema, instance);
    assert!(
        found.is_empty(),
        "{what} does not match BI's spec:\n  {}\n{instance:#}",
        found.join("\n  ")
    );
}

/// The path template that `path` (a concrete URL path, with or without a query) is an instance of, among `ops`.
pub fn template_in(ops: &[(&str, &'static str)], method: &str, path: &str) -> &'static str {
    let segments = |p: &str| -> Vec<String> { p.split('/').map(str::to_string).collect() };
    let concrete = segments(path.split('?').next().unwrap_or(path));
    ops.iter()
        .filter(|(m, _)| *m == method)
        .map(|(_, t)| *t)
        .find(|t| {
            let template = segments(t);
            template.len() == concrete.len()
                && template
                    .iter()
                    .zip(&concrete)
                    .all(|(t, c)| match t.find('{') {
                        None => t == c,
                        // "{group_id}:addMembers" matches "abc:addMembers".
                        Some(_) => {
                            let suffix = t.split_once('}').map(|(_, s)| s).unwrap_or("");
                            let id = &c[..c.len().saturating_sub(suffix.len())];
                            c.ends_with(suffix) && !id.is_empty() && !id.contains(':')
                        }
                    })
        })
        .unwrap_or_else(|| panic!("no operation of the spec is {method} {path}"))
}

pub struct Caller {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Caller {
    /// Calls the sandbox and checks the answer against the spec; answers the status and body.
    pub async fn check(
        &self,
        spec: &Spec,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut req = self
            .http
            .request(m, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path}: not JSON: {text}"))
        };
        match spec.response_schema(method, template, status) {
            Some(schema) => assert_matches(&schema, &value, &format!("{method} {path} → {status}")),
            None => assert!(
                value.is_null() || value == json!({}),
                "{method} {path} → {status}: the spec says no body, the sandbox sent {value}"
            ),
        }
        (status, value)
    }
}
