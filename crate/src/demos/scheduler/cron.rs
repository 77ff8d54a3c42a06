//! Cron expressions: five fields, `minute hour day month day_of_week`, as in a crontab (and
//! APScheduler's `CronTrigger.from_crontab`). Each field is `*`, a number, a range `a-b`, a
//! step `*/n` or `a-b/n`, or a list of those separated by commas; months and weekdays take
//! names too (`jan`, `mon-fri`). Weekdays count from Sunday = 0 (7 is Sunday too), as in a
//! crontab.
//!
//! APScheduler 3.x numbers them differently, even in `CronTrigger.from_crontab`: its
//! `DayOfWeekField.get_value` is Python's `date.weekday()` (Monday = 0, range 0-6,
//! `triggers/cron/fields.py`), and `from_crontab` hands the fifth field to
//! `day_of_week` unchanged, so there `0 17 * * 1-5` fires Tuesday to Saturday. Names mean
//! the same in both (`mon-fri`), which is why the book writes `day_of_week='mon-fri'`.
//!
//! One difference from a crontab, on purpose: when both the day of the month and the day of
//! the week are restricted, a time must match both (APScheduler's `CronTrigger` requires
//! every field to match, `apscheduler/triggers/cron/__init__.py` `get_next_fire_time`),
//! where Vixie cron takes either.
//!
//! Times are whole minutes since 1970-01-01 00:00 UTC; the calendar is the proleptic
//! Gregorian one, without time zones (the page's virtual clock has none).

use std::fmt;

/// A parsed expression: the values each field allows, as bit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    /// Bit 0 is Sunday.
    weekdays: u64,
}

/// What is wrong with an expression, in a sentence for the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError(pub String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: &[] },
    Field { name: "hour", min: 0, max: 23, names: &[] },
    Field { name: "day", min: 1, max: 31, names: &[] },
    Field { name: "month", min: 1, max: 12, names: &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
    Field { name: "day_of_week", min: 0, max: 7, names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

fn value(f: &Field, s: &str) -> Result<u32, CronError> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        // Months are named from 1 (jan), weekdays from 0 (sun): the field's own minimum.
        return Ok(i as u32 + f.min);
    }
    let v: u32 = s.parse().map_err(|_| {
        let hint = if f.names.is_empty() { String::new() } else { format!(" or a name like {}", f.names[1]) };
        CronError(format!("the {} field must be a number{hint}, got {s:?}", f.name))
    })?;
    if v < f.min || v > f.max {
        return Err(CronError(format!("the {} field must be {}-{}, got {v}", f.name, f.min, f.max)));
    }
    Ok(v)
}

fn field(f: &Field, text: &str) -> Result<u64, CronError> {
    let mut bits = 0u64;
    for part in text.split(',') {
        if part.is_empty() {
            return Err(CronError(format!("the {} field has an empty item in {text:?}", f.name)));
        }
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().map_err(|_| CronError(format!("the {} field's step must be a number, got {s:?}", f.name)))?;
                if step == 0 {
                    return Err(CronError(format!("the {} field's step must be at least 1, got 0", f.name)));
                }
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (f.min, f.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(f, a)?, value(f, b)?);
            if a > b {
                return Err(CronError(format!("the {} field's range {range} runs backwards", f.name)));
            }
            (a, b)
        } else {
            let v = value(f, range)?;
            // `5/15` means from 5 to the end, every 15, as in a crontab.
            (v, if step > 1 { f.max } else { v })
        };
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

impl Cron {
    pub fn parse(expr: &str) -> Result<Cron, CronError> {
        let parts: Vec<&str> = expr.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(CronError(format!(
                "a cron expression has 5 fields (minute hour day month day_of_week), got {}",
                parts.len()
            )));
        }
        let mut sets = [0u64; 5];
        for (i, (f, text)) in FIELDS.iter().zip(&parts).enumerate() {
            sets[i] = field(f, text)?;
        }
        // 7 is Sunday as well as 0.
        let weekdays = (sets[4] | (sets[4] >> 7)) & 0x7f;
        Ok(Cron { minutes: sets[0], hours: sets[1], days: sets[2], months: sets[3], weekdays })
    }

    fn day_matches(&self, day: i64) -> bool {
        let (_, m, d) = civil_from_days(day);
        self.months >> m & 1 == 1 && self.days >> d & 1 == 1 && self.weekdays >> weekday(day) & 1 == 1
    }

    /// The first time that matches, strictly after `after` (minutes since the epoch); `None`
    /// when none does within 8 years (`0 0 31 2 *`, February 31st, never comes).
    pub fn next_after(&self, after: i64) -> Option<i64> {
        let first_day = after.div_euclid(1440);
        for day in first_day..first_day + 8 * 366 {
            if !self.day_matches(day) {
                continue;
            }
            for h in 0..24 {
                if self.hours >> h & 1 == 0 {
                    continue;
                }
                for m in 0..60 {
                    let t = day * 1440 + h * 60 + m;
                    if self.minutes >> m & 1 == 1 && t > after {
                        return Some(t);
                    }
                }
            }
        }
        None
    }
}

/// Day 0 is 1970-01-01, a Thursday; Sunday is 0.
pub fn weekday(day: i64) -> u32 {
    (day + 4).rem_euclid(7) as u32
}

/// Year, month (1-12) and day (1-31) of a day since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

/// Days since 1970-01-01 of a civil date (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// "2024-03-01 12:00" as minutes since the epoch.
pub fn parse_datetime(s: &str) -> Result<i64, CronError> {
    let bad = || CronError(format!("the start must look like 2024-03-01 12:00, got {s:?}"));
    let (date, time) = s.trim().split_once([' ', 'T']).ok_or_else(bad)?;
    let mut ds = date.split('-').map(|x| x.parse::<i64>());
    let (y, mo, d) = match (ds.next(), ds.next(), ds.next(), ds.next()) {
        (Some(Ok(y)), Some(Ok(m)), Some(Ok(d)), None) => (y, m, d),
        _ => return Err(bad()),
    };
    let (h, mi) = time.split_once(':').ok_or_else(bad)?;
    let (h, mi): (i64, i64) = (h.parse().map_err(|_| bad())?, mi.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || !(0..24).contains(&h) || !(0..60).contains(&mi) {
        return Err(bad());
    }
    let day = days_from_civil(y, mo as u32, d as u32);
    if civil_from_days(day) != (y, mo as u32, d as u32) {
        return Err(CronError(format!("{date} is not a day of the calendar")));
    }
    Ok(day * 1440 + h * 60 + mi)
}

/// Minutes since the epoch as "Mon 2024-03-04 17:00".
pub fn format_minute(t: i64) -> String {
    const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let day = t.div_euclid(1440);
    let (y, m, d) = civil_from_days(day);
    let rest = t.rem_euclid(1440);
    format!("{} {y:04}-{m:02}-{d:02} {:02}:{:02}", NAMES[weekday(day) as usize], rest / 60, rest % 60)
}
