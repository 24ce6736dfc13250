//! Objects as they are stored, for backup and restore: whatever the documents hold on the way
//! in (encrypted, say), a backup copies exactly those bytes and a restore puts them back, under
//! the same names the database rows use.

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::{ObjectStoreExt, PutPayload};

use super::{Blobs, key, store_error};
use crate::error::{Error, Result};

impl Blobs {
    /// The stored size of the object.
    pub async fn stored_size(&self, name: &str) -> Result<u64> {
        let key = key(name).ok_or(Error::NotFound)?;
        Ok(self.store.head(&key).await.map_err(store_error)?.size)
    }

    /// The stored bytes of the object, as they are in the backend.
    pub async fn read_stored(&self, name: &str) -> Result<BoxStream<'static, Result<Bytes>>> {
        let key = key(name).ok_or(Error::NotFound)?;
        let got = self.store.get(&key).await.map_err(store_error)?;
        Ok(got.into_stream().map_err(store_error).boxed())
    }

    /// Puts back an object a backup holds, under its own name; durable when this returns.
    pub async fn write_stored(&self, name: &str, bytes: Bytes) -> Result<()> {
        let key = key(name).ok_or_else(|| Error::Internal(format!("{name:?} is not a document name")))?;
        self.store
            .put(&key, PutPayload::from_bytes(bytes))
            .await
            .map_err(Error::Blob)?;
        Ok(())
    }
}
