//! Charts as server-rendered SVG: readable on a phone, no script needed,
//! each with a text alternative (a title for screen readers and the same
//! numbers as a table under a disclosure). They draw aggregates only.

use leptos::prelude::*;

/// Chart geometry in SVG user units; the SVG scales to its container.
const WIDTH: f64 = 320.0;
const LABEL: f64 = 118.0;
const ROW: f64 = 26.0;

fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// The numbers of a chart as a table, for screen readers and for reading
/// exact values.
#[component]
fn DataTable(caption: String, bars: Vec<(String, u64)>) -> impl IntoView {
    view! {
        <details class="chart-data">
            <summary>"Show the numbers"</summary>
            <table>
                <caption>{caption}</caption>
                <tbody>
                    {bars.into_iter().map(|(label, n)| view! { <tr><th scope="row">{label}</th><td>{n}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// Horizontal bars, one per labelled value, longest first as given.
#[component]
pub fn BarChart(
    /// What the chart shows; also its accessible name.
    title: String,
    bars: Vec<(String, u64)>,
) -> impl IntoView {
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let height = (bars.len() as f64 * ROW).max(ROW);
    let room = WIDTH - LABEL - 40.0;
    let summary = bars
        .iter()
        .map(|(l, n)| format!("{l}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let label = if bars.is_empty() {
        format!("{title}: nothing yet")
    } else {
        format!("{title}. {summary}")
    };
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=label class="bar-chart" preserveAspectRatio="xMinYMin meet">
                {bars.iter().enumerate().map(|(i, (name, n))| {
                    let y = i as f64 * ROW;
                    let w = (*n as f64 / max * room).max(if *n > 0 { 2.0 } else { 0.0 });
                    view! {
                        <g>
                            <text x="0" y=y + 17.0 class="chart-label">{short(name, 18)}</text>
                            <rect x=LABEL y=y + 5.0 width=w height=ROW - 10.0 rx="3" class="chart-bar"></rect>
                            <text x=LABEL + w + 4.0 y=y + 17.0 class="chart-value">{*n}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <DataTable caption=title bars=bars />
        </figure>
    }
}

/// Columns over time (one per hour), with a few axis labels.
#[component]
pub fn ColumnChart(title: String, bars: Vec<(String, u64)>) -> impl IntoView {
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let total: u64 = bars.iter().map(|(_, n)| n).sum();
    let plot = 120.0;
    let step = WIDTH / bars.len().max(1) as f64;
    let label_every = (bars.len() / 4).max(1);
    let label = match (bars.first(), bars.last()) {
        (Some(first), Some(last)) => format!(
            "{title}: {total} in all from {} to {}, at most {} in one hour",
            first.0, last.0, max as u64
        ),
        _ => format!("{title}: nothing yet"),
    };
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {}", plot + 22.0) role="img" aria-label=label class="column-chart" preserveAspectRatio="xMinYMin meet">
                <line x1="0" y1=plot x2=WIDTH y2=plot class="chart-axis"></line>
                {bars.iter().enumerate().map(|(i, (name, n))| {
                    let h = *n as f64 / max * (plot - 14.0);
                    let x = i as f64 * step;
                    view! {
                        <g>
                            <rect x=x + step * 0.15 y=plot - h width=step * 0.7 height=h class="chart-bar"></rect>
                            {(*n > 0 && step >= 14.0).then(|| view! { <text x=x + step / 2.0 y=plot - h - 3.0 class="chart-value" text-anchor="middle">{*n}</text> })}
                            {(i % label_every == 0).then(|| view! { <text x=x y=plot + 16.0 class="chart-label">{name.split(' ').next_back().unwrap_or_default().to_owned()}</text> })}
                        </g>
                    }
                }).collect_view()}
            </svg>
            <DataTable caption=title bars=bars />
        </figure>
    }
}
