//! The service-level deadline of an application, in working days (hari kerja), and whether it
//! was met. Pure: it takes the holiday lists of the content and the moments the store keeps.
//!
//! The rule. Standar pelayanan state the time as "N hari kerja sejak berkas dinyatakan
//! lengkap". The file is declared complete when an officer verifies it (Verifikasi, the move
//! to `diproses`). The WIB date of that moment is day 0, whatever day it is (a Saturday, a
//! holiday): the office had that day already, so it never counts. Each following Monday to
//! Friday that is neither a national holiday (libur nasional) nor cuti bersama of the year's
//! SKB 3 Menteri counts one; the day that counts N is the deadline ("Batas waktu"), and a
//! permit finished on or before it was finished within the standard.
//!
//! A year whose list is not in `content/hari-libur/` is counted with weekends only and is
//! named in `Deadline::unknown_years`, so that every page showing the date says so: the date
//! may then be earlier than the true one, never silently later.

use generator::Content;
use generator::holidays::{CalendarDate, Holidays};
use serde::Serialize;

use crate::application::Status;
use crate::clock::{MONTHS, civil_from_days};
use crate::records::ApplicationRecord;

const WIB: i64 = 7 * 3600;

/// The WIB day (days since 1970-01-01) of a moment.
pub fn wib_day(unix: i64) -> i64 {
    (unix + WIB).div_euclid(86_400)
}

fn date_of(day: i64) -> CalendarDate {
    let (year, month, day) = civil_from_days(day);
    CalendarDate { year, month, day }
}

/// Whether `day` is a working day: Monday to Friday, and not a day off of a known year.
pub fn is_working_day(holidays: &Holidays, day: i64) -> bool {
    // 1 January 1970 was a Thursday: (day + 4) % 7 is 0 on Sundays, 6 on Saturdays.
    !matches!((day + 4).rem_euclid(7), 0 | 6) && holidays.on(date_of(day)).is_none()
}

/// A deadline: its day, and the years passed over whose holidays are not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub day: i64,
    pub unknown_years: Vec<i32>,
}

/// The day that is working day `n` after day 0 (see the module's rule).
pub fn working_days_after(holidays: &Holidays, day0: i64, n: u32) -> Deadline {
    let mut day = day0;
    let mut left = n;
    let mut unknown_years = Vec::new();
    while left > 0 {
        day += 1;
        let year = date_of(day).year;
        if !holidays.knows(year) && !unknown_years.contains(&year) {
            unknown_years.push(year);
        }
        if is_working_day(holidays, day) {
            left -= 1;
        }
    }
    Deadline { day, unknown_years }
}

impl Deadline {
    /// "18 Desember 2026", as every other date of the service.
    pub fn label(&self) -> String {
        let d = date_of(self.day);
        format!("{} {} {}", d.day, MONTHS[(d.month - 1) as usize], d.year)
    }

    /// Whether something done at `unix` is within the deadline (on its day or before).
    pub fn met_by(&self, unix: i64) -> bool {
        wib_day(unix) <= self.day
    }

    /// The sentence every page showing the date adds when a year's list is missing.
    pub fn caveat(&self) -> Option<String> {
        if self.unknown_years.is_empty() {
            return None;
        }
        let years: Vec<String> = self.unknown_years.iter().map(i32::to_string).collect();
        Some(format!(
            "Daftar hari libur nasional dan cuti bersama tahun {} belum dimuat; batas waktu ini hanya \
             memperhitungkan Sabtu dan Minggu pada tahun tersebut.",
            years.join(" dan ")
        ))
    }
}

/// The deadline of `a`: from its verification, with its permit's working days; `None` before
/// verification, or when the permit is no longer in the content.
pub fn of(content: &Content, a: &ApplicationRecord) -> Option<Deadline> {
    let verified = a.verified_at?;
    let n = content.permit(&a.permit_slug)?.lama_proses_hari_kerja;
    Some(working_days_after(&content.hari_libur, wib_day(verified), n))
}

