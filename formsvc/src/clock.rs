//! Dates as Indonesian users read them: in WIB (UTC+7, the time of Palembang), with Indonesian
//! month names.

/// Indonesian month names, January first.
pub const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

const WIB: i64 = 7 * 3600;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch (mail retry times need more than seconds in tests).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// (year, month, day) of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Today's date in WIB.
pub fn today_wib() -> (i32, u32, u32) {
    civil_from_days((now() + WIB).div_euclid(86_400))
}

/// "29 November 2026 pukul 15.04 WIB".
pub fn format_wib(unix: i64) -> String {
    let t = unix + WIB;
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    format!(
        "{d} {} {y} pukul {:02}.{:02} WIB",
        MONTHS[(m - 1) as usize],
        secs / 3600,
        secs % 3600 / 60
    )
}

/// "29 November 2026": a date in WIB, for periods counted in days or years.
pub fn format_date_wib(unix: i64) -> String {
    let (y, m, d) = civil_from_days((unix + WIB).div_euclid(86_400));
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

/// "5 Agustus 1990" for a stored calendar date `YYYY-MM-DD` (a birth date); anything else is
/// shown as stored rather than hidden.
pub fn format_iso_date(iso: &str) -> String {
    let mut parts = iso.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten(), parts.next().flatten()) {
        (Some(y), Some(m @ 1..=12), Some(d @ 1..=31)) => format!("{d} {} {y}", MONTHS[(m - 1) as usize]),
        _ => iso.to_string(),
    }
}

/// The start (Unix seconds) of the WIB day `YYYY-MM-DD`, as a date input sends it; `None` for
/// anything else.
pub fn wib_day_start(date: &str) -> Option<i64> {
    let mut it = date.split('-');
    let (y, m, d): (i64, i64, i64) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant), then back from WIB to UTC.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400 - WIB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_wib_with_indonesian_months() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
        // 2026-11-29 08:04 UTC is 15.04 WIB.
        assert_eq!(format_wib(1_795_939_440), "29 November 2026 pukul 15.04 WIB");
        assert_eq!(format_date_wib(1_795_939_440), "29 November 2026");
        // 2026-11-29 20:00 UTC is already 30 November in Palembang.
        assert_eq!(format_wib(1_795_982_400), "30 November 2026 pukul 03.00 WIB");
        assert_eq!(format_iso_date("1990-08-05"), "5 Agustus 1990");
        assert_eq!(format_iso_date("1990-13-05"), "1990-13-05");
    }

    #[test]
    fn a_date_input_is_the_start_of_that_day_in_palembang() {
        let start = wib_day_start("2026-11-29").expect("a date");
        assert_eq!(format_wib(start), "29 November 2026 pukul 00.00 WIB");
        for bad in ["", "2026-13-01", "29-11-2026x", "2026-11-29-1", "kemarin"] {
            assert_eq!(wib_day_start(bad), None, "{bad}");
        }
    }
}
