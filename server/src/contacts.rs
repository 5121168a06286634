//! Contact downloads of my connections: all as one vCard file or CSV
//! (`/connections.vcf`, `/connections.csv`; `?event=<slug>` keeps those
//! made at one event, which is an exhibitor's leads list) and one person as a vCard
//! (`/connections/<user id>/vcard`), with exactly the fields the person lets
//! connections see, plus where we met and my own note and labels.
//!
//! vCard is written here (RFC 6350 is a small text format: escaping, CRLF,
//! folding at 75 octets); CSV goes through the `csv` crate, with cells that
//! a spreadsheet would run as a formula defused.

use crate::signed_in::SignedIn;
use app::{api::connections::ConnectionCard, state::AppState};
use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/connections.vcf", get(all_vcards))
        .route("/connections.csv", get(all_csv))
        .route("/connections/{user_id}/vcard", get(one_vcard))
}

/// My connections, or a response that sends me to log in first.
async fn cards_of_caller(
    state: &AppState,
    me: Option<SignedIn>,
    back_to: &str,
) -> Result<Vec<ConnectionCard>, Response> {
    let Some(SignedIn(me)) = me else {
        return Err(crate::redirect::to_login(back_to, None));
    };
    app::service::connections::contact_cards(state, me)
        .await
        .map_err(|e| {
            (
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                e.to_string(),
            )
                .into_response()
        })
}

