//! Signing in with a certificate (Microsoft identity platform, "certificate
//! credentials"): the token request carries a short-lived JWT, the client assertion,
//! signed with the application's private key and naming the certificate by its
//! SHA-256 thumbprint.
//!
//! The certificate file (`AZURE_CLIENT_CERTIFICATE_PATH`) is an unencrypted PEM file
//! holding the certificate and its RSA private key (PKCS#8 `PRIVATE KEY` or PKCS#1
//! `RSA PRIVATE KEY`), in any order: what `cat cert.pem key.pem` gives. The assertion
//! is signed PS256 (RSASSA-PSS with SHA-256), as the current documentation asks, with
//! `ring`, the library that already does rustls' cryptography here.

use super::secret::Secret;
use anyhow::{anyhow, bail, Context as _, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::{RsaKeyPair, RSA_PSS_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::Path;

/// How long an assertion is valid: the documentation asks for 5 to 10 minutes at
/// most; it is used at once.
const ASSERTION_LIFETIME_SECS: i64 = 300;

/// The application's certificate and private key. Neither `Debug` nor anything else
/// shows the key.
pub struct Certificate {
    /// Base64url SHA-256 thumbprint of the certificate's DER encoding (`x5t#S256`).
    thumbprint: String,
    key: RsaKeyPair,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Certificate {{ x5t#S256: {}, key: *** }}",
            self.thumbprint
        )
    }
}

impl Certificate {
    /// Reads the PEM file named by `AZURE_CLIENT_CERTIFICATE_PATH`.
    pub fn load(path: &Path) -> Result<Certificate> {
        let bytes = std::fs::read(path).with_context(|| {
            format!(
                "AZURE_CLIENT_CERTIFICATE_PATH: cannot read {}",
                path.display()
            )
        })?;
        Certificate::from_pem(&bytes)
            .map_err(|e| anyhow!("AZURE_CLIENT_CERTIFICATE_PATH ({}): {e}", path.display()))
    }

    /// Reads a certificate and its private key from PEM text.
    pub fn from_pem(bytes: &[u8]) -> Result<Certificate> {
        let text = String::from_utf8_lossy(bytes);
        if !text.contains("-----BEGIN ") {
            bail!("not a PEM file (a PKCS#12 .pfx file is not supported: convert it with `openssl pkcs12 -in cert.pfx -nodes -out both.pem`)");
        }
        if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
            bail!("the private key is encrypted, which is not supported: write it without a password (`openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain.pem`) and keep the file as private as the password was");
        }
        // The first certificate is the application's; any others are its chain.
        let cert = CertificateDer::pem_slice_iter(bytes)
            .next()
            .ok_or_else(|| anyhow!("no CERTIFICATE block: the file must hold the certificate as well as its private key"))?
            .map_err(|_| anyhow!("the CERTIFICATE block is not valid PEM"))?;
        // pem errors can quote the input; none of it is shown for the key.
        let key = PrivateKeyDer::from_pem_slice(bytes).map_err(|e| match e {
            rustls_pki_types::pem::Error::NoItemsFound => {
                anyhow!("no PRIVATE KEY block: the file must hold the private key as well as the certificate")
            }
            _ => anyhow!("the private key block is not valid PEM"),
        })?;
        let key = match &key {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => bail!("the private key is not an RSA key; Microsoft Entra certificate credentials use RSA"),
        }
        .map_err(|e| anyhow!("the private key cannot be used: {e} (an RSA key of 2048 bits or more is needed)"))?;
        Ok(Certificate {
            thumbprint: URL_SAFE_NO_PAD.encode(Sha256::digest(cert.as_ref())),
            key,
        })
    }

    /// A client assertion for `client_id` at the token endpoint `audience`, valid
    /// from `now` (Unix seconds) for a few minutes; `jti` makes it unique.
    pub fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: i64,
        jti: &str,
    ) -> Result<Secret> {
        let header = serde_json::json!({
            "alg": "PS256",
            "typ": "JWT",
            "x5t#S256": self.thumbprint,
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": jti,
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PSS_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| anyhow!("signing the client assertion failed"))?;
        Ok(Secret::new(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}

/// A random version-4 UUID, for an assertion's `jti`.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    // Without an entropy source the time keeps assertions apart; `jti` only has
    // to be unique, not secret.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = nanos.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throwaway 2048-bit RSA key and a self-signed certificate for it (test only;
    /// `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=lookout-doctor-test`).
    const TEST_PEM: &str = include_str!("testdata/test-cert.pem");

    #[test]
    fn signs_a_ps256_assertion_naming_the_certificate() {
        let cert = Certificate::from_pem(TEST_PEM.as_bytes()).unwrap();
        let aud = "https://login.microsoftonline.com/t/oauth2/v2.0/token";
        let jwt = cert
            .assertion("client-1", aud, 1_700_000_000, "jti-1")
            .unwrap();
        let parts: Vec<&str> = jwt.expose().split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["typ"], "JWT");
        let der = CertificateDer::from_pem_slice(TEST_PEM.as_bytes()).unwrap();
        assert_eq!(
            header["x5t#S256"],
            URL_SAFE_NO_PAD.encode(Sha256::digest(der.as_ref()))
        );
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], aud);
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        assert_eq!(claims["jti"], "jti-1");
        assert_eq!(claims["exp"], 1_700_000_000 + ASSERTION_LIFETIME_SECS);
        // The signature verifies with the key's public half.
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PSS_2048_8192_SHA256,
            cert.key.public().as_ref(),
        );
        public
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .unwrap();
        assert!(!format!("{cert:?}").contains("PRIVATE"));
    }

    #[test]
    fn unusable_files_are_refused_with_the_reason() {
        let key_only: String = TEST_PEM
            .split_inclusive('\n')
            .skip_while(|l| !l.contains("BEGIN PRIVATE KEY"))
            .collect();
        let cert_only: String = TEST_PEM
            .split_inclusive('\n')
            .take_while(|l| !l.contains("BEGIN PRIVATE KEY"))
            .collect();
        let cases = [
            (&b"\x30\x82\x01\x00binary"[..], "PKCS#12"),
            (
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "encrypted",
            ),
            (key_only.as_bytes(), "no CERTIFICATE"),
            (cert_only.as_bytes(), "no PRIVATE KEY"),
        ];
        for (bytes, expected) in cases {
            let e = Certificate::from_pem(bytes).unwrap_err().to_string();
            assert!(e.contains(expected), "{expected}: {e}");
            assert!(!e.contains("MII"), "key material in the message: {e}");
        }
    }

    #[test]
    fn uuids_are_version_4() {
        let u = random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(u, random_uuid());
    }
}
