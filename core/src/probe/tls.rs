//! TLS certificates: days until the notAfter of the certificate a host:port serves, or of
//! a PEM file. Expiry is what is measured here, so the handshake accepts any certificate
//! (an expired or self-signed one must still be reported, not refused).

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;

use crate::check::Measurement;
use crate::probe::probe_error;
use crate::runner::{Probe, ProbeFuture, Reading};
use crate::threshold::{Range, Threshold};

/// Where the certificate comes from.
#[derive(Debug, Clone)]
pub enum TlsSource {
    /// The leaf certificate `host:port` serves, with SNI `server_name` (default: host).
    Remote { host: String, port: u16, server_name: Option<String> },
    /// The first certificate of a PEM file.
    PemFile(PathBuf),
}

/// Days left until the certificate's notAfter, counted from `at` (injected in tests) or
/// from now. An expired certificate (negative days) is CRITICAL unless the check sets
/// other thresholds; the manuals renew yearly, so `warn = "below 30"`, `crit = "below 7"`
/// is the usual policy.
#[derive(Debug, Clone)]
pub struct TlsProbe {
    pub source: TlsSource,
    pub at: Option<Timestamp>,
}

#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

async fn served_certificate(host: &str, port: u16, server_name: &str) -> crate::error::Result<Vec<u8>> {
    let provider = crate::probe::crypto_provider();
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| probe_error("tls", e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|e| probe_error("tls", format!("server name {server_name:?}: {e}")))?;
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| probe_error("tls", format!("connect to {host}:{port}: {e}")))?;
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| probe_error("tls", format!("TLS handshake with {host}:{port}: {e}")))?;
    let (_, session) = stream.get_ref();
    let leaf = session
        .peer_certificates()
        .and_then(|certs| certs.first())
        .ok_or_else(|| probe_error("tls", format!("{host}:{port} sent no certificate")))?;
    Ok(leaf.as_ref().to_vec())
}

fn pem_certificate(path: &std::path::Path) -> crate::error::Result<Vec<u8>> {
    use rustls_pki_types::pem::PemObject;
    let text = std::fs::read(path)
        .map_err(|e| crate::error::Error::Io { path: path.display().to_string(), reason: e.to_string() })?;
    let cert = CertificateDer::from_pem_slice(&text)
        .map_err(|e| probe_error("tls", format!("{}: no PEM certificate ({e:?})", path.display())))?;
    Ok(cert.as_ref().to_vec())
}

impl Probe for TlsProbe {
    fn kind(&self) -> &'static str {
        "tls"
    }
    fn default_thresholds(&self) -> std::collections::BTreeMap<String, Threshold> {
        [("days_left".to_owned(), Threshold::new(None, Range::parse("crit", "below 0").ok()))].into()
    }
    fn measure(&self) -> ProbeFuture<'_> {
        Box::pin(async move {
            let (der, what) = match &self.source {
                TlsSource::Remote { host, port, server_name } => {
                    let sni = server_name.as_deref().unwrap_or(host);
                    (served_certificate(host, *port, sni).await?, format!("{host}:{port}"))
                }
                TlsSource::PemFile(path) => {
                    let path = path.clone();
                    let der = tokio::task::spawn_blocking(move || pem_certificate(&path))
                        .await
                        .map_err(|e| probe_error("tls", e))??;
                    (
                        der,
                        match &self.source {
                            TlsSource::PemFile(p) => p.display().to_string(),
                            _ => String::new(),
                        },
                    )
                }
            };
            let (_, cert) = x509_parser::parse_x509_certificate(&der)
                .map_err(|e| probe_error("tls", format!("certificate of {what} cannot be read: {e}")))?;
            let not_after = cert.validity().not_after.timestamp();
            let now = self.at.unwrap_or_else(Timestamp::now).as_second();
            let days_left = (not_after - now) as f64 / 86_400.0;
            let expires = Timestamp::from_second(not_after).map(|t| t.to_string()).unwrap_or_default();
            let mut reading = Reading::new(vec![Measurement::new("days_left", days_left)?]);
            reading.summary = Some(format!("certificate of {what} expires {expires} ({days_left:.1} days left)"));
            Ok(reading)
        })
    }
}
