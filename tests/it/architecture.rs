//! The rooms' arrows in docs/ARCHITECTURE.md are the code's: every `crate::room` path in a room's files (use
//! declarations and paths alike; comments and unit tests' `#[cfg(test)]` modules left out, as a test may set up with
//! any room) must be an arrow the document's table lists, every arrow it lists must be in the code, and every room
//! (each `src/*.rs` and `src/*/`) must have its row.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Arrows = BTreeMap<String, BTreeSet<String>>;

/// The rooms: the top-level modules (`main` and `lib` are wiring, not rooms).
fn rooms(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let name = name.strip_suffix(".rs").map(str::to_string).unwrap_or(name);
            (name != "main" && name != "lib").then_some(name)
        })
        .collect()
}

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// `text` without its comments (line comments, doc comments and block comments); string literals are kept as they
/// are, which is harmless: no literal names `crate::…`.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]);
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `text` without its `#[cfg(test)]` modules.
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            rest = "";
            break;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (k, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The rooms `text` names through `crate::`: `crate::room::…`, `crate::room;` and `use crate::{room, …}`.
fn named(text: &str, rooms: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let after = &text[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // A group: each of its top-level names.
            let mut depth = 0;
            let mut start = true;
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && depth == 0 && !c.is_whitespace() => {
                        found.insert(word(&group[k..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(word(after));
        }
    }
    found.retain(|r| rooms.contains(r));
    found
}

/// The arrows of the code.
fn code_arrows(src: &Path, rooms: &BTreeSet<String>) -> Arrows {
    let mut all = Vec::new();
    files(src, &mut all);
    let mut arrows = Arrows::new();
    for file in all {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .to_string();
        let room = first
            .strip_suffix(".rs")
            .map(str::to_string)
            .unwrap_or(first);
        if !rooms.contains(&room) {
            continue;
        }
        let text = without_tests(&code(&std::fs::read_to_string(&file).unwrap()));
        let entry = arrows.entry(room.clone()).or_default();
        entry.extend(named(&text, rooms).into_iter().filter(|r| *r != room));
    }
    arrows
}

/// The arrows of the document's table "| room | uses |": each row's room and the rooms in its second cell.
fn documented_arrows(doc: &str) -> Arrows {
    let mut arrows = Arrows::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| room | uses |") {
            in_table = true;
            continue;
        }
        if in_table && !line.starts_with('|') {
            break;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let room = cells[1].trim_matches('`').to_string();
        let uses = cells[2]
            .split(',')
            .map(|u| u.trim().trim_matches('`').to_string())
            .filter(|u| !u.is_empty() && u != "—")
            .collect();
        arrows.insert(room, uses);
    }
    arrows
}

#[test]
fn the_documented_arrows_are_the_codes_arrows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rooms = rooms(&root.join("src"));
    let code = code_arrows(&root.join("src"), &rooms);
    let doc =
        documented_arrows(&std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap());
    assert!(
        !doc.is_empty(),
        "docs/ARCHITECTURE.md has no table \"| room | uses |\""
    );
    let mut problems = Vec::new();
    for room in &rooms {
        if !doc.contains_key(room) {
            problems.push(format!("the room `{room}` has no row in the table"));
        }
    }
    for room in doc.keys() {
        if !rooms.contains(room) {
            problems.push(format!(
                "the table has a row for `{room}`, which is not a room of src/"
            ));
        }
    }
    let none = BTreeSet::new();
    for room in &rooms {
        let (used, listed) = (
            code.get(room).unwrap_or(&none),
            doc.get(room).unwrap_or(&none),
        );
        for to in used.difference(listed) {
            problems.push(format!(
                "`{room}` uses `{to}`, an arrow the table does not list"
            ));
        }
        for to in listed.difference(used) {
            problems.push(format!(
                "the table lists `{room}` → `{to}`, which the code does not have"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md and the code disagree:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_group_of_names_comments_and_unit_tests_are_read_as_meant() {
    let rooms: BTreeSet<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    let text = without_tests(&code(
        "use crate::{a::x, b, c::{y, z}};\n// crate::d::nothing\nfn f() { crate::c::g(); }\n\
         #[cfg(test)]\nmod tests { fn t() { crate::d::x(); if true { crate::d::y(); } } }",
    ));
    assert_eq!(
        named(&text, &rooms),
        ["a", "b", "c"].iter().map(|s| s.to_string()).collect()
    );
}
