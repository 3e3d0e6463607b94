//! Turns the suites of every round into figures, ours beside Node's with their ratio
//! and the target, as a Markdown table (and JSON).

use crate::suite::{Suite, TARGETED_P99_LIMIT_MS};
use crate::target::Kind;
use serde::Serialize;

/// What a figure must be to meet its target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// ours / node at most this.
    RatioAtMost(f64),
    /// ours at least this.
    AtLeast(f64),
    /// ours at most this.
    AtMost(f64),
}

impl Target {
    fn describe(self) -> String {
        match self {
            Target::RatioAtMost(r) => format!("<= {r}x node"),
            Target::AtLeast(v) => format!(">= {}", number(v)),
            Target::AtMost(v) => format!("<= {}", number(v)),
        }
    }

    fn met(self, ours: Option<f64>, node: Option<f64>) -> Option<bool> {
        match self {
            Target::RatioAtMost(r) => Some(ours? <= r * node?),
            Target::AtLeast(v) => Some(ours? >= v),
            Target::AtMost(v) => Some(ours? <= v),
        }
    }
}

/// One line of the table: the mean over the rounds of each server.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What is measured, with its unit.
    pub figure: String,
    /// Ours, mean of the rounds.
    pub ours: Option<f64>,
    /// Node's, mean of the rounds.
    pub node: Option<f64>,
    /// The target, if the issue sets one.
    pub target: Option<Target>,
    /// Whether it is met (None: no target, or a side is missing).
    pub met: Option<bool>,
}

/// One figure of one suite.
struct Figure {
    figure: String,
    value: f64,
    target: Option<Target>,
}

fn fig(figure: impl Into<String>, value: f64, target: Option<Target>) -> Figure {
    Figure {
        figure: figure.into(),
        value,
        target,
    }
}

/// The figures of one suite, in table order.
fn figures(s: &Suite, wasm_gz_kib: Option<f64>) -> Vec<Figure> {
    let mut out = Vec::new();
    let largest = s.idle.iter().map(|i| i.clients).max().unwrap_or(0);
    for i in &s.idle {
        let memory_target = (i.clients == largest).then_some(Target::RatioAtMost(0.4));
        out.push(fig(
            format!("idle: RSS per connection at {} clients (KiB)", i.clients),
            i.rss_per_conn_kib,
            memory_target,
        ));
        out.push(fig(
            format!("idle: CPU at {} clients (% of a core)", i.clients),
            i.idle_cpu_pct,
            None,
        ));
        out.push(fig(
            format!("idle: time to connect up to {} clients (s)", i.clients),
            i.connect_secs,
            None,
        ));
    }
    for f in &s.fanout {
        let at = format!("{} clients, {}/s", f.clients, f.rate);
        let at_largest = f.clients == largest;
        out.push(fig(
            format!("fan-out {at}: p50 (ms)"),
            f.latency.p50_ms,
            None,
        ));
        out.push(fig(
            format!("fan-out {at}: p99 (ms)"),
            f.latency.p99_ms,
            at_largest.then_some(Target::RatioAtMost(0.5)),
        ));
        out.push(fig(
            format!("fan-out {at}: max (ms)"),
            f.latency.max_ms,
            None,
        ));
        out.push(fig(
            format!("fan-out {at}: delivered (%)"),
            percent(f.delivered, f.expected),
            at_largest.then_some(Target::AtLeast(100.0)),
        ));
        out.push(fig(
            format!("fan-out {at}: posts failed or timed out"),
            f.posts.failed as f64,
            None,
        ));
        out.push(fig(
            format!("fan-out {at}: deliveries per CPU-second"),
            f.delivered as f64 / f.server_cpu_secs.max(1e-3),
            None,
        ));
    }
    let (cpu, delivered) = s.fanout.iter().fold((0.0, 0u64), |(c, d), f| {
        (c + f.server_cpu_secs, d + f.delivered)
    });
    if delivered > 0 {
        out.push(fig(
            "fan-out: CPU seconds per million deliveries (all runs)",
            cpu / delivered as f64 * 1e6,
            Some(Target::RatioAtMost(0.33)),
        ));
    }
    let within = s
        .targeted
        .iter()
        .filter(|t| t.latency.p99_ms <= TARGETED_P99_LIMIT_MS && t.delivered >= t.expected)
        .map(|t| t.messages.achieved_rate)
        .fold(0.0, f64::max);
    if let Some(t) = s.targeted.first() {
        out.push(fig(
            format!(
                "targeted at {} clients: highest rate with p99 <= {TARGETED_P99_LIMIT_MS} ms (msg/s)",
                t.clients
            ),
            within,
            None,
        ));
    }
    for t in &s.targeted {
        out.push(fig(
            format!("targeted {}/s: p99 (ms)", t.rate),
            t.latency.p99_ms,
            None,
        ));
    }
    if let Some(storm) = &s.storm {
        let back = storm.all_back_secs.unwrap_or(f64::NAN);
        out.push(fig(
            format!(
                "reconnect storm, {} clients: restart to all back (s)",
                storm.clients
            ),
            back,
            None,
        ));
        out.push(fig(
            format!("reconnect storm, {} clients: never returned", storm.clients),
            storm.never_returned as f64,
            None,
        ));
    }
    out.push(fig(
        "server peak RSS (MiB)",
        s.peak_rss_kib as f64 / 1024.0,
        None,
    ));
    if let Some(page) = &s.page {
        out.push(fig(
            format!(
                "SSR feed page, 20 posts, {} concurrent: requests/s",
                page.concurrency
            ),
            page.rps,
            Some(Target::AtLeast(2000.0)),
        ));
        out.push(fig("SSR feed page: p99 (ms)", page.latency.p99_ms, None));
    }
    if let Some(page) = &s.page_gzip {
        out.push(fig(
            "SSR feed page, gzip as browsers ask: requests/s",
            page.rps,
            None,
        ));
        out.push(fig(
            "SSR feed page, gzip: p99 (ms)",
            page.latency.p99_ms,
            None,
        ));
        out.push(fig(
            "SSR feed page, gzip: bytes sent a page",
            page.page_bytes as f64,
            None,
        ));
    }
    if let (Some(kib), Kind::Ours) = (wasm_gz_kib, s.server) {
        out.push(fig(
            "WASM + JS of the feed page, gzipped (KiB)",
            kib,
            Some(Target::AtMost(250.0)),
        ));
    }
    out
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    part as f64 / whole as f64 * 100.0
}

