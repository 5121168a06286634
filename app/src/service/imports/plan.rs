//! Reading an import file: the rules for what a CSV file of attendees
//! means, applied to the whole file before anything is written (see
//! [`super`] for what an import then does). The file must be UTF-8 CSV
//! (a byte-order mark is fine) with a header row naming at least `name`
//! and `email`; `role`, `company` and `tags` are read too, under a few
//! spellings each, and other columns are reported and ignored. Each line
//! becomes a valid [`ImportRow`] or a skip with its line number and
//! reason; a file that cannot be read as a whole (not UTF-8, not CSV, no
//! such header, a column twice, too many rows) is refused, so a malformed
//! file changes nothing. It is the CLI's, the browser's and `/api/v1`'s
//! one reader.

use crate::{
    domain::{Email, PersonName, Role, TagSet},
    error::AppError,
};

/// At most this many rows per file: a conference's attendee list fits,
/// and the server keeps answering others while it imports. Bigger files
/// are refused before anything is written (split them).
pub const MAX_ROWS: usize = 20_000;

/// At most this many bytes per uploaded file (20,000 rows of a generous
/// 200 bytes each).
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

/// One valid line of an import file.
#[derive(Clone, Debug)]
pub struct ImportRow {
    pub line: u64,
    pub name: PersonName,
    pub email: Email,
    pub role: Role,
    pub company: String,
    pub tags: TagSet,
}

/// A file read and checked, before anything is written.
#[derive(Clone, Debug, Default)]
pub struct ImportPlan {
    pub rows: Vec<ImportRow>,
    pub skipped: Vec<(u64, String)>,
    pub ignored_columns: Vec<String>,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::Invalid {
        field: "file".into(),
        message: message.into(),
    }
}

/// Which column of the header holds what.
#[derive(Default)]
struct Columns {
    name: Option<usize>,
    email: Option<usize>,
    role: Option<usize>,
    company: Option<usize>,
    tags: Option<usize>,
}

/// "rust, offer:mentoring, seek:a job" → a tag set (no prefix: interest).
fn parse_tags(raw: &str) -> Result<TagSet, String> {
    let (mut interest, mut offer, mut seek) = (Vec::new(), Vec::new(), Vec::new());
    for item in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let lower = item.to_lowercase();
        if let Some(t) = lower.strip_prefix("offer:") {
            offer.push(t.trim().to_owned());
        } else if let Some(t) = lower.strip_prefix("seek:") {
            seek.push(t.trim().to_owned());
        } else if let Some(t) = lower.strip_prefix("interest:") {
            interest.push(t.trim().to_owned());
        } else {
            interest.push(lower);
        }
    }
    TagSet::parse(&interest.join(","), &offer.join(","), &seek.join(",")).map_err(|e| e.message)
}

