//! Events and membership.

use super::{
    support::{backend, conflict_or_backend, now, on_read, on_write},
    Db,
};
use app::{
    domain::{EventDates, EventId, JoinCode, JoinPolicy, Role, Slug, Tag, Taxonomy, UserId},
    ports::{
        Event, EventSettings, EventStore, Member, MemberChange, NewEvent, StoreError, StoreResult,
    },
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

pub(super) const EVENT_COLUMNS: &str =
    "e.id, e.slug, e.name, e.description, e.venue, e.starts_on, e.ends_on, \
     e.time_zone, e.invite_token, e.join_code, e.join_policy, e.attendees_create_rooms, \
     e.approve_scans_default, e.created_at";

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: Uuid,
    slug: String,
    name: String,
    description: String,
    venue: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    time_zone: String,
    invite_token: String,
    join_code: String,
    join_policy: String,
    attendees_create_rooms: bool,
    approve_scans_default: bool,
    created_at: DateTime<Utc>,
}

fn corrupt(what: &str, id: Uuid) -> StoreError {
    StoreError::Backend(format!("stored {what} of event {id} is invalid").into())
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, Self::Error> {
        Ok(Event {
            id: EventId(r.id),
            slug: Slug::parse(&r.slug).map_err(|_| corrupt("slug", r.id))?,
            dates: EventDates::new(r.starts_on, r.ends_on).map_err(|_| corrupt("dates", r.id))?,
            join_code: JoinCode::parse(&r.join_code).map_err(|_| corrupt("join code", r.id))?,
            join_policy: JoinPolicy::parse(&r.join_policy)
                .map_err(|_| corrupt("join policy", r.id))?,
            attendees_create_rooms: r.attendees_create_rooms,
            approve_scans_default: r.approve_scans_default,
            name: r.name,
            description: r.description,
            venue: r.venue,
            time_zone: r.time_zone,
            invite_token: r.invite_token,
            created_at: r.created_at,
        })
    }
}

pub(super) fn parse_role(raw: &str) -> StoreResult<Role> {
    Role::parse(raw).map_err(|_| StoreError::Backend(format!("unknown stored role {raw:?}").into()))
}

#[derive(sqlx::FromRow)]
struct EventWithRole {
    #[sqlx(flatten)]
    event: EventRow,
    role: String,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: Uuid,
    display_name: String,
    headline: String,
    company: String,
    role: String,
    exhibitor: bool,
    joined_at: DateTime<Utc>,
}

/// Constraint names and columns that can clash when an event is created.
const EVENT_UNIQUES: &[(&str, &str)] = &[
    ("slug", "slug"),
    ("invite_token", "invite token"),
    ("join_code", "join code"),
];

impl Db {
    async fn event_where(&self, column: &str, value: &str) -> StoreResult<Option<Event>> {
        // `column` is one of our own constant names, never input.
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.{column} = $1");
        let row: Option<EventRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(value)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Event::try_from).transpose()
    }
}

/// Inside a write transaction `$tx`: replaces the suggested tags of
/// `$event` (shared by `set_taxonomy` and the settings page's save).
macro_rules! write_taxonomy {
    ($tx:ident, $event:expr, $taxonomy:expr) => {{
        let event: EventId = $event;
        let taxonomy: &Taxonomy = $taxonomy;
        sqlx::query("DELETE FROM event_taxonomy WHERE event_id = $1")
            .bind(event.0)
            .execute(&mut *$tx)
            .await
            .map_err(backend)?;
        let rows: Vec<(&str, &str)> = taxonomy
            .categories()
            .iter()
            .flat_map(|(name, tags)| tags.iter().map(|t| (name.as_str(), t.as_str())))
            .collect();
        for (position, (name, tag)) in rows.into_iter().enumerate() {
            sqlx::query("INSERT INTO event_taxonomy (event_id, category, tag, position) VALUES ($1, $2, $3, $4)")
                .bind(event.0)
                .bind(name)
                .bind(tag)
                .bind(position as i32)
                .execute(&mut *$tx)
                .await
                .map_err(backend)?;
        }
    }};
}

/// Organizers first, then staff, then attendees.
fn role_rank(role: Role) -> u8 {
    match role {
        Role::Organizer => 0,
        Role::Staff => 1,
        Role::Attendee => 2,
    }
}