/// Rows for the table: each figure's mean over the rounds, ours and Node's.
pub fn rows(suites: &[Suite], wasm_gz_kib: Option<f64>) -> Vec<Row> {
    merge(
        suites
            .iter()
            .map(|suite| (suite.server, figures(suite, wasm_gz_kib))),
    )
}

/// Each figure's mean over the suites that have it, in the suites' order: a figure
/// only some suites reach (a rate one server got to and the other did not) goes right
/// after the figure before it, not at the end of the table.
fn merge(suites: impl Iterator<Item = (Kind, Vec<Figure>)>) -> Vec<Row> {
    let mut rows: Vec<(Row, Vec<f64>, Vec<f64>)> = Vec::new();
    for (server, figures) in suites {
        let mut next = 0;
        for f in figures {
            let at = match rows.iter().position(|(r, _, _)| r.figure == f.figure) {
                Some(at) => at,
                None => {
                    let row = Row {
                        figure: f.figure.clone(),
                        ours: None,
                        node: None,
                        target: f.target,
                        met: None,
                    };
                    rows.insert(next, (row, Vec::new(), Vec::new()));
                    next
                }
            };
            next = at + 1;
            let (_, ours, node) = &mut rows[at];
            match server {
                Kind::Ours => ours.push(f.value),
                Kind::Node => node.push(f.value),
            }
        }
    }
    rows.into_iter()
        .map(|(mut row, ours, node)| {
            row.ours = mean(&ours);
            row.node = mean(&node);
            row.met = row.target.and_then(|t| t.met(row.ours, row.node));
            row
        })
        .collect()
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The rows as a Markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| figure | ours | node | ours / node | target | met |\n|---|---:|---:|---:|---|---|\n",
    );
    for r in rows {
        let ratio = match (r.ours, r.node) {
            (Some(o), Some(n)) if n != 0.0 => format!("{:.2}", o / n),
            _ => "-".into(),
        };
        let show = |v: Option<f64>| v.map_or_else(|| "-".into(), number);
        let target = r.target.map_or_else(String::new, Target::describe);
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {ratio} | {target} | {met} |\n",
            r.figure,
            show(r.ours),
            show(r.node)
        ));
    }
    out
}

/// A number with as many decimals as its size deserves.
fn number(v: f64) -> String {
    if v.is_nan() {
        "n/a".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_compare_against_node_or_a_number() {
        assert_eq!(
            Target::RatioAtMost(0.4).met(Some(1.0), Some(3.0)),
            Some(true)
        );
        assert_eq!(
            Target::RatioAtMost(0.4).met(Some(2.0), Some(3.0)),
            Some(false)
        );
        assert_eq!(Target::RatioAtMost(0.4).met(Some(1.0), None), None);
        assert_eq!(Target::AtLeast(2000.0).met(Some(2500.0), None), Some(true));
        assert_eq!(Target::AtMost(250.0).met(Some(251.0), None), Some(false));
    }

    #[test]
    fn numbers_are_rounded_to_their_size() {
        assert_eq!(number(1234.56), "1235");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(1.2345), "1.23");
        assert_eq!(number(f64::NAN), "n/a");
    }

    /// Node reached a rate ours did not: its row sits among the other rates, and the
    /// rows both servers have hold the mean of each.
    #[test]
    fn a_figure_only_one_server_has_keeps_its_place() {
        let rates = |rates: &[u32]| -> Vec<Figure> {
            let mut figures: Vec<Figure> = rates
                .iter()
                .map(|r| fig(format!("targeted {r}/s: p99 (ms)"), f64::from(*r), None))
                .collect();
            figures.push(fig("server peak RSS (MiB)", 10.0, None));
            figures
        };
        let rows = merge(
            [
                (Kind::Ours, rates(&[100, 200])),
                (Kind::Node, rates(&[100, 200, 400])),
                (Kind::Ours, rates(&[100])),
            ]
            .into_iter(),
        );
        let order: Vec<&str> = rows.iter().map(|r| r.figure.as_str()).collect();
        assert_eq!(
            order,
            [
                "targeted 100/s: p99 (ms)",
                "targeted 200/s: p99 (ms)",
                "targeted 400/s: p99 (ms)",
                "server peak RSS (MiB)",
            ]
        );
        assert_eq!((rows[0].ours, rows[0].node), (Some(100.0), Some(100.0)));
        assert_eq!((rows[2].ours, rows[2].node), (None, Some(400.0)));
        assert_eq!(rows[3].ours, Some(10.0));
    }

    #[test]
    fn the_table_has_a_line_per_row() {
        let rows = vec![Row {
            figure: "x (ms)".into(),
            ours: Some(1.0),
            node: Some(4.0),
            target: Some(Target::RatioAtMost(0.5)),
            met: Some(true),
        }];
        let table = markdown(&rows);
        assert!(
            table.contains("| x (ms) | 1.00 | 4.00 | 0.25 | <= 0.5x node | yes |"),
            "{table}"
        );
    }
}
