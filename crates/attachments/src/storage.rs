//! The object store behind `MYRELAY_STORAGE_URL`: a folder on this machine (`file://`, the
//! default under `.data/`) or an S3 bucket (`s3://bucket/prefix`, configured by the standard
//! `AWS_*` variables, a custom endpoint included) that several instances share.

use anyhow::Context;
use futures_util::StreamExt;
use myrelay_core::{ApiError, AppState, StorageUrl};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{MultipartUpload, ObjectStore, ObjectStoreExt};
use std::sync::Arc;

/// Where attachment bytes live. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Bytes buffered per multipart part: S3 needs at least 5 MiB (except the last part); a
    /// local file takes any size, so it buffers less.
    part_size: usize,
}

impl Storage {
    pub fn open(url: &StorageUrl, options: &[(String, String)]) -> anyhow::Result<Storage> {
        match url {
            StorageUrl::File(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the attachment folder {}", dir.display()))?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("opening the attachment folder {}", dir.display()))?;
                Ok(Storage {
                    store: Arc::new(fs),
                    part_size: 1024 * 1024,
                })
            }
            StorageUrl::S3 { bucket, prefix } => {
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                for (k, v) in options {
                    let key: AmazonS3ConfigKey = k
                        .parse()
                        .with_context(|| format!("unknown S3 option `{k}`"))?;
                    builder = builder.with_config(key, v);
                }
                let s3 = builder
                    .build()
                    .context("configuring the S3 attachment store")?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                Ok(Storage {
                    store,
                    part_size: 5 * 1024 * 1024,
                })
            }
        }
    }

    /// The store installed by [`crate::install`].
    pub fn of(state: &AppState) -> Result<&Storage, ApiError> {
        state.part::<Storage>().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("the attachment store is not installed"))
        })
    }

    /// A fresh, unguessable key for a new upload on `ticket_id`.
    pub fn new_key(ticket_id: i64) -> String {
        format!("tickets/{ticket_id}/{}", uuid::Uuid::new_v4().simple())
    }

    pub fn part_size(&self) -> usize {
        self.part_size
    }

    pub(crate) async fn start_upload(
        &self,
        key: &str,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.store.put_multipart(&ObjectPath::from(key)).await
    }

    /// The object's bytes as a stream (for the download response).
    pub async fn read(
        &self,
        key: &str,
    ) -> object_store::Result<
        futures_util::stream::BoxStream<'static, object_store::Result<axum::body::Bytes>>,
    > {
        Ok(self.store.get(&ObjectPath::from(key)).await?.into_stream())
    }

    /// Delete the object; one that is already gone counts as deleted.
    pub async fn delete(&self, key: &str) -> object_store::Result<()> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every key in the store (tests check that nothing stays behind).
    pub async fn keys(&self) -> object_store::Result<Vec<String>> {
        let mut out = Vec::new();
        let mut list = self.store.list(None);
        while let Some(meta) = list.next().await {
            out.push(meta?.location.to_string());
        }
        out.sort();
        Ok(out)
    }
}
