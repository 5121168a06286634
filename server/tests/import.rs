//! Attendee import through the real command line (`rapport import`) into
//! a running server's database, on SQLite and (when given) PostgreSQL: the
//! report line by line, existing accounts only added, the outbox, the
//! personal invitation that sets a password, and malformed files changing
//! nothing.

mod common;

use clap::Parser;
use common::{spawn_app, Backend, TestApp, PASSWORD};
use server::cli::{run, Cli};

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
    assert_eq!(
        members(&app, &slug).await,
        ["Ada", "Ben Existing", "Chloe Okafor"]
    );
    // Existing accounts keep their own profile.
    let (_, page) = app.call_json("event_page", &[("slug", &slug)]).await;
    let ben_row = page["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "Ben Existing")
        .unwrap()
        .clone();
    assert_eq!(ben_row["role"], "staff");
    // Importing again changes nothing (already members).
    import(&app, &slug, "name,email\nChloe Okafor,chloe@example.org\n")
        .await
        .unwrap();
    assert_eq!(members(&app, &slug).await.len(), 3);

    // The outbox holds Chloe's personal invitation.
    let letter = std::fs::read_to_string(
        app.data_dir
            .join("outbox")
            .join(&slug)
            .join("chloe@example.org.txt"),
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
