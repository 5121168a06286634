//! The demo event's meeting sessions, so a newcomer sees a schedule built
//! in one click ("Run the scheduler" on `/e/demo/schedule`): 16 slots of
//! 20 minutes on the event's second day (a lunch break between two blocks
//! of eight), the demo's meeting spots (a table holds two meetings at
//! once, the coffee bar eight, the quiet room one), and wishes drawn with a skewed popularity (a few
//! people are wanted by many, as at a real event), from a fixed generator
//! so every run and machine gets the same demo. Two people in three accept
//! being asked; one in four cannot meet before lunch's last hour. Chloe and
//! Dev want to meet each other. Seeded once: an event with sessions keeps
//! what its organizers made of them.

use app::{
    domain::{SlotPlan, UserId, WishPriority},
    ports::{Event, Store},
};
use chrono::Days;

/// Sets up the demo's sessions and wishes, unless it has sessions already.
/// `named` are the named demo attendees (Chloe, Dev), `people` every
/// attendee who may wish (named ones included).
pub(super) async fn demo_schedule(
    store: &dyn Store,
    event: &Event,
    named: (UserId, UserId),
    people: &[UserId],
) -> anyhow::Result<()> {
    if !store.schedule_setup(event.id).await?.slots.is_empty() || people.len() < 2 {
        return Ok(());
    }
    let day = event.dates.starts_on() + Days::new(1);
    let plan = SlotPlan::parse(&format!("{day} 09:00-11:40/20\n{day} 13:00-15:40/20"))?;
    // The demo event's time zone is UTC.
    let slots: Vec<_> = plan
        .slots()
        .iter()
        .map(|s| {
            (
                s.day.and_time(s.starts).and_utc(),
                s.day.and_time(s.ends).and_utc(),
            )
        })
        .collect();
    let caps: Vec<_> = store
        .spots(event.id)
        .await?
        .into_iter()
        .map(|s| {
            let capacity = match s.name.as_str() {
                "Coffee bar" => 8,
                "Quiet room" => 1,
                _ => 2,
            };
            (s.id, capacity)
        })
        .collect();
    store
        .save_schedule_setup(event.id, 6, 3, &slots, &caps)
        .await?;
    let slot_ids: Vec<_> = store
        .schedule_setup(event.id)
        .await?
        .slots
        .iter()
        .map(|s| s.id)
        .collect();

    // xorshift64: small, fixed, good enough for a demo.
    let mut state: u64 = 0x005e_ed17;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (i, &me) in people.iter().enumerate() {
        let wishes = 3 + next() % 6;
        for k in 0..wishes {
            // u² skews towards the first people: they are the popular ones.
            let u = (next() % 10_000) as f64 / 10_000.0;
            let j = ((u * u) * people.len() as f64) as usize;
            if j == i || j >= people.len() {
                continue;
            }
            let priority = match k {
                0 => WishPriority::Must,
                1 | 2 => WishPriority::WouldLike,
                _ => WishPriority::IfPossible,
            };
            store
                .set_wish(event.id, me, people[j], Some(priority))
                .await?;
        }
        let off = if i % 4 == 3 {
            slot_ids.get(5..8).unwrap_or_default().to_vec()
        } else {
            Vec::new()
        };
        store
            .set_availability(event.id, me, i % 3 != 2, &off)
            .await?;
    }
    let (chloe, dev) = named;
    store
        .set_wish(event.id, chloe, dev, Some(WishPriority::Must))
        .await?;
    store
        .set_wish(event.id, dev, chloe, Some(WishPriority::WouldLike))
        .await?;
    Ok(())
}
