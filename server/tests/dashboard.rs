//! The organizer dashboard over real HTTP, on SQLite and (when given)
//! PostgreSQL: every metric against an event whose numbers are known.

mod common;

use common::{event_with, spawn_app, user_id, Backend, TestApp};
use serde_json::Value;

async fn badge_url(app: &TestApp, slug: &str) -> String {
    let (_, b) = app.call_json("my_badge", &[("slug", slug)]).await;
    b["badge"]["url"].as_str().unwrap().to_owned()
}

async fn scan(app: &TestApp, slug: &str, badge: &str, mode: &str) -> Value {
    let (status, v) = app
        .call_json(
            "scan_badge",
            &[("slug", slug), ("badge", badge), ("mode", mode)],
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v
}

async fn tags(app: &TestApp, interest: &str, offer: &str, seek: &str) {
    let (status, body) = app
        .call_json(
            "update_tags",
            &[
                ("tags_interest", interest),
                ("tags_offer", offer),
                ("tags_seek", seek),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

fn bar(bars: &Value, label: &str) -> u64 {
    bars.as_array()
        .unwrap()
        .iter()
        .find(|b| b[0] == label)
        .map_or(0, |b| b[1].as_u64().unwrap())
}

async fn metrics(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben", "Chloe", "Dev", "Eve"]).await;
    let (ada, ben, chloe, dev, eve) = (&people[0], &people[1], &people[2], &people[3], &people[4]);
    tags(ben, "rust", "", "").await;
    tags(chloe, "rust", "mentoring", "").await;
    tags(dev, "", "", "mentoring").await;
    tags(eve, "rust", "", "").await;
    eve.call_json(
        "update_membership",
        &[("slug", &slug), ("event_line", ""), ("opted_out", "on")],
    )
    .await;

    // Attendees do not see it.
    let (status, _) = ben.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(status, 403);

    let ben_badge = badge_url(ben, &slug).await;
    assert_eq!(
        scan(chloe, &slug, &ben_badge, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(
        scan(dev, &slug, &ben_badge, "connect").await["outcome"],
        "connected"
    );
    assert_eq!(
        scan(ada, &slug, &ben_badge, "check_in").await["outcome"],
        "checked_in"
    );
    assert_eq!(
        scan(chloe, &slug, "ZZZZ-ZZZZ", "connect").await["outcome"],
        "unknown"
    );
    let (status, _) = dev.call_json("people_to_meet", &[("slug", &slug)]).await;
    assert_eq!(status, 200);
    let chloe_id = user_id(chloe).await;
    let (status, _) = dev
        .call_json(
            "answer_recommendation",
            &[
                ("slug", &slug),
                ("user_id", &chloe_id),
                ("answer", "interested"),
            ],
        )
        .await;
    assert_eq!(status, 200);

    let (status, d) = ada.call_json("dashboard", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["members"], 5);
    assert_eq!(
        d["by_role"],
        serde_json::json!([["organizer", 1], ["staff", 0], ["attendee", 4]])
    );
    assert_eq!(d["checked_in"], 1);
    assert_eq!(d["connections"], 2);
    assert_eq!(d["scans"], 4);
    // All within the last hour or two (the test may straddle an hour).
    let total = |bars: &Value| -> u64 {
        bars.as_array()
            .unwrap()
            .iter()
            .map(|b| b[1].as_u64().unwrap())
            .sum()
    };
    assert!(
        d["connections_per_hour"].as_array().unwrap().len() <= 2,
        "{d}"
    );
    assert_eq!(total(&d["connections_per_hour"]), 2);
    assert_eq!(total(&d["scans_per_hour"]), 4);
    assert_eq!(bar(&d["scan_outcomes"], "You are connected"), 2);
    assert_eq!(bar(&d["scan_outcomes"], "Checked in"), 1);
    assert_eq!(bar(&d["scan_outcomes"], "This badge is not valid"), 1);
    // Ben, Chloe and Dev of five members are connected, in one group.
    assert_eq!(d["health"]["connected_pct"], 60);
    assert_eq!(d["health"]["average"], 0.8);
    assert_eq!(d["health"]["largest_group_pct"], 60);
    // Tags of members who opted out are not counted.
    let top = d["top_tags"].as_array().unwrap();
    assert_eq!(top[0][0], "interest");
    assert_eq!(bar(&top[0][1], "rust"), 2);
    assert_eq!(bar(&top[1][1], "mentoring"), 1, "offer");
    assert_eq!(bar(&top[2][1], "mentoring"), 1, "seek");
    assert_eq!(bar(&d["funnel"], "Interested"), 1);
    assert!(bar(&d["funnel"], "Recommended") >= 1, "{d}");
    assert_eq!(bar(&d["funnel"], "Mutual interest"), 0);

    // Exports: attendees for organizers only (emails), statistics as CSV.
    let res = ben
        .call(
            "update_profile",
            &[
                ("profile[display_name]", "Ben"),
                ("profile[company]", "=1+1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let attendees = ada.get(&format!("/e/{slug}/export/attendees.csv")).await;
    assert_eq!(attendees.status().as_u16(), 200);
    let attendees = attendees.text().await.unwrap();
    let lines: Vec<&str> = attendees.lines().collect();
    assert_eq!(
        lines[0],
        "name,email,role,company,job_title,joined_at,checked_in_at,networking"
    );
    assert_eq!(lines.len(), 6, "{attendees}");
    let ben_line = lines.iter().find(|l| l.starts_with("Ben,")).unwrap();
    assert!(
        ben_line.contains("ben@example.org,attendee,'=1+1"),
        "{ben_line}"
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("Eve,") && l.ends_with("opted out")));
    let refused = ben.get(&format!("/e/{slug}/export/attendees.csv")).await;
    assert_eq!(refused.status().as_u16(), 403);
    let stats = ada
        .get(&format!("/e/{slug}/export/statistics.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(stats.starts_with("section,name,value\n"), "{stats}");
    assert!(stats.contains("totals,connections,2\n"), "{stats}");
    assert!(stats.contains("funnel,Interested,1\n"), "{stats}");
    assert!(stats.contains("top tags: interest,rust,2\n"), "{stats}");

    // The page renders it as charts with text alternatives.
    let html = ada
        .get(&format!("/e/{slug}/dashboard"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Connections per hour"), "{html}");
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<table>"));
}
on_both_backends!(dashboard_metrics_match_a_known_event, metrics);
