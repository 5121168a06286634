//! Announcements over real HTTP, on SQLite and (when given) PostgreSQL:
//! organizers post, members read them on the event page, everyone else is
//! refused, bad input is refused whole.

use crate::common::{event_with, spawn_app, Backend};

async fn announcements(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (slug, people) = event_with(app, &["Ben"]).await;
    let (ada, ben) = (&people[0], &people[1]);
    let stranger = ada.other_client();
    stranger.signup("Eve", "eve@example.org").await;

    for (who, status) in [(ben, 403), (&stranger, 403)] {
        let (s, _) = who
            .call_json(
                "post_announcement",
                &[("slug", &slug), ("body", "Free pizza")],
            )
            .await;
        assert_eq!(s, status);
    }
    let (s, body) = ada
        .call_json("post_announcement", &[("slug", &slug), ("body", "   ")])
        .await;
    assert_eq!((s, body["detail"]["field"].clone()), (422, "body".into()));
    let long = "x".repeat(1001);
    assert_eq!(
        ada.call_json("post_announcement", &[("slug", &slug), ("body", &long)])
            .await
            .0,
        422
    );
    for body in ["Keynote moved to hall B", "<b>Lunch</b> is served"] {
        let (s, _) = ada
            .call_json("post_announcement", &[("slug", &slug), ("body", body)])
            .await;
        assert_eq!(s, 200);
    }

    let (_, page) = ben.call_json("event_page", &[("slug", &slug)]).await;
    let list = page["announcements"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{page}");
    assert_eq!(
        list[0]["body"], "<b>Lunch</b> is served",
        "newest first, stored as typed"
    );
    assert_eq!(list[0]["author"], "Ada");
    assert_eq!(page["can_announce"], false);
    // Rendered escaped on the page.
    let html = ben.get(&format!("/e/{slug}")).await.text().await.unwrap();
    assert!(
        html.contains("&lt;b&gt;Lunch&lt;/b&gt; is served"),
        "{html}"
    );
    assert!(!html.contains("<b>Lunch</b>"));
}
on_both_backends!(organizers_announce_to_members, announcements);
