//! The test-only client certificate (tests/fakes/), and the checks the token endpoint
//! makes on a certificate credential's `client_assertion` (Microsoft identity platform,
//! "certificate credentials"): a JWT signed with the certificate's key (PS256, or the
//! RS256 that the Azure SDKs and MSAL still send), naming the certificate by its
//! SHA-256 thumbprint (`x5t#S256`) or SHA-1 one (`x5t`), for audience the token URL,
//! issuer and subject the client id, a short life and a fresh `jti`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct TestCertificate {
    /// The PEM file to hand the tool as AZURE_CLIENT_CERTIFICATE_PATH.
    pub path: PathBuf,
    pub der: Vec<u8>,
    /// Base64 lines of the private key block: none may appear in any output.
    pub key_lines: Vec<String>,
}

/// The blocks of a PEM file: (label, base64 lines).
fn pem_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_owned(), Vec::new()));
        } else if line.starts_with("-----END ") {
            blocks.extend(current.take());
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line.to_owned());
        }
    }
    blocks
}

impl TestCertificate {
    /// tests/fakes/test-only-client-certificate.pem (PKCS#8 key, then the certificate).
    pub fn pkcs8() -> TestCertificate {
        TestCertificate::load(Path::new("tests/fakes/test-only-client-certificate.pem"))
    }

    /// tests/fakes/test-only-client-certificate-pkcs1.pem (the certificate, then the
    /// same key as PKCS#1).
    pub fn pkcs1() -> TestCertificate {
        TestCertificate::load(Path::new(
            "tests/fakes/test-only-client-certificate-pkcs1.pem",
        ))
    }

    fn load(path: &Path) -> TestCertificate {
        let text = std::fs::read_to_string(path).unwrap();
        let blocks = pem_blocks(&text);
        let cert = blocks
            .iter()
            .find(|(l, _)| l == "CERTIFICATE")
            .expect("a CERTIFICATE block");
        let key = blocks
            .iter()
            .find(|(l, _)| l.ends_with("PRIVATE KEY"))
            .expect("a key block");
        TestCertificate {
            path: std::fs::canonicalize(path).unwrap(),
            der: STANDARD.decode(cert.1.concat()).unwrap(),
            // The last line is short and could match by chance; the full ones cannot.
            key_lines: key.1.iter().filter(|l| l.len() >= 64).cloned().collect(),
        }
    }

    pub fn sha256_thumbprint(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(&self.der))
    }
}

/// One DER element: (tag, content, what follows).
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        let (bytes, rest) = (rest.get(..n)?, rest.get(n..)?);
        (
            bytes.iter().fold(0usize, |l, b| (l << 8) | usize::from(*b)),
            rest,
        )
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

/// The RSAPublicKey inside the certificate's SubjectPublicKeyInfo.
fn rsa_public_key(cert: &[u8]) -> Option<&[u8]> {
    let (_, certificate, _) = element(cert)?;
    let (_, mut tbs, _) = element(certificate)?;
    // Skip the optional [0] version, then serial, signature algorithm, issuer,
    // validity and subject.
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs)?.2;
    }
    for _ in 0..5 {
        tbs = element(tbs)?.2;
    }
    let (_, spki, _) = element(tbs)?;
    let (_, bits, _) = element(element(spki)?.2)?;
    bits.get(1..)
}

fn json_segment(segment: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| "a segment is not base64url")?;
    serde_json::from_slice(&bytes).map_err(|e| format!("a segment is not JSON: {e}"))
}

/// Checks an assertion; `seen_ids` holds the `jti`s already used.
pub fn verify_assertion(
    cert: &TestCertificate,
    assertion: &str,
    client_id: &str,
    audience: &str,
    seen_ids: &mut Vec<String>,
) -> Result<(), String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts.as_slice() else {
        return Err("The assertion is not a JWS compact serialisation.".into());
    };
    let (header_json, claims_json) = (json_segment(header)?, json_segment(claims)?);
    let algorithm: &dyn ring::signature::VerificationAlgorithm = match header_json["alg"].as_str() {
        Some("PS256") => &ring::signature::RSA_PSS_2048_8192_SHA256,
        Some("RS256") => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        other => return Err(format!("Unsupported signing algorithm {other:?}.")),
    };
    let named = match (
        header_json["x5t#S256"].as_str(),
        header_json["x5t"].as_str(),
    ) {
        (Some(t), _) => t == cert.sha256_thumbprint(),
        (None, Some(t)) => URL_SAFE_NO_PAD
            .decode(t)
            .is_ok_and(|d| d == sha1(&cert.der)),
        (None, None) => false,
    };
    if !named {
        return Err(
            "The key was not found: x5t#S256/x5t names no certificate of the application.".into(),
        );
    }
    let key = rsa_public_key(&cert.der).ok_or("the test certificate has no RSA key")?;
    let signed = format!("{header}.{claims}");
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "the signature is not base64url")?;
    ring::signature::UnparsedPublicKey::new(algorithm, key)
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "The signature does not verify with the certificate's key.".to_owned())?;

    let text = |k: &str| claims_json[k].as_str().unwrap_or_default().to_owned();
    if text("aud") != audience {
        return Err(format!(
            "The audience '{}' is not the token endpoint '{audience}'.",
            text("aud")
        ));
    }
    if text("iss") != client_id || text("sub") != client_id {
        return Err("iss and sub must both be the client id.".into());
    }
    let now = chrono::Utc::now().timestamp();
    let (exp, nbf) = (claims_json["exp"].as_i64(), claims_json["nbf"].as_i64());
    let (Some(exp), Some(nbf)) = (exp, nbf) else {
        return Err("exp and nbf are required.".into());
    };
    if exp <= now || nbf > now + 300 || exp - nbf > 600 {
        return Err(format!("The assertion's lifetime (nbf {nbf}, exp {exp}, now {now}) is not current or longer than 10 minutes."));
    }
    let jti = text("jti");
    if jti.is_empty() || seen_ids.contains(&jti) {
        return Err("The jti claim is missing or was already used.".into());
    }
    seen_ids.push(jti);
    Ok(())
}

/// SHA-1, only to recognise the legacy `x5t` thumbprint that the Azure SDKs still send.
fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}
