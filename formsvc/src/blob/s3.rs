//! The S3 client, built from the settings alone: nothing is asked of the server here.

use object_store::aws::{AmazonS3, AmazonS3Builder};

use crate::config::StorageConfig;
use crate::error::{Error, Result};

/// The S3 client for an `S3` configuration (the prefix is applied by the caller).
pub(super) fn s3_client(cfg: &StorageConfig) -> Result<AmazonS3> {
    let StorageConfig::S3 {
        bucket,
        endpoint,
        region,
        access_key_id,
        secret_access_key,
        session_token,
        allow_http,
        ..
    } = cfg
    else {
        return Err(Error::Internal("not an S3 configuration".into()));
    };
    // reqwest is built without a TLS crypto provider of its own; the crate uses ring. Installing
    // it twice is harmless (the second call only reports that one is there).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_allow_http(*allow_http);
    if let Some(e) = endpoint {
        b = b.with_endpoint(e);
    }
    if let (Some(id), Some(secret)) = (access_key_id, secret_access_key) {
        b = b.with_access_key_id(id).with_secret_access_key(secret.expose());
        if let Some(t) = session_token {
            b = b.with_token(t.expose());
        }
    }
    b.build().map_err(Error::Blob)
}
