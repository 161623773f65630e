//! What a browser's first and later loads get from the server: static files on a kept-alive connection without
//! stalls (`TCP_NODELAY`), content-named files kept for a year, precompressed files served by `Accept-Encoding`,
//! large pages compressed and never cached, the Identities page's rows sent whole once.

#![cfg(feature = "ssr")]

use crate::common;

use std::time::{Duration, Instant};

use common::{browser, page_text, sign_in, start_console_with, temp_dir};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A site root with the files a content-named build makes (`hashed`), or a build without content names.
fn site(dir: &std::path::Path, hashed: bool) -> leptos::config::LeptosOptions {
    let pkg = dir.join("site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let css: String = (0..400)
        .map(|k| format!(".c{k} {{ color: #{k:06x}; }}\n"))
        .collect();
    std::fs::write(pkg.join("bi-console.0123abcd.css"), &css).unwrap();
    std::fs::write(pkg.join("bi-console.0123abcd.css.br"), b"precompressed").unwrap();
    leptos::config::LeptosOptions::builder()
        .output_name("bi-console")
        .site_root(dir.join("site").display().to_string())
        .hash_files(hashed)
        .build()
}

/// A console on a content-named site in `tag`'s directory, an admin signed in, and the URL of its Identities page.
async fn signed_in_console(
    tag: &str,
) -> (
    common::TestDir,
    common::TestConsole,
    reqwest::Client,
    String,
) {
    let dir = temp_dir(tag);
    let t = start_console_with(
        &dir,
        &[("SANDBOX_TOKEN", "assets-token".to_string())],
        site(&dir, true),
    )
    .await;
    let signed_in = browser();
    sign_in(&signed_in, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let page = format!("{}/realms/{}/identities", t.base, t.info.default_realm);
    (dir, t, signed_in, page)
}

/// A GET of `url` asking for gzip: answered 200, compressed with gzip.
async fn gzipped(client: &reqwest::Client, url: &str) -> reqwest::Response {
    let res = client
        .get(url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{url}");
    assert_eq!(res.headers()["content-encoding"], "gzip", "{url}");
    res
}

/// One HTTP/1.1 GET on `stream`; answers the status line and the headers (lower-cased names) after reading the body.
async fn get(
    stream: &mut BufReader<tokio::net::TcpStream>,
    host: &str,
    path: &str,
) -> (String, Vec<(String, String)>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    stream
        .get_mut()
        .write_all(request.as_bytes())
        .await
        .unwrap();
    let mut status = String::new();
    stream.read_line(&mut status).await.unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap();
        headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .expect("a static file has a length");
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    (status.trim_end().to_string(), headers)
}

#[tokio::test]
async fn static_files_answer_at_once_on_a_kept_alive_connection_and_are_kept_for_a_year() {
    let dir = temp_dir("assets");
    let options = site(&dir, true);
    let t = start_console_with(
        &dir,
        &[("SANDBOX_TOKEN", "assets-token".to_string())],
        options,
    )
    .await;
    let host = t.base.trim_start_matches("http://").to_string();
    let mut stream = BufReader::new(tokio::net::TcpStream::connect(&host).await.unwrap());
    let mut took = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let (status, headers) = get(&mut stream, &host, "/pkg/bi-console.0123abcd.css").await;
        took.push(started.elapsed());
        assert_eq!(status, "HTTP/1.1 200 OK");
        let cache = headers
            .iter()
            .find(|(k, _)| k == "cache-control")
            .map(|(_, v)| v.as_str());
        assert_eq!(cache, Some("public, max-age=31536000, immutable"));
    }
    // Without TCP_NODELAY each request after the first waits for the client's delayed ACK: about 40 ms.
    assert!(
        took.iter().all(|d| *d < Duration::from_millis(35)),
        "a request on the kept-alive connection stalled: {took:?}"
    );

    // A precompressed file is chosen by Accept-Encoding; a page is compressed on the fly and never cached.
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/pkg/bi-console.0123abcd.css", t.base))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"precompressed");
    t.stop();

    // Built without content names: the browser asks each time whether a file changed. A page is compressed on
    // the fly when the browser takes it, and never cached.
    let plain_dir = temp_dir("assets-plain");
    let t = start_console_with(
        &plain_dir,
        &[("SANDBOX_TOKEN", "assets-token".to_string())],
        site(&plain_dir, false),
    )
    .await;
    let res = c
        .get(format!("{}/pkg/bi-console.0123abcd.css", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let signed_in = browser();
    sign_in(&signed_in, &t.base, "admin", common::ADMIN_PASSWORD).await;
    let page = format!("{}/realms/{}/identities", t.base, t.info.default_realm);
    let res = gzipped(&signed_in, &page).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let plain = signed_in.get(&page).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    // A streamed export, compressed, arrives whole (gzip's header to its end, with no broken connection).
    let export = format!("{}/realms/{}/export", t.base, t.info.default_realm);
    let res = gzipped(&signed_in, &export).await;
    let body = res.bytes().await.expect("the whole compressed export");
    assert_eq!(&body[..2], &[0x1f, 0x8b]);
    assert!(body.len() > 1024, "{} bytes", body.len());
    t.stop();
}

/// The Identities page sends its rows whole once, in the table's HTML; its data for hydration holds each row's id
/// and username alone (the browser does not draw those rows again).
#[tokio::test]
async fn the_identities_page_sends_its_rows_whole_once() {
    let (_dir, t, signed_in, page) = signed_in_console("assets-rows").await;
    let html = page_text(&signed_in, &page).await;
    let (drawn, data) = html
        .split_once("__RESOLVED_RESOURCES[")
        .expect("the page's data for hydration");
    // The demo realm's first identity: in a row whole; in the data by its username alone.
    assert!(drawn.contains(">ada.lovelace@acme.example</td>"), "{drawn}");
    assert!(drawn.contains(">Ada Lovelace</td>"), "{drawn}");
    assert!(data.contains(r#"\"ada.lovelace\""#), "{data}");
    assert!(!data.contains("acme.example"), "{data}");
    assert!(!data.contains("Ada Lovelace"), "{data}");
    t.stop();
}

/// `n` GETs of `url`, each answered 200: how many answers' Content-Security-Policy carries a nonce.
async fn with_nonce(c: reqwest::Client, url: String, n: usize) -> usize {
    let mut found = 0;
    for _ in 0..n {
        let res = c.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let csp = &res.headers()["content-security-policy"];
        found += usize::from(csp.to_str().unwrap().contains("'nonce-"));
    }
    found
}

/// Static files served while pages are rendered leave each page its own headers: a page keeps the
/// Content-Security-Policy with the nonce of its scripts (without it the browser refuses to run them and the page
/// never becomes interactive), and a file never carries a page's policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_served_while_pages_render_leave_each_page_its_policy() {
    let (_dir, t, signed_in, page) = signed_in_console("assets-concurrent").await;
    let file = format!("{}/pkg/bi-console.0123abcd.css", t.base);
    // 4 clients ask for a file 150 times each while 2 load the page 40 times each; each counts the answers whose
    // policy carries a nonce.
    let files: Vec<_> = (0..4)
        .map(|_| tokio::spawn(with_nonce(browser(), file.clone(), 150)))
        .collect();
    let pages: Vec<_> = (0..2)
        .map(|_| tokio::spawn(with_nonce(signed_in.clone(), page.clone(), 40)))
        .collect();
    let mut stolen = 0;
    for f in files {
        stolen += f.await.unwrap();
    }
    let mut missing = 0;
    for p in pages {
        missing += 40 - p.await.unwrap();
    }
    assert_eq!(
        (missing, stolen),
        (0, 0),
        "(pages without their nonce, files with a page's policy)"
    );
    // A path that is neither a page nor a file: the console's own "not found" page, with its policy.
    let res = signed_in
        .get(format!("{}/pkg/no-such-file.js", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("'nonce-"), "{csp}");
    assert!(res.text().await.unwrap().contains("Page not found"));
    t.stop();
}