pub(crate) fn download(content_type: &'static str, filename: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

async fn all_vcards(State(state): State<AppState>, me: Option<SignedIn>) -> Response {
    match cards_of_caller(&state, me, "/connections").await {
        Ok(cards) => download(
            "text/vcard; charset=utf-8",
            "rapport-connections.vcf",
            cards.iter().map(vcard).collect(),
        ),
        Err(r) => r,
    }
}

async fn one_vcard(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Path(user_id): Path<String>,
) -> Response {
    match cards_of_caller(&state, me, "/connections").await {
        Ok(cards) => match cards.iter().find(|c| c.user_id == user_id) {
            Some(card) => download(
                "text/vcard; charset=utf-8",
                &format!("{}.vcf", file_stem(&card.display_name)),
                vcard(card),
            ),
            None => (
                StatusCode::NOT_FOUND,
                "You are not connected with this person.",
            )
                .into_response(),
        },
        Err(r) => r,
    }
}

/// `?event=<slug>`: only the connections made at that event.
#[derive(serde::Deserialize)]
struct AtEvent {
    event: Option<String>,
}

async fn all_csv(
    State(state): State<AppState>,
    me: Option<SignedIn>,
    Query(at): Query<AtEvent>,
) -> Response {
    match cards_of_caller(&state, me, "/connections").await {
        Ok(mut cards) => {
            let name = match &at.event {
                Some(slug) => {
                    cards.retain(|c| c.event.as_ref().is_some_and(|(_, s)| s == slug));
                    format!("rapport-connections-{}.csv", file_stem(slug))
                }
                None => "rapport-connections.csv".to_owned(),
            };
            match csv(&cards) {
                Ok(body) => download("text/csv; charset=utf-8", &name, body),
                Err(e) => {
                    tracing::error!(error = %e, "writing the connections CSV failed");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        Err(r) => r,
    }
}

/// A safe file name from a person's name.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() || !stem.is_ascii() {
        "contact".to_owned()
    } else {
        stem.to_owned()
    }
}

/// Escapes a vCard property value (RFC 6350 §3.4).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Ends a content line with CRLF, folding it at 75 octets without
/// splitting a UTF-8 character (RFC 6350 §3.2).
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// One contact as a vCard 4.0.
pub fn vcard(card: &ConnectionCard) -> String {
    let mut out = String::new();
    let mut line = |l: String| push_line(&mut out, &l);
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line("KIND:individual".into());
    line(format!("UID:urn:uuid:{}", card.user_id));
    line(format!("FN:{}", escape(&card.display_name)));
    if let Some(company) = &card.company {
        line(format!("ORG:{}", escape(company)));
    }
    if let Some(title) = card.job_title.as_ref().or(card.headline.as_ref()) {
        line(format!("TITLE:{}", escape(title)));
    }
    if let Some(email) = &card.email {
        line(format!("EMAIL;TYPE=work:{}", escape(email)));
    }
    if let Some(phone) = &card.phone {
        line(format!("TEL;VALUE=text:{}", escape(phone)));
    }
    for link in &card.links {
        line(format!("URL:{}", escape(link)));
    }
    if !card.note.labels.is_empty() {
        // CATEGORIES is a list: commas separate values, so escape each label.
        let labels: Vec<String> = card
            .note
            .labels
            .split(',')
            .map(|l| escape(l.trim()))
            .collect();
        line(format!("CATEGORIES:{}", labels.join(",")));
    }
    let mut note = match &card.event {
        Some((event, _)) => format!("Met at {event} on {}.", card.connected_on),
        None => format!("Connected on {}.", card.connected_on),
    };
    if let Some(r) = card.note.rating {
        note.push_str(&format!(" Rating: {r}/5."));
    }
    if !card.note.note.is_empty() {
        note.push_str("\n\n");
        note.push_str(&card.note.note);
    }
    line(format!("NOTE:{}", escape(&note)));
    line(format!("REV:{}", card.connected_at));
    line("END:VCARD".into());
    out
}

/// A cell a spreadsheet would run as a formula gets a leading apostrophe
/// (OWASP's advice against CSV injection).
pub(crate) fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// All contacts as CSV, one row each, with a header row.
pub fn csv(cards: &[ConnectionCard]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "name",
        "pronouns",
        "headline",
        "company",
        "job_title",
        "email",
        "phone",
        "links",
        "event",
        "connected_at",
        "method",
        "rating",
        "labels",
        "note",
    ])?;
    for c in cards {
        let rating = c.note.rating.map(|r| r.to_string()).unwrap_or_default();
        let row = [
            c.display_name.as_str(),
            &c.pronouns,
            c.headline.as_deref().unwrap_or_default(),
            c.company.as_deref().unwrap_or_default(),
            c.job_title.as_deref().unwrap_or_default(),
            c.email.as_deref().unwrap_or_default(),
            c.phone.as_deref().unwrap_or_default(),
            &c.links.join(" "),
            c.event
                .as_ref()
                .map(|(n, _)| n.as_str())
                .unwrap_or_default(),
            &c.connected_at,
            c.method.as_str(),
            &rating,
            &c.note.labels,
            &c.note.note,
        ];
        w.write_record(row.iter().map(|cell| defuse(cell)))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("csv writes the UTF-8 it was given"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::{api::badges::NoteView, domain::ConnectionMethod};

    fn card() -> ConnectionCard {
        ConnectionCard {
            user_id: "6f1c2f4e-8a4b-4c1e-9d7a-0b5e2c3d4f5a".into(),
            display_name: "Zoë O'Neil; CTO".into(),
            pronouns: "she/her".into(),
            headline: Some("Builds, ships".into()),
            company: Some("=HYPERLINK(\"http://evil\")".into()),
            job_title: None,
            email: Some("zoe@example.org".into()),
            phone: None,
            links: vec!["https://zoe.example.org".into()],
            photo_url: None,
            event: Some(("RustConf".into(), "rustconf-ab12".into())),
            method: ConnectionMethod::Scanner,
            connected_at: "2026-05-14T09:14:00+00:00".into(),
            connected_on: "May 14, 2026".into(),
            note: NoteView {
                note: "Talked about sqlx,\nwants an intro".into(),
                rating: Some(4),
                labels: "lead, follow up".into(),
            },
        }
    }

    #[test]
    fn a_vcard_escapes_values_and_ends_lines_with_crlf() {
        let v = vcard(&card());
        assert!(v.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{v}");
        assert!(v.ends_with("END:VCARD\r\n"));
        assert!(v.contains("FN:Zoë O'Neil\\; CTO\r\n"), "{v}");
        assert!(v.contains("EMAIL;TYPE=work:zoe@example.org\r\n"));
        assert!(v.contains("CATEGORIES:lead,follow up\r\n"), "{v}");
        // Folding may fall anywhere; readers unfold before unescaping.
        let unfolded = v.replace("\r\n ", "");
        assert!(
            unfolded.contains("Talked about sqlx\\,\\nwants an intro"),
            "{v}"
        );
        assert!(!v.contains("TEL"), "hidden phone is not exported");
        assert!(v.split("\r\n").all(|l| l.len() <= 75), "folded: {v}");
    }

    #[test]
    fn long_lines_fold_without_splitting_characters() {
        let mut out = String::new();
        push_line(&mut out, &format!("NOTE:{}", "é".repeat(60)));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() <= 75));
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("NOTE:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn csv_has_a_header_quotes_commas_and_defuses_formulas() {
        let text = csv(&[card()]).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let headers = r.headers().unwrap().clone();
        assert_eq!(&headers[0], "name");
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "Zoë O'Neil; CTO");
        assert_eq!(&row[3], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(&row[13], "Talked about sqlx,\nwants an intro");
        assert_eq!(&row[10], "scanner");
    }
}
