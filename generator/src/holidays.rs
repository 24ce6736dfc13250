//! National holidays and cuti bersama, one content file per year (`content/hari-libur/<YYYY>.yaml`),
//! each with its source: the joint decree of three ministers (SKB 3 Menteri) for that year.
//! The service counts a permit's working days with them; this module only reads and checks
//! them, and answers "is this day off?". A year without a file (or with a file whose dates are
//! not yet entered) is *not known*: whoever counts across it must say so, never guess.

use std::path::PathBuf;

use serde_yaml::Value;

use crate::error::Problem;
use crate::schema::{Key, Reader, opt, req};

/// A calendar date as editors write it (`2026-12-25`); no time, no time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl CalendarDate {
    /// `YYYY-MM-DD` of a real day (29 February only in leap years); `None` for anything else.
    pub fn parse(s: &str) -> Option<CalendarDate> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)? as i32, digits(5..7)?, digits(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let last = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=last).contains(&day).then_some(CalendarDate { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil), the service's day number.
    pub fn days(self) -> i64 {
        let (y, m, d) = (self.year as i64, self.month as i64, self.day as i64);
        let y2 = if m <= 2 { y - 1 } else { y };
        let era = y2.div_euclid(400);
        let yoe = y2 - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

/// Which list of the decree a day comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayKind {
    LiburNasional,
    CutiBersama,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub tanggal: CalendarDate,
    pub nama: String,
    pub jenis: HolidayKind,
}

/// The decree a year's list is taken from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidaySource {
    pub judul: String,
    pub tautan: String,
}

/// One year's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayYear {
    pub tahun: i32,
    pub sumber: HolidaySource,
    /// Sorted by date. Empty when the editors have the decree's name but not yet its dates.
    pub hari: Vec<Holiday>,
    pub path: PathBuf,
}

/// Every year's list, sorted by year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    pub tahun: Vec<HolidayYear>,
}

impl Holidays {
    /// Whether the days off of `year` are known: its file is there with its dates entered.
    pub fn knows(&self, year: i32) -> bool {
        self.tahun.iter().any(|y| y.tahun == year && !y.hari.is_empty())
    }

    /// The holiday or cuti bersama on `date`, if any.
    pub fn on(&self, date: CalendarDate) -> Option<&Holiday> {
        self.tahun
            .iter()
            .find(|y| y.tahun == date.year)?
            .hari
            .iter()
            .find(|h| h.tanggal == date)
    }

    /// What `sicantik check` tells editors (not a failure: the site can still be published,
    /// and the service says on every deadline it counts across that year that it does).
    pub fn warnings(&self, current_year: i32) -> Vec<String> {
        if self.knows(current_year) {
            return Vec::new();
        }
        vec![format!(
            "peringatan: hari libur nasional dan cuti bersama tahun {current_year} belum dimuat \
             (content/hari-libur/{current_year}.yaml); batas waktu pelayanan tahun ini hanya \
             melewati Sabtu dan Minggu sampai tanggalnya diisi dari SKB 3 Menteri"
        )]
    }
}

/// The year in WIB (UTC+7) now, for the check's warning.
pub fn current_year_wib() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut year = 1970;
    // Count whole years from the epoch: cheap enough for a once-per-check call, and exact.
    let next_new_year = |y: i32| {
        CalendarDate {
            year: y + 1,
            month: 1,
            day: 1,
        }
        .days()
            * 86_400
    };
    while next_new_year(year) <= secs + 7 * 3600 {
        year += 1;
    }
    year
}

const YEAR_KEYS: [Key; 3] = [
    req(
        "sumber",
        "sumber daftar: judul SKB 3 Menteri tentang hari libur nasional dan cuti bersama tahun ini, dan tautannya",
    ),
    opt("libur_nasional", ""),
    opt("cuti_bersama", ""),
];

const SOURCE_KEYS: [Key; 2] = [
    req(
        "judul",
        "judul keputusan bersama, mis. Keputusan Bersama Menteri Agama, ...",
    ),
    req(
        "tautan",
        "alamat halaman yang memuat daftar tanggalnya, diawali https://",
    ),
];

