//! The README's nginx example (`scripts/packaging/nginx.conf`) run in front of a console, with a certificate of the
//! test's own: TLS ends at nginx; the console, with `CONSOLE_PUBLIC_URL` (https) and `CONSOLE_TRUSTED_PROXIES`,
//! sends HSTS and Secure cookies, signs operators in through the proxy, and takes the client's address from the
//! proxy's `X-Forwarded-For` — never from what the client put there. Needs Debian's nginx and openssl.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{self, start_console, temp_dir};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn behind_the_example_nginx_the_console_is_https_only_and_knows_the_client() {
    if !common::have("nginx") || !common::have("openssl") {
        assert!(
            std::env::var("CI").is_err(),
            "nginx and openssl (Debian's) are needed here"
        );
        eprintln!("nginx or openssl is not installed: the reverse proxy test is skipped");
        return;
    }
    let work = temp_dir("proxy");
    std::fs::create_dir_all(work.join("logs")).unwrap();
    // A certificate authority of the test's own, and the proxy's certificate for "localhost" signed by it.
    let common::Certificates { ca, cert, key } = common::certificates(&work);

    let https = free_port();
    let public = format!("https://localhost:{https}");
    let dir = temp_dir("proxied");
    let t = start_console(
        &dir,
        &[
            ("CONSOLE_PUBLIC_URL", public.clone()),
            ("CONSOLE_TRUSTED_PROXIES", "127.0.0.1".to_string()),
        ],
    )
    .await;
    let upstream = t.base.trim_start_matches("http://").to_string();

    // The example, with this test's names, ports and certificate.
    let example = std::fs::read_to_string("scripts/packaging/nginx.conf").unwrap();
    let site = example
        .replace("console.example.com.pem", "PEM")
        .replace("/etc/ssl/certs/PEM", cert.to_str().unwrap())
        .replace(
            "/etc/ssl/private/console.example.com.key",
            key.to_str().unwrap(),
        )
        .replace("console.example.com", "localhost")
        .replace("listen 443 ssl;", &format!("listen {https} ssl;"))
        .replace("listen 80;", &format!("listen {};", free_port()))
        .replace("127.0.0.1:3000", &upstream);
    assert!(
        site.contains(&upstream) && site.contains(cert.to_str().unwrap()),
        "{site}"
    );
    let logs = work.join("logs");
    let conf = format!(
        "pid {logs}/nginx.pid;\nerror_log {logs}/error.log;\nevents {{}}\nhttp {{\n access_log off;\n \
         client_body_temp_path {logs}/body;\n proxy_temp_path {logs}/proxy;\n fastcgi_temp_path {logs}/fastcgi;\n \
         uwsgi_temp_path {logs}/uwsgi;\n scgi_temp_path {logs}/scgi;\n{site}\n}}\n",
        logs = logs.display()
    );
    std::fs::write(work.join("nginx.conf"), conf).unwrap();
    let nginx = if std::path::Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    };
    let proxy = Command::new(nginx)
        .arg("-p")
        .arg(&*work)
        .arg("-c")
        .arg(work.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _proxy = Stopped(proxy);

    // The client reaches the proxy from 127.0.0.3; the proxy reaches the console from 127.0.0.1 (trusted).
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .resolve("localhost", format!("127.0.0.3:{https}").parse().unwrap())
        .local_address("127.0.0.3".parse::<std::net::IpAddr>().unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut page = Err(String::new());
    for _ in 0..100 {
        match client.get(format!("{public}/login")).send().await {
            Ok(r) => {
                page = Ok(r);
                break;
            }
            Err(e) => page = Err(format!("{e:?}")),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = page.unwrap_or_else(|e| {
        let log = std::fs::read_to_string(logs.join("error.log")).unwrap_or_default();
        panic!("nginx does not answer: {e}\n{log}")
    });
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000"
    );

    // Signed in through the proxy, with a made-up X-Forwarded-For: a Secure cookie, and the client's real address.
    let res = client
        .post(format!("{public}/sign-in"))
        .header("x-forwarded-for", "203.0.113.9")
        .form(&[
            ("username", "admin"),
            ("password", common::ADMIN_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(common::location(&res), "/");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let whoami = client
        .get(format!("{public}/realms/{}/groups", t.info.default_realm))
        .send()
        .await
        .unwrap();
    assert_eq!(whoami.status(), 200);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'operator.sign_in' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&t.db)
    .await
    .unwrap();
    assert_eq!(detail, "signed in with a password from 127.0.0.3");

    // The console's own port, reached without the proxy by a browser of that origin's host, refuses plain http
    // requests naming another host.
    let direct = common::browser()
        .get(format!("{}/login", t.base))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 421);

    t.stop();
}

/// nginx, stopped (SIGTERM: at once, whatever connections are open) when the test ends, passed or not.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        common::signal(&self.0, libc::SIGTERM);
        let _ = self.0.wait();
    }
}