/// The deadline as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    /// "18 Desember 2026".
    pub tanggal: String,
    pub hari_kerja: u32,
    /// The date of verification, "4 Desember 2026".
    pub sejak: String,
    /// Still in process and past its day.
    pub terlambat: bool,
    /// Finished: whether within it.
    pub tepat_waktu: Option<bool>,
    pub catatan: Option<String>,
    /// Day number, for sorting.
    #[serde(skip)]
    pub day: i64,
}

pub fn view(content: &Content, a: &ApplicationRecord, now: i64) -> Option<DeadlineView> {
    let d = of(content, a)?;
    let n = content.permit(&a.permit_slug)?.lama_proses_hari_kerja;
    let verified = a.verified_at?;
    let tepat_waktu = match (a.status, a.finished_at) {
        (Status::Selesai, Some(at)) => Some(d.met_by(at)),
        _ => None,
    };
    Some(DeadlineView {
        tanggal: d.label(),
        hari_kerja: n,
        sejak: crate::clock::format_date_wib(verified),
        terlambat: a.status == Status::Diproses && wib_day(now) > d.day,
        tepat_waktu,
        catatan: d.caveat(),
        day: d.day,
    })
}

/// One row of the console's service-standard table: a permit's applications finished in a
/// period, and how many of them within its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardRow {
    pub izin: String,
    pub selesai: usize,
    pub tepat_waktu: usize,
    pub terlambat: usize,
    /// Finished without a recorded verification or with its permit gone: not judged.
    pub tanpa_batas: usize,
}

/// Groups finished applications by permit (in the order of the permit names).
pub fn standard_rows(content: &Content, finished: &[crate::records::FinishedApplication]) -> Vec<StandardRow> {
    let mut rows: Vec<StandardRow> = Vec::new();
    for f in finished {
        let at = match rows.iter().position(|r| r.izin == f.permit_nama) {
            Some(i) => i,
            None => {
                rows.push(StandardRow {
                    izin: f.permit_nama.clone(),
                    selesai: 0,
                    tepat_waktu: 0,
                    terlambat: 0,
                    tanpa_batas: 0,
                });
                rows.len() - 1
            }
        };
        let deadline = f.verified_at.and_then(|v| {
            let n = content.permit(&f.permit_slug)?.lama_proses_hari_kerja;
            Some(working_days_after(&content.hari_libur, wib_day(v), n))
        });
        let row = &mut rows[at];
        row.selesai += 1;
        match deadline {
            Some(d) if d.met_by(f.finished_at) => row.tepat_waktu += 1,
            Some(_) => row.terlambat += 1,
            None => row.tanpa_batas += 1,
        }
    }
    rows.sort_by(|a, b| a.izin.cmp(&b.izin));
    rows
}