const DAY_KEYS: [Key; 2] = [
    req("tanggal", "tanggal dalam bentuk TTTT-BB-HH, mis. 2026-12-25"),
    req("nama", "nama hari libur, mis. Kelahiran Yesus Kristus"),
];

/// Reads one year's file; `tahun` comes from the file name.
pub(crate) fn parse_year(
    path: &std::path::Path,
    yaml: &str,
    first_line: usize,
    value: &Value,
    tahun: i32,
) -> Result<HolidayYear, Vec<Problem>> {
    let mut r = Reader::new(path, yaml, first_line);
    let year = r.mapping(value, "", &YEAR_KEYS).and_then(|m| {
        let sumber = m.get("sumber").and_then(|v| {
            let s = r.mapping(v, "sumber", &SOURCE_KEYS)?;
            let judul = r.text(s, "sumber", "judul");
            let tautan = r.text(s, "sumber", "tautan").and_then(|t| {
                let ok = t.starts_with("https://") && !t.contains(' ');
                if !ok {
                    r.at_value("sumber.tautan", "\"tautan\" harus alamat lengkap yang diawali https://");
                }
                ok.then_some(t)
            });
            Some(HolidaySource {
                judul: judul?,
                tautan: tautan?,
            })
        });
        let mut hari = Vec::new();
        let mut ok = true;
        for (key, jenis) in [
            ("libur_nasional", HolidayKind::LiburNasional),
            ("cuti_bersama", HolidayKind::CutiBersama),
        ] {
            match m.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Sequence(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let ipath = format!("{key}.{i}");
                        match parse_day(&mut r, item, &ipath, tahun, jenis) {
                            Some(h) => hari.push((h, ipath)),
                            None => ok = false,
                        }
                    }
                }
                Some(other) => {
                    ok = false;
                    r.at_value(
                        key,
                        format!(
                            "\"{key}\" harus berupa daftar (setiap butir diawali \"- tanggal: ...\"), bukan {}",
                            crate::schema::describe(other)
                        ),
                    );
                }
            }
        }
        // A day written twice (in one list or in both) is a copying slip: say where the first is.
        let mut seen: Vec<(CalendarDate, String)> = Vec::new();
        for (h, ipath) in &hari {
            let first = seen.iter().find(|(d, _)| *d == h.tanggal).map(|(_, at)| at.clone());
            if let Some(first) = first {
                ok = false;
                r.at_value(
                    &format!("{ipath}.tanggal"),
                    format!(
                        "tanggal {} sudah ditulis di \"{first}\"; setiap tanggal cukup ditulis sekali",
                        iso(h.tanggal)
                    ),
                );
            } else {
                seen.push((h.tanggal, ipath.clone()));
            }
        }
        let mut hari: Vec<Holiday> = hari.into_iter().map(|(h, _)| h).collect();
        hari.sort_by_key(|h| h.tanggal);
        let sumber = sumber?;
        ok.then(|| HolidayYear {
            tahun,
            sumber,
            hari,
            path: path.to_path_buf(),
        })
    });
    match year {
        Some(y) if r.problems.is_empty() => Ok(y),
        _ => Err(r.problems),
    }
}

