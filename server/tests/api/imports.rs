//! Attendee import on SQLite and (when given) PostgreSQL, through the real
//! command line (`rapport import`) into a running server's database and
//! through the browser's upload form: the report line by line, everyone
//! only invited (nobody a member, nor given a role, before accepting), the
//! same answer for an address with an account and one without, the dry run
//! that writes nothing, the outbox and its listing, SMTP delivery to a
//! small SMTP receiver started by the test, an unreachable mail server
//! recorded as failed without failing the import, the personal invitation
//! that sets a password (and accepts), and malformed files changing
//! nothing.

use crate::common;
use crate::common::{spawn_app, spawn_app_with, Backend, TestApp, PASSWORD};
use clap::Parser;
use serde_json::Value;
use server::cli::{run, Cli};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

async fn import(app: &TestApp, slug: &str, csv: &str) -> anyhow::Result<()> {
    let file = app.data_dir.join("import.csv");
    std::fs::write(&file, csv).unwrap();
    let cli = Cli::parse_from([
        "rapport",
        "--database-url",
        &app.database_url,
        "--data-dir",
        app.data_dir.to_str().unwrap(),
        "import",
        "--event",
        slug,
        file.to_str().unwrap(),
    ]);
    run(cli).await
}

async fn members(app: &TestApp, slug: &str) -> Vec<String> {
    let (_, page) = app.call_json("event_page", &[("slug", slug)]).await;
    let mut names: Vec<String> = page["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn import_flow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let slug = app.create_event("Conf").await;
    let ben = app.other_client();
    ben.signup("Ben Existing", "ben@example.org").await;

    // Malformed files are refused whole: nothing is imported.
    assert!(import(&app, &slug, "name,phone\nZoe,123\n").await.is_err());
    assert!(
        import(&app, &slug, "name,email\n\u{0}\u{0}").await.is_ok(),
        "a NUL is text, just a bad row"
    );
    let bad_utf8 = app.data_dir.join("latin1.csv");
    std::fs::write(&bad_utf8, b"name,email\nJos\xe9,jose@example.org\n").unwrap();
    let cli = Cli::parse_from([
        "rapport",
        "--database-url",
        &app.database_url,
        "--data-dir",
        app.data_dir.to_str().unwrap(),
        "import",
        "--event",
        &slug,
        bad_utf8.to_str().unwrap(),
    ]);
    let err = run(cli).await.unwrap_err().to_string();
    assert!(err.contains("UTF-8"), "{err}");
    assert_eq!(members(&app, &slug).await, ["Ada"]);

    import(
        &app,
        &slug,
        "Name,Email,Role,Company,Tags\n\
         Chloe Okafor,chloe@example.org,,=Evil Corp,\"rust, offer:mentoring\"\n\
         Ben Again,BEN@example.org,staff,,\n\
         Dev,dev@example.org,wizard,,\n\
         Eve,chloe@example.org,,,\n",
    )
    .await
    .unwrap();
    // Invited, not members: nobody joins before accepting.
    assert_eq!(members(&app, &slug).await, ["Ada"]);
    // Ben accepts on his events page: exactly the imported role, and his
    // own profile (the file's "Ben Again" is not his name).
    let (_, waiting) = ben.call_json("my_invitations", &[]).await;
    assert_eq!(waiting[0]["role"], "staff", "{waiting}");
    let (status, body) = ben
        .call_json(
            "answer_invitation",
            &[("slug", &slug), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(members(&app, &slug).await, ["Ada", "Ben Existing"]);
    let (_, page) = app.call_json("event_page", &[("slug", &slug)]).await;
    let ben_row = page["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "Ben Existing")
        .unwrap()
        .clone();
    assert_eq!(ben_row["role"], "staff");
    // Importing a member again changes nothing.
    import(&app, &slug, "name,email\nBen,ben@example.org\n")
        .await
        .unwrap();
    assert_eq!(members(&app, &slug).await.len(), 2);

    // The outbox holds Chloe's personal invitation.
    let letter = std::fs::read_to_string(
        app.data_dir
            .join("outbox")
            .join(&slug)
            .join("chloe@example.org.eml"),
    )
    .unwrap();
    let link = letter
        .split_whitespace()
        .find(|w| w.contains("/claim/"))
        .unwrap()
        .to_owned();
    let token = link.rsplit('/').next().unwrap();

    // Chloe sets her password from the link and is signed in.
    let chloe = app.other_client();
    let (status, info) = chloe.call_json("claim_info", &[("token", token)]).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["display_name"], "Chloe Okafor");
    let (status, body) = chloe
        .call_json("claim_account", &[("token", token), ("password", "short")])
        .await;
    assert_eq!(
        (status, body["detail"]["field"].clone()),
        (422, "password".into())
    );
    let res = chloe
        .call("claim_account", &[("token", token), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (status, _) = chloe.call_json("event_page", &[("slug", &slug)]).await;
    assert_eq!(status, 200, "signed in and a member");
    let (_, me) = chloe.call_json("my_profile", &[]).await;
    assert_eq!(me["form"]["company"], "=Evil Corp", "stored as typed");
    assert_eq!(me["tags"].as_array().unwrap().len(), 2);
    // The link works once; the password works for logging in.
    let (status, _) = chloe.call_json("claim_info", &[("token", token)]).await;
    assert_eq!(status, 404);
    let again = app.other_client();
    let (status, _) = again
        .call_json(
            "login",
            &[("email", "chloe@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200);
    // Before claiming, an imported account cannot be logged into.
    let (status, _) = again
        .call_json(
            "login",
            &[("email", "dev@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 401, "Dev was skipped (bad role), so no account");
}
on_both_backends!(attendees_import_from_csv_through_the_cli, import_flow);

/// Uploads `bytes` as the import form does; returns where it leads
/// (`/e/<slug>/import/<upload>` or the form with `?error=`).
async fn upload(app: &TestApp, slug: &str, bytes: Vec<u8>) -> String {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name("attendees.csv")
        .mime_str("text/csv")
        .unwrap();
    let res = app
        .client
        .post(format!("{}/e/{slug}/import", app.base))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        303,
        "the form answers with a redirect"
    );
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn upload_id(location: &str) -> String {
    assert!(location.contains("/import/"), "not a preview: {location}");
    location.rsplit('/').next().unwrap().to_owned()
}

fn error_of(location: &str) -> String {
    let query = location
        .split_once("?error=")
        .unwrap_or_else(|| panic!("no error in {location}"))
        .1;
    url::form_urlencoded::parse(format!("e={query}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned()
}

async fn preview(app: &TestApp, slug: &str, id: &str) -> Value {
    let (status, body) = app
        .call_json("import_preview", &[("slug", slug), ("upload", id)])
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The upload once its import (which runs in the background) is done.
async fn finished(app: &TestApp, slug: &str, id: &str) -> Value {
    for _ in 0..400 {
        let upload = preview(app, slug, id).await;
        if upload["done"] == true {
            return upload;
        }
        assert_eq!(upload["running"], true, "{upload}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

/// The event's invitations once none is pending any more (delivery runs
/// in the background; this waits for it, it does not time it).
async fn settled_invitations(app: &TestApp, slug: &str) -> Vec<Value> {
    for _ in 0..400 {
        let (status, page) = app.call_json("import_page", &[("slug", slug)]).await;
        assert_eq!(status, 200, "{page}");
        let list = page["invitations"].as_array().unwrap().clone();
        if list.iter().all(|i| i["status"] != "pending") {
            return list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("invitations still pending");
}

const GOOD: &str = "name,email,role,tags\n\
    Chloe Okafor,chloe@example.org,,rust\n\
    Ben Again,ben@example.org,staff,\n\
    Dev,dev@example.org,wizard,\n\
    Eve,eve@example.org,,\n";

async fn browser_flow(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let slug = app.create_event("Conf").await;
    let ben = app.other_client();
    ben.signup("Ben Existing", "ben@example.org").await;

    // Malformed files go back to the form with the reason; nothing changes.
    let refused = [
        (b"name,phone\nZoe,123\n".to_vec(), "\"email\""),
        (b"name,email\nJos\xe9,jose@example.org\n".to_vec(), "UTF-8"),
        (b"name,email,name\nA,a@b.org,B\n".to_vec(), "twice"),
        (b"".to_vec(), "Choose a CSV file"),
    ];
    for (bytes, reason) in refused {
        let location = upload(&app, &slug, bytes).await;
        let error = error_of(&location);
        assert!(error.contains(reason), "{error}");
        assert!(location.starts_with(&format!("/e/{slug}/import?")));
    }
    // Too many rows: refused before anything is written, with a clear reason.
    let mut big = String::from("name,email\n");
    for i in 0..=app::api::imports::MAX_ROWS {
        big.push_str(&format!("P{i},p{i}@example.org\n"));
    }
    let error = error_of(&upload(&app, &slug, big.into_bytes()).await);
    assert!(error.contains("more than"), "{error}");
    // Too many bytes.
    let huge = vec![b'a'; app::api::imports::MAX_UPLOAD_BYTES + 10];
    let error = error_of(&upload(&app, &slug, huge).await);
    assert!(error.contains("larger than"), "{error}");
    assert_eq!(members(&app, &slug).await, ["Ada"]);

    // Only organizers upload, preview, confirm and see the invitations.
    ben.call_json("join_by_code", &[("code", &join_code(&app, &slug).await)])
        .await;
    let error = error_of(&upload(&ben, &slug, GOOD.as_bytes().to_vec()).await);
    assert!(error.contains("organizers"), "{error}");
    assert_eq!(
        ben.call_json("import_page", &[("slug", &slug)]).await.0,
        403
    );
    ben.store
        .remove_member(event_id(&app, &slug).await, ben_id(&ben).await)
        .await
        .unwrap();

    // The dry run: the planned report, nothing written.
    let location = upload(&app, &slug, GOOD.as_bytes().to_vec()).await;
    let id = upload_id(&location);
    let html = app.get(&location).await.text().await.unwrap();
    assert!(
        html.contains("Check before importing") && html.contains("Import now"),
        "{html}"
    );
    let dry = preview(&app, &slug, &id).await;
    assert_eq!(dry["done"], false);
    assert_eq!(dry["report"]["invited"], 3, "{dry}");
    let skipped = dry["report"]["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0][0], 4);
    assert!(skipped[0][1].as_str().unwrap().contains("Role"));
    assert_eq!(
        members(&app, &slug).await,
        ["Ada"],
        "a dry run writes nothing"
    );
    assert_eq!(
        ben.call_json("import_preview", &[("slug", &slug), ("upload", &id)])
            .await
            .0,
        403
    );
    assert_eq!(
        ben.call_json("confirm_import", &[("slug", &slug), ("upload", &id)])
            .await
            .0,
        403
    );
    // Another event's organizer cannot reach this upload through their event.
    let other = app.create_event("Other").await;
    assert_eq!(
        app.call_json("import_preview", &[("slug", &other), ("upload", &id)])
            .await
            .0,
        404
    );

    // Confirmed: imported once, whatever the number of clicks.
    let (status, body) = app
        .call_json("confirm_import", &[("slug", &slug), ("upload", &id)])
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app
        .call_json("confirm_import", &[("slug", &slug), ("upload", &id)])
        .await;
    assert_eq!(status, 409);
    let done = finished(&app, &slug, &id).await;
    assert_eq!(done["done"], true);
    assert_eq!(done["report"]["invited"], 3, "{done}");
    assert_eq!(
        members(&app, &slug).await,
        ["Ada"],
        "invited, not members before accepting"
    );

    // No SMTP: every invitation is in the outbox, as a file and on the page.
    let (_, page) = app.call_json("import_page", &[("slug", &slug)]).await;
    assert_eq!(page["sends_mail"], false);
    let list = settled_invitations(&app, &slug).await;
    let emails: Vec<&str> = list.iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        ["ben@example.org", "chloe@example.org", "eve@example.org"]
    );
    assert!(list.iter().all(|i| i["status"] == "outbox"), "{list:?}");
    let chloe = list
        .iter()
        .find(|i| i["email"] == "chloe@example.org")
        .unwrap();
    let link = chloe["link"].as_str().unwrap();
    assert!(link.contains("/claim/"), "{link}");
    let letter = std::fs::read_to_string(
        app.data_dir
            .join("outbox")
            .join(&slug)
            .join("chloe@example.org.eml"),
    )
    .unwrap();
    assert!(letter.contains(link), "{letter}");
    assert!(
        letter.contains("To: \"Chloe Okafor\" <chloe@example.org>"),
        "{letter}"
    );
    let html = app
        .get(&format!("/e/{slug}/import"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Invitations not sent by mail"));
    assert!(html.contains(link), "the page lists the link");
    // The link works: Chloe sets her password.
    let token = link.rsplit('/').next().unwrap();
    let claimer = app.other_client();
    let (status, _) = claimer.call_json("claim_info", &[("token", token)]).await;
    assert_eq!(status, 200);

    // Sending again rewrites the outbox file.
    std::fs::remove_file(
        app.data_dir
            .join("outbox")
            .join(&slug)
            .join("chloe@example.org.eml"),
    )
    .unwrap();
    let (status, body) = app
        .call_json(
            "resend_invitation",
            &[
                ("slug", &slug),
                ("invitation", chloe["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    settled_invitations(&app, &slug).await;
    assert!(app
        .data_dir
        .join("outbox")
        .join(&slug)
        .join("chloe@example.org.eml")
        .exists());
}
on_both_backends!(
    attendees_import_from_the_browser_with_a_dry_run,
    browser_flow
);

async fn join_code(app: &TestApp, slug: &str) -> String {
    let (_, page) = app.call_json("event_page", &[("slug", slug)]).await;
    page["invitation"]["join_code"].as_str().unwrap().to_owned()
}

async fn event_id(app: &TestApp, slug: &str) -> app::domain::EventId {
    app.store
        .event_by_slug(&app::domain::Slug::parse(slug).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn ben_id(ben: &TestApp) -> app::domain::UserId {
    app::domain::UserId(common::user_id(ben).await.parse().unwrap())
}

/// A minimal SMTP receiver on port 0: accepts every message and keeps
/// each one's envelope recipients and data.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let (mut envelope, mut data) = (String::new(), None::<String>);
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(format!("{envelope}\n{body}"));
                            envelope.clear();
                            data = None;
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.to_ascii_uppercase();
                    let reply: &[u8] = if verb.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if verb.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go on\r\n"
                    } else if verb.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        if verb.starts_with("RCPT") {
                            envelope.push_str(&line);
                        }
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}

async fn import_and_settle(app: &TestApp, slug: &str, csv: &str) -> Vec<Value> {
    let id = upload_id(&upload(app, slug, csv.as_bytes().to_vec()).await);
    let (status, body) = app
        .call_json("confirm_import", &[("slug", slug), ("upload", &id)])
        .await;
    assert_eq!(status, 200, "{body}");
    finished(app, slug, &id).await;
    settled_invitations(app, slug).await
}

async fn smtp_flow(backend: Backend) {
    let (port, received) = smtp_sink().await;
    let Some(app) = spawn_app_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = Some("Rapport <events@example.org>".into());
    })
    .await
    else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let slug = app.create_event("Conf").await;
    let list = import_and_settle(
        &app,
        &slug,
        "name,email\nChloe,chloe@example.org\nEve,eve@example.org\n",
    )
    .await;
    assert!(list.iter().all(|i| i["status"] == "mailed"), "{list:?}");
    let (_, page) = app.call_json("import_page", &[("slug", &slug)]).await;
    assert_eq!(page["sends_mail"], true);
    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 2, "{mails:?}");
    let chloe = list
        .iter()
        .find(|i| i["email"] == "chloe@example.org")
        .unwrap();
    let to_chloe = mails
        .iter()
        .find(|m| m.contains("<chloe@example.org>"))
        .unwrap();
    assert!(
        to_chloe.contains(chloe["link"].as_str().unwrap()),
        "{to_chloe}"
    );
    assert!(
        to_chloe.contains("From: Rapport <events@example.org>"),
        "{to_chloe}"
    );
    assert!(!app.data_dir.join("outbox").exists(), "mailed, not filed");
}
on_both_backends!(invitations_go_out_by_smtp_when_configured, smtp_flow);

async fn unreachable_smtp_flow(backend: Backend) {
    // A port nobody listens on any more.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let Some(app) = spawn_app_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = Some("events@example.org".into());
    })
    .await
    else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let slug = app.create_event("Conf").await;
    let list = import_and_settle(&app, &slug, "name,email\nChloe,chloe@example.org\n").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "failed", "{list:?}");
    assert!(!list[0]["detail"].as_str().unwrap().is_empty());
    let (_, again) = app.call_json("import_page", &[("slug", &slug)]).await;
    assert_eq!(
        again["invitations"].as_array().unwrap().len(),
        1,
        "the import itself stands"
    );
    let html = app
        .get(&format!("/e/{slug}/import"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sending failed"), "the organizer sees it");
    // Sending again is possible (and fails again, for the same reason).
    let (status, _) = app
        .call_json(
            "resend_invitation",
            &[
                ("slug", &slug),
                ("invitation", list[0]["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        settled_invitations(&app, &slug).await[0]["status"],
        "failed"
    );
}
on_both_backends!(
    an_unreachable_mail_server_is_recorded_not_fatal,
    unreachable_smtp_flow
);

/// The import's answer with what differs by construction (the address
/// itself and the random token of each link) taken out.
fn shape_of(report: &Value) -> Value {
    let mut r = report.clone();
    for i in r["invitations"].as_array_mut().unwrap() {
        let link = i[2].as_str().unwrap().to_owned();
        let (path, token) = link.rsplit_once('/').unwrap_or(("", ""));
        i[1] = Value::String("<email>".into());
        i[2] = Value::String(format!("{path}/<{} characters>", token.len()));
    }
    r
}

/// Issue 15, item 5: importing `Anyone,<someone's email>,organizer` used to
/// make that account an organizer of the importer's event without asking,
/// show its profile there, and answer `updated: 1` (so the account exists).
/// Now the account is only invited: not a member, no role, nothing of its
/// profile in the event until its owner accepts; the answer (dry run and
/// result) reads exactly as for an address nobody uses.
async fn no_takeover(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let known = app.create_event("Known").await;
    let unknown = app.create_event("Unknown").await;
    let ben = app.other_client();
    ben.signup("Ben Existing", "ben@example.org").await;

    let run = |slug: String, email: &'static str| {
        let app = &app;
        async move {
            let csv = format!("name,email,role\nAnyone,{email},organizer\n");
            let id = upload_id(&upload(app, &slug, csv.into_bytes()).await);
            let dry = preview(app, &slug, &id).await["report"].clone();
            let (status, body) = app
                .call_json("confirm_import", &[("slug", &slug), ("upload", &id)])
                .await;
            assert_eq!(status, 200, "{body}");
            let done = finished(app, &slug, &id).await["report"].clone();
            (dry, done)
        }
    };
    let (dry_known, done_known) = run(known.clone(), "ben@example.org").await;
    let (dry_unknown, done_unknown) = run(unknown.clone(), "nobody@example.org").await;
    assert_eq!(done_known["invited"], 1, "{done_known}");
    assert_eq!(shape_of(&dry_known), shape_of(&dry_unknown));
    assert_eq!(shape_of(&done_known), shape_of(&done_unknown));
    assert!(done_known.get("updated").is_none() && done_known.get("created").is_none());

    // Nothing happened to Ben's account in the event.
    assert_eq!(members(&app, &known).await, ["Ada"]);
    assert_eq!(
        ben.call_json("event_page", &[("slug", &known)]).await.0,
        403
    );
    let (_, mine) = ben.call_json("my_events", &[]).await;
    assert_eq!(mine, serde_json::json!([]));
    let (_, settings) = app.call_json("event_settings", &[("slug", &known)]).await;
    assert_eq!(settings["members_found"], 1);
    let res = app.get(&format!("/e/{known}/export/attendees.csv")).await;
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.unwrap();
    assert!(
        !csv.contains("ben@example.org") && !csv.contains("Ben"),
        "{csv}"
    );
    // The invitation waits on Ben's events page, and in the mail.
    let (_, waiting) = ben.call_json("my_invitations", &[]).await;
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(waiting[0]["event"]["slug"], known.as_str());
    assert_eq!(waiting[0]["role"], "organizer");
    let html = ben.get("/events").await.text().await.unwrap();
    assert!(
        html.contains("Invitations") && html.contains("Accept"),
        "{html}"
    );
    // Only Ben can answer it.
    let (status, _) = app
        .call_json(
            "answer_invitation",
            &[("slug", &known), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, 404);
}
on_both_backends!(
    an_import_invites_existing_accounts_and_never_tells_they_exist,
    no_takeover
);

/// Accepting gives exactly the imported role (and nothing else: the
/// account keeps its own name); declining leaves nothing behind, and the
/// invitation cannot be answered twice.
async fn accept_and_decline(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let first = app.create_event("First").await;
    let second = app.create_event("Second").await;
    let ben = app.other_client();
    ben.signup("Ben Existing", "ben@example.org").await;
    import(
        &app,
        &first,
        "name,email,role\nAnyone,ben@example.org,staff\n",
    )
    .await
    .unwrap();
    import(
        &app,
        &second,
        "name,email,role\nAnyone,ben@example.org,organizer\n",
    )
    .await
    .unwrap();

    // The personal link asks Ben to log in and answer; it shows no name.
    let list = settled_invitations(&app, &first).await;
    let link = list[0]["link"].as_str().unwrap();
    let token = link.rsplit('/').next().unwrap();
    let (status, info) = app
        .other_client()
        .call_json("claim_info", &[("token", token)])
        .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(
        (
            info["answer_signed_in"].clone(),
            info["role"].clone(),
            info["email"].clone()
        ),
        (true.into(), "staff".into(), "".into())
    );
    let (_, info) = ben.call_json("claim_info", &[("token", token)]).await;
    assert_eq!(info["signed_in_as_invited"], true);
    // An answer that is neither is refused.
    let (status, _) = ben
        .call_json(
            "answer_invitation",
            &[("slug", &first), ("answer", "maybe")],
        )
        .await;
    assert_eq!(status, 422);

    let res = ben
        .call(
            "answer_invitation",
            &[("slug", &first), ("answer", "accept")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (_, settings) = app.call_json("event_settings", &[("slug", &first)]).await;
    let ben_row = settings["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "Ben Existing")
        .cloned()
        .unwrap_or_else(|| panic!("Ben keeps his own name: {settings}"));
    assert_eq!(ben_row["role"], "staff", "exactly the imported role");
    let (status, _) = ben
        .call_json(
            "answer_invitation",
            &[("slug", &first), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, 404, "answered once");

    let (status, body) = ben
        .call_json(
            "answer_invitation",
            &[("slug", &second), ("answer", "decline")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(members(&app, &second).await, ["Ada"]);
    assert_eq!(
        ben.call_json("event_page", &[("slug", &second)]).await.0,
        403
    );
    let (_, waiting) = ben.call_json("my_invitations", &[]).await;
    assert_eq!(waiting, serde_json::json!([]), "nothing left");
    let (_, mine) = ben.call_json("my_events", &[]).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "only the accepted event");
    let (status, _) = ben
        .call_json(
            "answer_invitation",
            &[("slug", &second), ("answer", "accept")],
        )
        .await;
    assert_eq!(
        status, 404,
        "a declined invitation cannot be accepted later"
    );
}
on_both_backends!(
    accepting_gives_exactly_the_imported_role_and_declining_leaves_nothing,
    accept_and_decline
);

/// A new account imported as staff: the claim page shows the role, and
/// setting the password is what accepts it. A removed person is not
/// invited back by an import.
async fn claim_accepts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.signup("Ada", "ada@example.org").await;
    let slug = app.create_event("Conf").await;
    import(
        &app,
        &slug,
        "name,email,role\nNew Person,new@example.org,staff\n",
    )
    .await
    .unwrap();
    assert_eq!(members(&app, &slug).await, ["Ada"], "not before claiming");
    let list = settled_invitations(&app, &slug).await;
    let token = list[0]["link"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let newcomer = app.other_client();
    let (_, info) = newcomer.call_json("claim_info", &[("token", &token)]).await;
    assert_eq!(info["role"], "staff", "{info}");
    assert_eq!(info["answer_signed_in"], false);
    let html = newcomer
        .get(&format!("/claim/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("as staff"),
        "the claim page shows the role: {html}"
    );
    let (status, body) = newcomer
        .call_json(
            "claim_account",
            &[("token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, settings) = app.call_json("event_settings", &[("slug", &slug)]).await;
    let row = settings["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "New Person")
        .cloned()
        .unwrap();
    assert_eq!(row["role"], "staff");

    // Removed: an import does not bring them back (the organizers know
    // them, so the report may say why).
    let id = row["user_id"].as_str().unwrap().to_owned();
    let (status, _) = app
        .call_json(
            "update_member",
            &[("slug", &slug), ("user_id", &id), ("action", "remove")],
        )
        .await;
    assert_eq!(status, 200);
    let location = upload(
        &app,
        &slug,
        b"name,email\nNew Person,new@example.org\n".to_vec(),
    )
    .await;
    let dry = preview(&app, &slug, &upload_id(&location)).await;
    assert_eq!(dry["report"]["invited"], 0, "{dry}");
    assert!(dry["report"]["skipped"][0][1]
        .as_str()
        .unwrap()
        .contains("let them back in"));
}
on_both_backends!(
    a_new_accounts_claim_shows_and_accepts_its_role,
    claim_accepts
);
