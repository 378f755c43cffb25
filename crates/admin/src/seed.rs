//! `myrelay-api seed-demo`: an admin, three agents, users, and tickets in every status with
//! conversations. Idempotent: a second run finds the demo admin and creates nothing.

use anyhow::Context;
use myrelay_core::{AppState, Id, Role};
use myrelay_users::{self as users, NewUser};
use std::fmt::Write;

pub const DEMO_PASSWORD: &str = "demo-password";

const PEOPLE: &[(&str, &str, Role)] = &[
    ("admin@demo.myrelay.dev", "Avery Admin", Role::Admin),
    ("maya@demo.myrelay.dev", "Maya Agent", Role::Agent),
    ("omar@demo.myrelay.dev", "Omar Agent", Role::Agent),
    ("lena@demo.myrelay.dev", "Lena Agent", Role::Agent),
    ("carla@demo.myrelay.dev", "Carla Customer", Role::User),
    ("ben@demo.myrelay.dev", "Ben Builder", Role::User),
    ("ines@demo.myrelay.dev", "Inès Dupont", Role::User),
    ("tom@demo.myrelay.dev", "Tom Tran", Role::User),
];

/// (creator index, agent index or none, final status, subject, description, conversation)
type Demo = (
    usize,
    Option<usize>,
    &'static str,
    &'static str,
    &'static str,
    &'static [(bool, &'static str)],
);

const TICKETS: &[Demo] = &[
    (
        4,
        None,
        "open",
        "Cannot sign in on my phone",
        "Since this morning the iOS app says my password is wrong, but it works on the website.",
        &[],
    ),
    (
        5,
        None,
        "open",
        "Invoice shows the wrong company name",
        "Our March invoice is addressed to our old company name. Could you reissue it?",
        &[(false, "It's invoice #2024-031, if that helps.")],
    ),
    (
        6,
        Some(1),
        "assigned",
        "Export to CSV times out",
        "When I export more than a year of data the export spins forever and then fails.",
        &[
            (false, "Hello, the CSV export has failed three times today."),
            (
                true,
                "Thanks Inès, I'm looking into it. Roughly how many rows are you exporting?",
            ),
            (false, "About 40 000 rows."),
            (
                true,
                "Got it — I can reproduce it. I'll split the export into parts for you meanwhile.",
            ),
        ],
    ),
    (
        7,
        Some(2),
        "assigned",
        "Add a teammate to our workspace",
        "How do I invite a colleague so she can see our tickets?",
        &[
            (false, "Is there a limit on seats for our plan?"),
            (
                true,
                "Your plan includes 5 seats; you use 3. Settings → Team → Invite.",
            ),
        ],
    ),
    (
        4,
        Some(3),
        "resolved",
        "Notifications arrive twice",
        "Every email notification reaches me two times.",
        &[
            (false, "Each notification comes twice since last week."),
            (
                true,
                "You had two notification rules with the same filter. I removed the duplicate.",
            ),
            (false, "That fixed it, thank you!"),
        ],
    ),
    (
        5,
        Some(1),
        "closed",
        "Change the billing email",
        "Please send invoices to billing@ben.example from now on.",
        &[
            (true, "Done: invoices now go to billing@ben.example."),
            (false, "Perfect, thanks."),
        ],
    ),
    (
        6,
        None,
        "closed",
        "Duplicate request, please ignore",
        "Sorry, I filed this twice.",
        &[],
    ),
];

async fn user_id(
    state: &AppState,
    email: &str,
    name: &str,
    role: Role,
    hash: &str,
) -> anyhow::Result<(Id, bool)> {
    if let Some(u) = users::find_by_email(&state.db, email).await? {
        return Ok((u.id, false));
    }
    let email = users::Email::parse(email).with_context(|| format!("demo email {email}"))?;
    let name = users::DisplayName::parse(name).with_context(|| format!("demo name {name}"))?;
    let u = users::insert(
        &state.db,
        NewUser {
            email: &email,
            password_hash: hash,
            display_name: &name,
            role,
        },
    )
    .await?;
    Ok((u.id, true))
}

/// Load the demo data; returns the text to print (the logins and what was created).
pub async fn seed_demo(state: &AppState) -> anyhow::Result<String> {
    let hash = myrelay_auth::password::hash(DEMO_PASSWORD.into(), state.config.bcrypt_cost)
        .await
        .context("hashing the demo password")?;
    let mut ids = Vec::new();
    let mut created_people = 0;
    for (email, name, role) in PEOPLE {
        let (id, created) = user_id(state, email, name, *role, &hash).await?;
        created_people += usize::from(created);
        ids.push(id);
    }
    let mut created_tickets = 0;
    for (creator, agent, status, subject, description, conversation) in TICKETS {
        let creator_id = ids[*creator];
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM tickets WHERE created_by_user_id = $1 AND subject = $2)",
        )
        .bind(creator_id)
        .bind(subject)
        .fetch_one(&state.db)
        .await?;
        if exists {
            continue;
        }
        let agent_id = agent.map(|a| ids[a]);
        let mut tx = state.db.begin().await?;
        let ticket_id: Id = sqlx::query_scalar(
            "INSERT INTO tickets (subject, description, created_by_user_id, assigned_agent_id, status, resolved_at, closed_at,
                                  created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5::ticket_status,
                     CASE WHEN $5 IN ('resolved', 'closed') AND $4::bigint IS NOT NULL THEN now() END,
                     CASE WHEN $5 = 'closed' THEN now() END,
                     now() - interval '2 days', now())
             RETURNING id",
        )
        .bind(subject)
        .bind(description)
        .bind(creator_id)
        .bind(agent_id)
        .bind(status)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO ticket_events (ticket_id, actor_user_id, kind, data) VALUES ($1, $2, 'created', '{\"before\": null, \"after\": {\"status\": \"open\", \"agent\": null}}')")
            .bind(ticket_id)
            .bind(creator_id)
            .execute(&mut *tx)
            .await?;
        for (i, (from_agent, content)) in conversation.iter().enumerate() {
            let (sender, role) = match (from_agent, agent_id) {
                (true, Some(a)) => (a, "agent"),
                _ => (creator_id, "user"),
            };
            sqlx::query(
                "INSERT INTO messages (ticket_id, seq, staff_seq, sender_user_id, sender_role, content, client_id, created_at)
                 VALUES ($1, $2, $2, $3, $4::user_role, $5, $6, now() - interval '1 day' + make_interval(mins => $2::int))",
            )
            .bind(ticket_id)
            .bind(i as i64 + 1)
            .bind(sender)
            .bind(role)
            .bind(content)
            .bind(format!("seed-{ticket_id}-{}", i + 1))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE tickets SET last_seq = $2, last_staff_seq = $2,
                    last_message_at = CASE WHEN $2 > 0 THEN now() - interval '1 day' + make_interval(mins => $2::int) END
              WHERE id = $1",
        )
        .bind(ticket_id)
        .bind(conversation.len() as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        created_tickets += 1;
    }
    let mut out = String::new();
    writeln!(
        out,
        "demo data: {created_people} people and {created_tickets} tickets created (existing ones kept)"
    )?;
    writeln!(out, "logins (password for all: {DEMO_PASSWORD}):")?;
    for (email, name, role) in PEOPLE {
        writeln!(out, "  {:<6} {email:<26} {name}", role.as_str())?;
    }
    Ok(out)
}
