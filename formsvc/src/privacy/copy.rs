//! "Unduh salinan data saya" (UU PDP Pasal 13, a copy in a machine-readable form): one zip with
//! `data.json`, every field the service holds about the applicant (the account and
//! registration, each application with its PEMOHON and PERUSAHAAN data, its status history and
//! its documents' metadata with SHA-256, and the processing record), and the documents
//! themselves, decrypted through the blob store as they stream into the archive.

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc::Sender;

use super::record;
use super::zip::ZipStream;
use crate::blob::Blobs;
use crate::clock::format_wib;
use crate::error::{Error, Result};
use crate::records::WrappedKey;
use crate::store::Store;

/// A document to copy into the archive.
pub struct PlannedFile {
    /// Its path in the archive, as `data.json` names it.
    pub path: String,
    pub stored_name: String,
    pub key: Option<WrappedKey>,
    pub uploaded_at: i64,
}

/// What the archive will hold: `data.json` made, the documents still to read.
pub struct Plan {
    pub data_json: Vec<u8>,
    pub files: Vec<PlannedFile>,
    pub made_at: i64,
}

/// A file name that is one safe path segment (the uploader chose it).
fn safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.trim_start_matches('.').to_string()
}

/// Reads everything the service holds about applicant `id` and lays out the archive.
/// `Error::NotFound` for an account that is not active (it has no Layanan Pemohon).
pub async fn plan(store: &dyn Store, id: i64, now: i64) -> Result<Plan> {
    let a = store.profile(id).await?.ok_or(Error::NotFound)?;
    let akun = json!({
        "nomor_registrasi": a.nomor,
        "status": a.status.as_str(),
        "nama_pengguna": a.username.as_str(),
        "nama": a.nama.as_str(),
        "email": a.email.as_str(),
        "instansi": a.instansi,
        "unit": a.unit,
        "tipe_identitas": a.tipe_identitas.code(),
        "nomor_identitas": a.nomor_identitas,
        "jenis_kelamin": a.jenis_kelamin.code(),
        "tempat_lahir": a.tempat_lahir,
        "tanggal_lahir": a.tanggal_lahir,
        "pekerjaan": a.pekerjaan,
        "npwp": a.npwp.as_ref().map(|n| n.as_str().to_string()),
        "telepon": a.telepon.as_str(),
        "alamat": a.alamat,
        "kabupaten_kota": a.kabupaten,
        "kode_pos": a.kode_pos.as_str(),
        "terdaftar": a.created_at,
        "terdaftar_waktu": format_wib(a.created_at),
    });
    let apps = store.applications_of(id).await?;
    let mut files = Vec::new();
    let mut permohonan = Vec::new();
    for p in &apps {
        let mut dokumen = Vec::new();
        for d in store.documents(p.id).await? {
            // The key is in the download record only: it never reaches a page.
            let stored = store.document_for_download(&d.alamat).await?.ok_or(Error::NotFound)?;
            let path = format!("dokumen/{}/{}-{}", p.nomor, d.requirement_id, safe(&d.original_name));
            dokumen.push(json!({
                "id": d.id,
                "persyaratan": d.requirement_id,
                "nama_berkas": d.original_name,
                "jenis": d.content_type,
                "ukuran_byte": d.size,
                "sha256": d.sha256,
                "diunggah": d.uploaded_at,
                "diunggah_waktu": format_wib(d.uploaded_at),
                "catatan_petugas": d.catatan,
                "berkas_dalam_arsip": path,
            }));
            files.push(PlannedFile {
                path,
                stored_name: stored.stored_name,
                key: stored.key,
                uploaded_at: d.uploaded_at,
            });
        }
        let riwayat: Vec<Value> = store
            .timeline(p.id)
            .await?
            .iter()
            .map(|e| {
                json!({
                    "waktu": e.at,
                    "waktu_wib": format_wib(e.at),
                    "oleh": e.actor_kind,
                    "nama": e.actor_label,
                    "status": e.to_status.as_str(),
                    "status_label": e.to_status.label(),
                    "catatan": e.note,
                })
            })
            .collect();
        permohonan.push(json!({
            "nomor": p.nomor,
            "jenis_izin": p.permit_nama,
            "jenis_izin_slug": p.permit_slug,
            "instansi": p.instansi,
            "unit": p.unit,
            "jenis_permohonan": p.kind.label(),
            "tipe_pemohon": p.who.label(),
            "nib": p.nib,
            "pemohon": p.pemohon,
            "perusahaan": p.perusahaan,
            "persyaratan": p.persyaratan,
            "status": p.status.as_str(),
            "status_label": p.status.label(),
            "dibuat": p.created_at,
            "diajukan": p.submitted_at,
            "riwayat_status": riwayat,
            "dokumen": dokumen,
        }));
    }
    let entries = store.access_of(id, i64::MAX).await?;
    // The requests to correct name or identity number are data about them too, with the
    // officers' answers; a deletion request is on the Hapus Akun page while it waits.
    let perbaikan: Vec<Value> = store
        .corrections_of(id, i64::MAX)
        .await?
        .iter()
        .map(|c| {
            json!({
                "data": c.field.as_str(),
                "menjadi": c.value,
                "alasan": c.alasan,
                "status": c.status.as_str(),
                "alasan_tolak": c.alasan_tolak,
                "diajukan": c.requested_at,
                "diajukan_waktu": format_wib(c.requested_at),
            })
        })
        .collect();
    let data = json!({
        "keterangan": "Salinan data pribadi Anda yang disimpan layanan ini (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi). Waktu dalam detik sejak 1 Januari 1970 UTC, disertai waktu WIB.",
        "dibuat": now,
        "dibuat_waktu": format_wib(now),
        "akun": akun,
        "permohonan": permohonan,
        "riwayat_akses": record::lines(&entries, &apps),
        "permintaan_perbaikan": perbaikan,
    });
    let data_json = serde_json::to_vec_pretty(&data).map_err(|e| Error::Internal(format!("data.json: {e}")))?;
    Ok(Plan {
        data_json,
        files,
        made_at: now,
    })
}

/// Writes the archive of `plan` into `out`, one piece at a time: the channel's small bound is
/// what keeps memory flat while a slow client reads. Stops when the client goes.
pub async fn write(blobs: &Blobs, plan: Plan, out: &Sender<std::io::Result<Bytes>>) -> Result<()> {
    use futures_util::StreamExt;
    let gone = || Error::Internal("the client left during the data copy".into());
    let mut zip = ZipStream::new();
    let first = zip.entry("data.json", plan.made_at, &plan.data_json)?;
    out.send(Ok(first)).await.map_err(|_| gone())?;
    for f in plan.files {
        let mut body = blobs.get(&f.stored_name, f.key.as_ref()).await?;
        out.send(Ok(zip.begin(&f.path, f.uploaded_at)?))
            .await
            .map_err(|_| gone())?;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            zip.data(&chunk)?;
            out.send(Ok(chunk)).await.map_err(|_| gone())?;
        }
        out.send(Ok(zip.end()?)).await.map_err(|_| gone())?;
    }
    out.send(Ok(zip.finish()?)).await.map_err(|_| gone())?;
    Ok(())
}
