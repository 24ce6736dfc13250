//! Streaming a new document into the store: a multipart upload, hashed, counted and encrypted
//! on the way, that is either completed or aborted, never left behind.

use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};
use object_store::{ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

use super::sealed::Sealer;
use super::{Blobs, PutError, Stored, document_context, key, store_error};
use crate::error::{Error, Result};
use crate::keys::DataKey;

/// How much of an upload is held before it is sent as one part: S3's smallest part size.
pub(super) const PART_BYTES: usize = 5 * 1024 * 1024;

/// Parts being sent while the next one fills. One keeps an upload's memory at about one part
/// (the one in flight) plus the chunk just read; the browser is the slow side anyway.
const PARTS_IN_FLIGHT: usize = 1;

impl Blobs {
    /// Writes `chunks` encrypted under a new key as a new object under a new random name, at
    /// most `max_bytes` of plaintext, and returns its name, size and SHA-256 (of the
    /// plaintext) and its wrapped key once it is durable. If the stream yields an error, grows
    /// past `max_bytes`, or the backend fails, the upload is aborted and nothing is left behind.
    pub async fn put_stream<S, E>(&self, chunks: S, max_bytes: u64) -> Result<Stored, PutError<E>>
    where
        S: Stream<Item = Result<Bytes, E>>,
    {
        let keys = self.keys().map_err(PutError::Store)?;
        let name = format!("{}.bin", crate::security::random_token());
        let key = key(&name).ok_or_else(|| PutError::Store(Error::Internal(format!("bad new name {name}"))))?;
        // A plain (overwriting) multipart upload: the random name is what keeps it unique.
        let upload = self
            .store
            .put_multipart(&key)
            .await
            .map_err(|e| PutError::Store(store_error(e)))?;
        let mut pending = Pending(Some(WriteMultipart::new_with_chunk_size(upload, PART_BYTES)));
        let doc_key = DataKey::random();
        let (mut sealer, header) = Sealer::new(&doc_key);
        pending.writer().put(header);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut chunks = std::pin::pin!(chunks);
        let outcome = loop {
            let Some(chunk) = chunks.next().await else {
                break Ok(());
            };
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => break Err(PutError::Refused(e)),
            };
            size += chunk.len() as u64;
            if size > max_bytes {
                break Err(PutError::TooLarge { max_bytes });
            }
            hasher.update(&chunk);
            let sealed = match sealer.push(&chunk) {
                Ok(s) => s,
                Err(e) => break Err(PutError::Store(e)),
            };
            let writer = pending.writer();
            // Back pressure: the next chunk is read only when a part's worth of memory is free.
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                break Err(PutError::Store(store_error(e)));
            }
            for s in sealed {
                writer.put(s);
            }
        };
        let outcome = outcome.and_then(|()| sealer.finish().map_err(PutError::Store));
        let mut writer = pending.take();
        match outcome {
            Ok(last) => {
                writer.put(last);
                // `finish` aborts the upload itself when completing fails.
                writer.finish().await.map_err(|e| PutError::Store(store_error(e)))?;
                let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
                let key = keys.wrap(&doc_key, &document_context(&name));
                Ok(Stored {
                    name,
                    size,
                    sha256,
                    key,
                })
            }
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(error = %abort, object = %name, "could not abort a refused upload");
                }
                Err(e)
            }
        }
    }
}

/// A multipart upload that is aborted if it is dropped unfinished (the request was cancelled
/// mid-upload), so S3 does not keep its parts.
struct Pending(Option<WriteMultipart>);

impl Pending {
    fn writer(&mut self) -> &mut WriteMultipart {
        self.0.as_mut().expect("the upload is still pending")
    }

    fn take(&mut self) -> WriteMultipart {
        self.0.take().expect("the upload is still pending")
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(w) = self.0.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move {
                if let Err(e) = w.abort().await {
                    tracing::warn!(error = %e, "could not abort a cancelled upload");
                }
            });
        }
    }
}
