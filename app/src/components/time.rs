//! Timestamps shown the same way on the server and in the browser (UTC), so hydration
//! never disagrees with the server's HTML; relative times ("5 min ago") only once the
//! page is live in the browser.

use crate::text::push_int;
use leptos::prelude::*;

/// `2026-11-25 19:42 UTC` for milliseconds since the Unix epoch.
pub fn format_utc(ms: i64) -> String {
    let mut out = String::with_capacity(20);
    push_date(&mut out, ms, ' ');
    out.push_str(" UTC");
    out
}

/// `2026-11-25T19:42Z`, for `<time datetime>`.
pub fn format_iso(ms: i64) -> String {
    let mut out = String::with_capacity(17);
    push_date(&mut out, ms, 'T');
    out.push('Z');
    out
}

/// `2026-11-25{sep}19:42`, written digit by digit: a feed page writes two per post on
/// every server render, and `format!` costs ten times as much.
fn push_date(out: &mut String, ms: i64, sep: char) {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    push_int(out, y, 4);
    out.push('-');
    push_int(out, i64::from(m), 2);
    out.push('-');
    push_int(out, i64::from(d), 2);
    out.push(sep);
    push_int(out, rem / 3600, 2);
    out.push(':');
    push_int(out, (rem % 3600) / 60, 2);
}

/// How long before `now_ms` the instant `ms` was, in words: `just now`, `5 min ago`,
/// `3 h ago`, `yesterday`, `4 days ago`, then the date.
pub fn format_relative(ms: i64, now_ms: i64) -> String {
    let secs = (now_ms - ms).max(0) / 1000;
    match secs {
        0..45 => "just now".to_owned(),
        45..3_600 => format!("{} min ago", ((secs + 30) / 60).clamp(1, 59)),
        3_600..86_400 => format!("{} h ago", secs / 3_600),
        86_400..172_800 => "yesterday".to_owned(),
        172_800..604_800 => format!("{} days ago", secs / 86_400),
        _ => format_utc(ms).chars().take(10).collect(),
    }
}

/// A `<time>` showing `ms` relative to now, refreshed every half minute. The server and
/// the hydrating browser both render the UTC date (they would not agree on "now"); the
/// relative words replace it once the page is live. The full date stays in the tooltip.
#[component]
pub fn RelativeTime(ms: i64) -> impl IntoView {
    let now = RwSignal::new(None::<i64>);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| now.set(Some(js_sys::Date::now() as i64)));
        match set_interval_with_handle(
            move || now.set(Some(js_sys::Date::now() as i64)),
            std::time::Duration::from_secs(30),
        ) {
            Ok(handle) => on_cleanup(move || handle.clear()),
            Err(err) => leptos::logging::warn!("cannot refresh relative times: {err:?}"),
        }
    }
    view! {
        <time class="time" datetime=format_iso(ms) title=format_utc(ms)>
            {move || match now.get() {
                Some(now) => format_relative(ms, now),
                None => format_utc(ms),
            }}
        </time>
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::{format_iso, format_relative, format_utc};

    #[test]
    fn known_instants() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_635_720_000), "2026-11-25 19:42 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59 UTC");
        assert_eq!(format_iso(1_795_635_720_000), "2026-11-25T19:42Z");
    }

    #[test]
    fn relative_words() {
        let now = 1_795_635_720_000;
        let ago = |secs: i64| format_relative(now - secs * 1000, now);
        assert_eq!(ago(0), "just now");
        assert_eq!(ago(-30), "just now");
        assert_eq!(ago(50), "1 min ago");
        assert_eq!(ago(5 * 60 + 10), "5 min ago");
        assert_eq!(ago(3_599), "59 min ago");
        assert_eq!(ago(3 * 3_600), "3 h ago");
        assert_eq!(ago(30 * 3_600), "yesterday");
        assert_eq!(ago(4 * 86_400), "4 days ago");
        assert_eq!(ago(30 * 86_400), "2026-10-26");
    }
}
