//! The object store for image originals and renditions: local disk by default, any
//! S3-compatible store by configuration. Keys are content-addressed, so writes are idempotent.

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::{Config, Storage};

/// Where media files live.
#[derive(Clone, Debug)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
}

/// Key of the uploaded bytes with this SHA-256 (hex).
pub fn original_key(sha256: &str) -> String {
    format!("originals/{sha256}")
}

/// Prefix of every rendition of the bytes with this SHA-256.
pub fn rendition_prefix(sha256: &str) -> String {
    format!("renditions/{sha256}")
}

/// Key of a rendition: `width` (`full` when none) in `extension`.
pub fn rendition_key(sha256: &str, width: Option<u32>, extension: &str) -> String {
    let size = width.map_or_else(|| "full".to_owned(), |w| w.to_string());
    format!("{}/{size}.{extension}", rendition_prefix(sha256))
}

impl MediaStore {
    /// The store the configuration names.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let inner: Arc<dyn ObjectStore> = match &config.storage {
            Storage::Local => {
                std::fs::create_dir_all(&config.media_dir).with_context(|| {
                    format!("creating NEWSROOM_MEDIA_DIR={}", config.media_dir.display())
                })?;
                Arc::new(LocalFileSystem::new_with_prefix(&config.media_dir)?)
            }
            Storage::S3 {
                bucket,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                if let (Some(id), Some(secret)) = (access_key_id, secret_access_key) {
                    builder = builder
                        .with_access_key_id(id)
                        .with_secret_access_key(secret);
                }
                Arc::new(builder.build().context("configuring the S3 store")?)
            }
        };
        Ok(Self { inner })
    }

    /// Stores `bytes` under `key` (overwriting: keys are content-addressed).
    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.inner
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .with_context(|| format!("storing {key}"))?;
        Ok(())
    }

    /// The bytes under `key`, or `None` when there are none.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.inner.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(
                result
                    .bytes()
                    .await
                    .with_context(|| format!("reading {key}"))?,
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {key}")),
        }
    }

    /// Deletes what is stored under `key` (nothing there is fine).
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("deleting {key}")),
        }
    }

    /// Deletes everything stored under `prefix/`.
    pub async fn delete_prefix(&self, prefix: &str) -> anyhow::Result<()> {
        use futures_util::StreamExt;
        let prefix = Path::from(prefix);
        let mut listing = self.inner.list(Some(&prefix));
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            keys.push(meta.with_context(|| format!("listing {prefix}"))?.location);
        }
        for key in keys {
            self.delete(key.as_ref()).await?;
        }
        Ok(())
    }

    /// Whether something is stored under `key`.
    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self.inner.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e).with_context(|| format!("checking {key}")),
        }
    }
}
