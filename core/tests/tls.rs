//! TLS expiry against a real TLS server on loopback, with a certificate made in the test.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use opsbook::probe::tls::{TlsProbe, TlsSource};
use opsbook::runner::CheckDefinition;
use opsbook::{Status, Threshold};

/// A self-signed certificate for localhost valid 2026-01-01 .. 2026-01-11 (ten days).
fn certificate() -> (rcgen::Certificate, rcgen::KeyPair) {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2026, 1, 1);
    params.not_after = rcgen::date_time_ymd(2026, 1, 11);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert, key)
}

async fn tls_server(cert: &rcgen::Certificate, key: &rcgen::KeyPair) -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let chain = vec![cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(tcp).await;
            });
        }
    });
    port
}

fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().unwrap())
}

#[tokio::test]
async fn days_left_of_a_served_certificate() {
    let (cert, key) = certificate();
    let port = tls_server(&cert, &key).await;
    let source = TlsSource::Remote { host: "127.0.0.1".into(), port, server_name: Some("localhost".into()) };
    let t = Threshold::parse(Some("below 30"), Some("below 7")).unwrap();
    let check = |when: &str| {
        CheckDefinition::new("tls", Arc::new(TlsProbe { source: source.clone(), at: at(when) }))
            .unwrap()
            .with_threshold("days_left", t)
            .with_timeout(Duration::from_secs(5))
    };
    let r = check("2026-01-01T00:00:00Z").run_once().await;
    assert_eq!(r.measurements[0].value, 10.0, "{r:?}");
    assert_eq!(r.status, Status::Warning, "10 days is below 30");
    assert!(r.summary.contains("expires 2026-01-11T00:00:00Z"), "{}", r.summary);
    assert_eq!(check("2026-01-05T12:00:00Z").run_once().await.status, Status::Critical, "5.5 days");
    let expired = check("2026-02-01T00:00:00Z").run_once().await;
    assert_eq!((expired.status, expired.measurements[0].value), (Status::Critical, -21.0));
}

#[tokio::test]
async fn days_left_of_a_pem_file_and_errors() {
    let (cert, _) = certificate();
    let path = std::env::temp_dir().join(format!("opsbook-cert-{}.pem", std::process::id()));
    std::fs::write(&path, cert.pem()).unwrap();
    let probe = TlsProbe { source: TlsSource::PemFile(path.clone()), at: at("2026-01-10T00:00:00Z") };
    let r = CheckDefinition::new("cert", Arc::new(probe)).unwrap().run_once().await;
    assert_eq!((r.status, r.measurements[0].value), (Status::Ok, 1.0), "{r:?}");
    std::fs::write(&path, "not a certificate").unwrap();
    let bad = TlsProbe { source: TlsSource::PemFile(path.clone()), at: None };
    let r = CheckDefinition::new("cert", Arc::new(bad)).unwrap().run_once().await;
    assert_eq!(r.status, Status::Critical);
    assert!(r.summary.contains("no PEM certificate"), "{}", r.summary);
    std::fs::remove_file(&path).unwrap();
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = plain.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in plain.incoming().flatten() {
            drop(s); // not TLS: closes at once
        }
    });
    let no_tls = TlsProbe { source: TlsSource::Remote { host: "127.0.0.1".into(), port, server_name: None }, at: None };
    let r =
        CheckDefinition::new("tls", Arc::new(no_tls)).unwrap().with_timeout(Duration::from_secs(5)).run_once().await;
    assert_eq!(r.status, Status::Critical);
    assert!(r.summary.contains("TLS handshake"), "{}", r.summary);
}

/// The HTTP probe verifies servers against the system's roots (one configuration shared by
/// every run): a self-signed server is refused for its certificate, on every run.
#[tokio::test]
async fn an_https_probe_refuses_an_untrusted_certificate() {
    let (cert, key) = certificate();
    let port = tls_server(&cert, &key).await;
    let probe = opsbook::probe::http::HttpProbe::get(format!("https://localhost:{port}/"));
    let check = CheckDefinition::new("api", Arc::new(probe)).unwrap().with_timeout(Duration::from_secs(5));
    for _ in 0..2 {
        let r = check.run_once().await;
        assert_eq!(r.status, Status::Critical, "{r:?}");
        assert!(r.summary.to_lowercase().contains("certificate"), "{}", r.summary);
    }
}