fn iso(d: CalendarDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn parse_day(r: &mut Reader<'_>, v: &Value, path: &str, tahun: i32, jenis: HolidayKind) -> Option<Holiday> {
    let m = r.mapping(v, path, &DAY_KEYS)?;
    let nama = r.text(m, path, "nama");
    let tpath = format!("{path}.tanggal");
    let tanggal = match m.get("tanggal") {
        None => None,
        Some(Value::String(s)) => match CalendarDate::parse(s.trim()) {
            Some(d) if d.year == tahun => Some(d),
            Some(_) => {
                r.at_value(
                    &tpath,
                    format!(
                        "tanggal {} tidak berada di tahun {tahun}; berkas ini hanya memuat tahun {tahun}",
                        s.trim()
                    ),
                );
                None
            }
            None => {
                r.at_value(
                    &tpath,
                    format!(
                        "\"{}\" bukan tanggal yang benar; tulis dalam bentuk TTTT-BB-HH, mis. {tahun}-12-25",
                        s.trim()
                    ),
                );
                None
            }
        },
        Some(other) => {
            r.at_value(
                &tpath,
                format!(
                    "\"tanggal\" harus ditulis dalam bentuk TTTT-BB-HH, mis. {tahun}-12-25, bukan {}",
                    crate::schema::describe(other)
                ),
            );
            None
        }
    };
    Some(Holiday {
        tanggal: tanggal?,
        nama: nama?,
        jenis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<HolidayYear, Vec<String>> {
        let value: Value = serde_yaml::from_str(text).expect("yaml");
        parse_year(
            std::path::Path::new("content/hari-libur/2026.yaml"),
            text,
            1,
            &value,
            2026,
        )
        .map_err(|p| p.iter().map(|p| format!("{}: {}", p.line, p.message)).collect())
    }

    const SOURCE: &str = "sumber:\n  judul: SKB\n  tautan: https://example.go.id/skb\n";

    #[test]
    fn dates_are_real_days_and_count_from_the_epoch() {
        assert_eq!(CalendarDate::parse("1970-01-01").map(CalendarDate::days), Some(0));
        assert_eq!(CalendarDate::parse("2026-11-29").map(CalendarDate::days), Some(20_786));
        assert!(CalendarDate::parse("2028-02-29").is_some());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "",
        ] {
            assert_eq!(CalendarDate::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_year_file_is_read_with_its_source_and_sorted() {
        let y = read(&format!(
            "{SOURCE}libur_nasional:\n  - tanggal: 2026-12-25\n    nama: Natal\n  - tanggal: 2026-01-01\n    nama: Tahun Baru\ncuti_bersama:\n  - tanggal: 2026-12-24\n    nama: Cuti Bersama Natal\n"
        ))
        .expect("valid");
        assert_eq!(y.sumber.judul, "SKB");
        let days: Vec<(u32, u32, HolidayKind)> = y
            .hari
            .iter()
            .map(|h| (h.tanggal.month, h.tanggal.day, h.jenis))
            .collect();
        assert_eq!(
            days,
            [
                (1, 1, HolidayKind::LiburNasional),
                (12, 24, HolidayKind::CutiBersama),
                (12, 25, HolidayKind::LiburNasional)
            ]
        );
        let all = Holidays { tahun: vec![y] };
        assert!(all.knows(2026) && !all.knows(2027));
        assert!(all.warnings(2026).is_empty());
        assert!(all.warnings(2027)[0].contains("tahun 2027 belum dimuat"));
    }

    #[test]
    fn a_source_without_dates_is_allowed_and_the_year_stays_unknown() {
        let y = read(SOURCE).expect("valid");
        assert!(y.hari.is_empty());
        assert!(!Holidays { tahun: vec![y] }.knows(2026));
    }

    #[test]
    fn bad_dates_duplicates_other_years_and_a_missing_source_are_reported_at_their_line() {
        let errors = read(
            "libur_nasional:\n  - tanggal: 2026-02-30\n    nama: A\n  - tanggal: 2027-01-01\n    nama: B\n  - tanggal: 2026-05-01\n    nama: C\ncuti_bersama:\n  - tanggal: 2026-05-01\n    nama: D\n  - tanggal: 20260502\n    nama: E\n",
        )
        .expect_err("invalid");
        let has = |line: &str, text: &str| errors.iter().any(|e| e.starts_with(line) && e.contains(text));
        assert!(has("1: ", "kunci wajib \"sumber\" belum ada"), "{errors:?}");
        assert!(has("2: ", "\"2026-02-30\" bukan tanggal yang benar"), "{errors:?}");
        assert!(
            has("4: ", "tanggal 2027-01-01 tidak berada di tahun 2026"),
            "{errors:?}"
        );
        assert!(
            has("9: ", "tanggal 2026-05-01 sudah ditulis di \"libur_nasional.2\""),
            "{errors:?}"
        );
        assert!(has("11: ", "harus ditulis dalam bentuk TTTT-BB-HH"), "{errors:?}");
    }

    #[test]
    fn a_source_link_must_be_a_full_address() {
        let errors = read("sumber:\n  judul: SKB\n  tautan: kemenkopmk.go.id\n").expect_err("invalid");
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("3: ") && e.contains("diawali https://")),
            "{errors:?}"
        );
    }
}