/// Reads and checks a whole import file (see the module documentation).
pub fn plan_import(bytes: &[u8]) -> Result<ImportPlan, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        refused(format!(
            "The file is not UTF-8 text (first bad byte at position {}). Save it as \"CSV UTF-8\" and try again.",
            e.valid_up_to()
        ))
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| refused(format!("The header row could not be read: {e}.")))?
        .clone();
    let mut columns = Columns::default();
    let mut ignored_columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let key = h.trim().to_lowercase().replace(['_', '-'], " ");
        let slot = match key.as_str() {
            "name" | "full name" | "display name" => &mut columns.name,
            "email" | "e mail" | "email address" => &mut columns.email,
            "role" => &mut columns.role,
            "company" | "organisation" | "organization" => &mut columns.company,
            "tags" | "interests" => &mut columns.tags,
            _ => {
                if !h.trim().is_empty() {
                    ignored_columns.push(h.trim().to_owned());
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(refused(format!(
                "The column \"{}\" appears twice.",
                h.trim()
            )));
        }
        *slot = Some(i);
    }
    let (Some(name_at), Some(email_at)) = (columns.name, columns.email) else {
        return Err(refused(format!(
            "The header row must name the columns \"name\" and \"email\" (found: {}).",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let mut plan = ImportPlan {
        ignored_columns,
        ..ImportPlan::default()
    };
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| refused(format!("The file is not valid CSV: {e}.")))?;
        let line = record.position().map_or(0, |p| p.line());
        if plan.rows.len() + plan.skipped.len() >= MAX_ROWS {
            return Err(refused(format!(
                "The file has more than {MAX_ROWS} rows; split it into smaller files."
            )));
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or_default();
        let row = (|| {
            let email = Email::parse(cell(Some(email_at))).map_err(|e| e.message)?;
            if let Some(first) = seen.get(email.as_str()) {
                return Err(format!("The same email as line {first}."));
            }
            let name = PersonName::parse("name", cell(Some(name_at))).map_err(|e| e.message)?;
            let role = match cell(columns.role) {
                "" => Role::Attendee,
                r => Role::parse(r).map_err(|e| e.message)?,
            };
            let company =
                crate::domain::OneLineText::<0, 100>::parse("company", cell(columns.company))
                    .map_err(|e| e.message)?
                    .into_inner();
            let tags = parse_tags(cell(columns.tags))?;
            Ok(ImportRow {
                line,
                name,
                email,
                role,
                company,
                tags,
            })
        })();
        match row {
            Ok(row) => {
                seen.insert(row.email.as_str().to_owned(), line);
                plan.rows.push(row);
            }
            Err(reason) => plan.skipped.push((line, reason)),
        }
    }
    Ok(plan)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn reasons(plan: &ImportPlan) -> Vec<(u64, String)> {
        plan.skipped.clone()
    }

    #[test]
    fn a_good_file_maps_its_columns_whatever_their_order_and_case() {
        let plan = plan_import(
            "\u{feff}Email,Full Name,Company,Tags,Shoe size\nada@example.org,Ada Lovelace,Engines,\"rust, offer:mentoring, seek:a job\",38\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(plan.rows.len(), 1);
        let row = &plan.rows[0];
        assert_eq!(row.name.as_str(), "Ada Lovelace");
        assert_eq!(row.role, Role::Attendee);
        assert_eq!(row.company, "Engines");
        assert_eq!(row.tags.len(), 3);
        assert_eq!(plan.ignored_columns, ["Shoe size"]);
    }

    #[test]
    fn bad_lines_are_skipped_with_their_line_and_reason() {
        let plan = plan_import(
            b"name,email,role\nAda,ada@example.org,\nBen,not-an-email,\nChloe,ada@example.org,\nDev,dev@example.org,admin\n,eve@example.org,\n",
        )
        .unwrap();
        assert_eq!(plan.rows.len(), 1);
        let skipped = reasons(&plan);
        assert_eq!(
            skipped.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
        assert!(skipped[1].1.contains("line 2"), "{skipped:?}");
        assert!(skipped[2].1.contains("Role"), "{skipped:?}");
    }

    #[test]
    fn malformed_files_are_refused_whole() {
        let field = |bytes: &[u8]| match plan_import(bytes) {
            Err(AppError::Invalid { field, message }) => (field, message),
            other => panic!("{other:?}"),
        };
        assert!(field(b"name,phone\nAda,123\n").1.contains("\"email\""));
        assert!(field(b"name,email\n\xff\xfeAda,a@b.org\n")
            .1
            .contains("UTF-8"));
        let (f, message) = field(b"name,email,name\nA,a@b.org,B\n");
        assert_eq!(f, "file");
        assert!(message.contains("twice"));
    }

    #[test]
    fn too_many_rows_are_refused() {
        let mut file = String::from("name,email\n");
        for i in 0..=MAX_ROWS {
            file.push_str(&format!("P{i},p{i}@example.org\n"));
        }
        assert!(plan_import(file.as_bytes()).is_err());
    }
}