#[async_trait]
impl EventStore for Db {
    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn create_event(&self, new: NewEvent, organizer: UserId) -> StoreResult<Event> {
        let id = Uuid::new_v4();
        let now = now();
        let insert_event =
            "INSERT INTO events (id, slug, name, description, venue, starts_on, ends_on, \
             time_zone, invite_token, join_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
        let insert_member =
            "INSERT INTO memberships (event_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)";
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            sqlx::query(insert_event)
                .bind(id)
                .bind(new.slug.as_str())
                .bind(new.name.as_str())
                .bind(&new.description)
                .bind(&new.venue)
                .bind(new.dates.starts_on())
                .bind(new.dates.ends_on())
                .bind(new.time_zone.as_str())
                .bind(&new.invite_token)
                .bind(new.join_code.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, EVENT_UNIQUES))?;
            sqlx::query(insert_member)
                .bind(id)
                .bind(organizer.0)
                .bind(Role::Organizer.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_or_backend(e, &[]))?;
            tx.commit().await.map_err(backend)?;
        });
        Ok(Event {
            id: EventId(id),
            slug: new.slug,
            name: new.name.into_inner(),
            description: new.description,
            venue: new.venue,
            dates: new.dates,
            time_zone: new.time_zone.as_str().to_owned(),
            invite_token: new.invite_token,
            join_code: new.join_code,
            join_policy: JoinPolicy::Open,
            attendees_create_rooms: true,
            approve_scans_default: false,
            created_at: now,
        })
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn event_by_id(&self, id: EventId) -> StoreResult<Option<Event>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1");
        let row: Option<EventRow> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await)
        .map_err(backend)?;
        row.map(Event::try_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn event_by_slug(&self, slug: &Slug) -> StoreResult<Option<Event>> {
        self.event_where("slug", slug.as_str()).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn event_by_invite_token(&self, token: &str) -> StoreResult<Option<Event>> {
        self.event_where("invite_token", token).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn event_by_join_code(&self, code: &JoinCode) -> StoreResult<Option<Event>> {
        self.event_where("join_code", code.as_str()).await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn add_member(&self, event: EventId, user: UserId, role: Role) -> StoreResult<()> {
        // One statement: the new member starts with the event's default
        // for approving scans as it is at this moment, and someone the
        // organizers removed is not inserted, whichever path asked (the
        // check and the insert cannot be split by a removal in between).
        let added = on_write!(self, |pool| sqlx::query(
            "INSERT INTO memberships (event_id, user_id, role, joined_at, approve_scans) \
             SELECT $1, $2, $3, $4, approve_scans_default FROM events WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM event_removals r WHERE r.event_id = $1 AND r.user_id = $2)"
        )
        .bind(event.0)
        .bind(user.0)
        .bind(role.as_str())
        .bind(now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_or_backend(e, &[("memberships", "membership")]))?;
        if added == 0 {
            // Only to word the refusal: the insert above already decided.
            return Err(
                if app::ports::MembershipStore::was_removed(self, event, user).await? {
                    StoreError::Conflict("removed")
                } else {
                    StoreError::NotFound
                },
            );
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn change_member(
        &self,
        event: EventId,
        user: UserId,
        change: MemberChange,
    ) -> StoreResult<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            // Touching the event row locks it (PostgreSQL), so two organizers
            // demoting each other at once queue here and the second sees the
            // first's change; SQLite has a single writer anyway.
            let found = sqlx::query("UPDATE events SET join_policy = join_policy WHERE id = $1")
                .bind(event.0)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
            if found == 0 {
                return Err(StoreError::NotFound);
            }
            let current: Option<String> = sqlx::query_scalar(
                "SELECT role FROM memberships WHERE event_id = $1 AND user_id = $2",
            )
            .bind(event.0)
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            let current = parse_role(&current.ok_or(StoreError::NotFound)?)?;
            let leaves_organizers = matches!(
                change,
                MemberChange::Remove | MemberChange::SetRole(Role::Staff | Role::Attendee)
            );
            if current == Role::Organizer && leaves_organizers {
                let organizers: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM memberships WHERE event_id = $1 AND role = $2",
                )
                .bind(event.0)
                .bind(Role::Organizer.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
                if organizers <= 1 {
                    return Err(StoreError::Conflict("last organizer"));
                }
            }
            match change {
                MemberChange::SetRole(role) => {
                    sqlx::query(
                        "UPDATE memberships SET role = $3 WHERE event_id = $1 AND user_id = $2",
                    )
                    .bind(event.0)
                    .bind(user.0)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
                MemberChange::SetExhibitor(exhibitor) => {
                    sqlx::query(
                        "UPDATE memberships SET exhibitor = $3 WHERE event_id = $1 AND user_id = $2",
                    )
                    .bind(event.0)
                    .bind(user.0)
                    .bind(exhibitor)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
                MemberChange::Remove => {
                    // Badges (current and replaced) go with the membership.
                    sqlx::query("DELETE FROM memberships WHERE event_id = $1 AND user_id = $2")
                        .bind(event.0)
                        .bind(user.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend)?;
                    // The removal sticks until an organizer lets them back
                    // in, and withdraws what was offered to them.
                    sqlx::query(
                        "INSERT INTO event_removals (event_id, user_id, removed_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (event_id, user_id) \
                         DO UPDATE SET removed_at = excluded.removed_at",
                    )
                    .bind(event.0)
                    .bind(user.0)
                    .bind(now())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                    sqlx::query(
                        "DELETE FROM membership_offers WHERE event_id = $1 AND user_id = $2",
                    )
                    .bind(event.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
                }
            }
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn update_event_settings(
        &self,
        event: EventId,
        settings: &EventSettings,
    ) -> StoreResult<Event> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let found = sqlx::query(
                "UPDATE events SET name = $2, description = $3, venue = $4, starts_on = $5, \
                 ends_on = $6, time_zone = $7, join_policy = $8, attendees_create_rooms = $9, \
                 approve_scans_default = $10, free_tags = $11 WHERE id = $1",
            )
            .bind(event.0)
            .bind(settings.name.as_str())
            .bind(&settings.description)
            .bind(&settings.venue)
            .bind(settings.dates.starts_on())
            .bind(settings.dates.ends_on())
            .bind(settings.time_zone.as_str())
            .bind(settings.join_policy.as_str())
            .bind(settings.attendees_create_rooms)
            .bind(settings.approve_scans_default)
            .bind(settings.free_tags)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
            if found == 0 {
                return Err(StoreError::NotFound);
            }
            write_taxonomy!(tx, event, &settings.taxonomy);
            super::meetings::write_spots!(tx, event, settings.spots.names());
            tx.commit().await.map_err(backend)?;
        });
        self.event_by_id(event).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn remove_member(&self, event: EventId, user: UserId) -> StoreResult<()> {
        // Badges (current and replaced) go with the membership (foreign keys).
        self.delete_for_pair(
            "DELETE FROM memberships WHERE event_id = $1 AND user_id = $2",
            event.0,
            user.0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn member_role(&self, event: EventId, user: UserId) -> StoreResult<Option<Role>> {
        let role: Option<String> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT role FROM memberships WHERE event_id = $1 AND user_id = $2"
        )
        .bind(event.0)
        .bind(user.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        role.as_deref().map(parse_role).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn list_members(&self, event: EventId) -> StoreResult<Vec<Member>> {
        let rows: Vec<MemberRow> = on_read!(self, |pool| {
            sqlx::query_as(
            "SELECT u.id, u.display_name, u.headline, u.company, m.role, m.exhibitor, m.joined_at \
             FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.event_id = $1"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await
        })
        .map_err(backend)?;
        let mut members = rows
            .into_iter()
            .map(|r| {
                Ok(Member {
                    user_id: UserId(r.id),
                    role: parse_role(&r.role)?,
                    display_name: r.display_name,
                    headline: r.headline,
                    company: r.company,
                    exhibitor: r.exhibitor,
                    joined_at: r.joined_at,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        // Sorted here rather than in SQL so both backends agree exactly
        // (their collations differ for non-ASCII names).
        members.sort_by_cached_key(|m| {
            (
                role_rank(m.role),
                m.display_name.to_lowercase(),
                m.user_id.0,
            )
        });
        Ok(members)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn events_of_user(&self, user: UserId) -> StoreResult<Vec<(Event, Role)>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, m.role FROM memberships m JOIN events e ON e.id = m.event_id \
             WHERE m.user_id = $1"
        );
        let rows: Vec<EventWithRole> = on_read!(self, |pool| sqlx::query_as(&sql)
            .bind(user.0)
            .fetch_all(pool)
            .await)
        .map_err(backend)?;
        let mut events = rows
            .into_iter()
            .map(|r| Ok((Event::try_from(r.event)?, parse_role(&r.role)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        events.sort_by_cached_key(|(e, _)| (e.dates.starts_on(), e.name.to_lowercase(), e.id.0));
        Ok(events)
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn set_taxonomy(
        &self,
        event: EventId,
        taxonomy: &Taxonomy,
        free_tags: bool,
    ) -> StoreResult<()> {
        on_write!(self, |pool| {
            let mut tx = pool.begin().await.map_err(backend)?;
            let found = sqlx::query("UPDATE events SET free_tags = $2 WHERE id = $1")
                .bind(event.0)
                .bind(free_tags)
                .execute(&mut *tx)
                .await
                .map_err(backend)?
                .rows_affected();
            if found == 0 {
                return Err(StoreError::NotFound);
            }
            write_taxonomy!(tx, event, taxonomy);
            tx.commit().await.map_err(backend)?;
        });
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
    async fn taxonomy(&self, event: EventId) -> StoreResult<(Taxonomy, bool)> {
        let free: Option<bool> = on_read!(self, |pool| sqlx::query_scalar(
            "SELECT free_tags FROM events WHERE id = $1"
        )
        .bind(event.0)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        let rows: Vec<(String, String)> = on_read!(self, |pool| sqlx::query_as(
            "SELECT category, tag FROM event_taxonomy WHERE event_id = $1 ORDER BY position"
        )
        .bind(event.0)
        .fetch_all(pool)
        .await)
        .map_err(backend)?;
        let rows = rows
            .into_iter()
            .map(|(c, t)| {
                Ok((
                    c,
                    Tag::parse(&t).map_err(|_| corrupt("taxonomy tag", event.0))?,
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((Taxonomy::from_rows(rows), free.ok_or(StoreError::NotFound)?))
    }
}