/// `[start, end)` in Unix seconds of the WIB month of `now`, and its name ("Desember 2026").
pub fn month_of(now: i64) -> (i64, i64, String) {
    let (y, m, _) = civil_from_days(wib_day(now));
    let start = CalendarDate {
        year: y,
        month: m,
        day: 1,
    }
    .days();
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let end = CalendarDate {
        year: ny,
        month: nm,
        day: 1,
    }
    .days();
    (
        start * 86_400 - WIB,
        end * 86_400 - WIB,
        format!("{} {y}", MONTHS[(m - 1) as usize]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::holidays::{Holiday, HolidayKind, HolidaySource, HolidayYear};

    fn day(s: &str) -> i64 {
        CalendarDate::parse(s).expect("date").days()
    }

    fn label(d: i64) -> String {
        Deadline {
            day: d,
            unknown_years: vec![],
        }
        .label()
    }

    /// 2026 as in content/hari-libur/2026.yaml, only the days these tests pass over.
    fn holidays() -> Holidays {
        let h = |d: &str, jenis| Holiday {
            tanggal: CalendarDate::parse(d).expect("date"),
            nama: d.into(),
            jenis,
        };
        Holidays {
            tahun: vec![HolidayYear {
                tahun: 2026,
                sumber: HolidaySource {
                    judul: "SKB".into(),
                    tautan: "https://example.go.id".into(),
                },
                hari: vec![
                    h("2026-03-18", HolidayKind::CutiBersama),
                    h("2026-03-19", HolidayKind::LiburNasional),
                    h("2026-03-20", HolidayKind::CutiBersama),
                    h("2026-03-21", HolidayKind::LiburNasional),
                    h("2026-03-22", HolidayKind::LiburNasional),
                    h("2026-03-23", HolidayKind::CutiBersama),
                    h("2026-03-24", HolidayKind::CutiBersama),
                    h("2026-12-24", HolidayKind::CutiBersama),
                    h("2026-12-25", HolidayKind::LiburNasional),
                ],
                path: "content/hari-libur/2026.yaml".into(),
            }],
        }
    }

    #[test]
    fn the_day_declared_complete_is_day_zero_and_weekends_do_not_count() {
        let h = holidays();
        // Friday 4 December 2026: day 1 is Monday the 7th; day 10 is Friday the 18th.
        let d = working_days_after(&h, day("2026-12-04"), 10);
        assert_eq!(d.label(), "18 Desember 2026");
        assert!(d.unknown_years.is_empty());
        assert_eq!(
            label(working_days_after(&h, day("2026-12-04"), 1).day),
            "7 Desember 2026"
        );
        assert_eq!(
            label(working_days_after(&h, day("2026-12-04"), 0).day),
            "4 Desember 2026"
        );
    }

    #[test]
    fn starting_on_a_weekend_or_a_holiday_counts_from_the_next_working_day() {
        let h = holidays();
        // Saturday 5 December: Monday the 7th is day 1, as from the Friday before.
        assert_eq!(
            label(working_days_after(&h, day("2026-12-05"), 1).day),
            "7 Desember 2026"
        );
        // Verified on Nyepi (Thursday 19 March): the cuti bersama and Idulfitri days after it
        // do not count either; Wednesday 25 March is day 1.
        assert_eq!(label(working_days_after(&h, day("2026-03-19"), 1).day), "25 Maret 2026");
    }

    #[test]
    fn national_holidays_and_cuti_bersama_are_skipped() {
        let h = holidays();
        // Tuesday 17 March + 3: the 18th to the 24th are all days off; 25, 26, 27 March.
        assert_eq!(label(working_days_after(&h, day("2026-03-17"), 3).day), "27 Maret 2026");
        // Without the list, the same count would end on Friday 20 March.
        assert_eq!(
            label(working_days_after(&Holidays::default(), day("2026-03-17"), 3).day),
            "20 Maret 2026"
        );
        // Wednesday 23 December + 1: cuti bersama on the 24th, Christmas on the 25th.
        assert_eq!(
            label(working_days_after(&h, day("2026-12-23"), 1).day),
            "28 Desember 2026"
        );
    }

    #[test]
    fn a_deadline_across_a_year_without_its_list_says_so() {
        let h = holidays();
        // Monday 21 December + 10: 22, 23, 28, 29, 30, 31 December, then 1 (a Friday; 2027's
        // New Year is not known), 4, 5, 6 January 2027.
        let d = working_days_after(&h, day("2026-12-21"), 10);
        assert_eq!(d.label(), "6 Januari 2027");
        assert_eq!(d.unknown_years, [2027]);
        assert!(d.caveat().expect("a caveat").contains("tahun 2027 belum dimuat"));
        assert_eq!(working_days_after(&h, day("2026-12-21"), 3).caveat(), None);
    }

    #[test]
    fn a_permit_finished_on_its_deadline_day_is_within_it() {
        let d = working_days_after(&holidays(), day("2026-12-04"), 10);
        let at = |s: &str, hour: i64| day(s) * 86_400 - WIB + hour * 3600;
        assert!(d.met_by(at("2026-12-18", 23)), "late on the day, WIB");
        assert!(!d.met_by(at("2026-12-19", 0)));
        assert!(d.met_by(at("2026-12-04", 9)));
    }

    #[test]
    fn the_month_is_the_wib_month() {
        // 30 November 2026 20:00 UTC is already 1 December in Palembang.
        let now = day("2026-11-30") * 86_400 + 20 * 3600;
        let (from, to, name) = month_of(now);
        assert_eq!(name, "Desember 2026");
        assert_eq!(from, day("2026-12-01") * 86_400 - WIB);
        assert_eq!(to, day("2027-01-01") * 86_400 - WIB);
    }
}
