//! The setup phase: accounts and tickets the scenarios use, created through the public API
//! with one admin login (run it while the server hashes at a low bcrypt cost; sessions stay
//! valid across a restart with the same secret and database). Written to a JSON file that the
//! measured phase reads.

use crate::api::{Api, Session};
use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

/// A ticket with its customer and the agent who took it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Room {
    pub ticket: i64,
    pub user: Session,
    pub agent: Session,
}

/// A customer with a ticket (idle sockets join it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Owner {
    pub ticket: i64,
    pub user: Session,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fanout {
    pub ticket: i64,
    pub sender: Session,
    /// Admins (they may join any room).
    pub watchers: Vec<Session>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fixture {
    pub tag: String,
    pub admin: Session,
    pub rooms: Vec<Room>,
    pub idle: Vec<Owner>,
    pub fanout: Fanout,
}

/// What to set up; also the `setup` command's options.
#[derive(Debug, Clone, clap::Args)]
pub struct SetupOpts {
    #[arg(long)]
    pub admin_email: String,
    #[arg(long)]
    pub admin_password: String,
    #[arg(long, default_value_t = 50)]
    pub rooms: usize,
    #[arg(long, default_value_t = 100)]
    pub idle_users: usize,
    #[arg(long, default_value_t = 200)]
    pub watchers: usize,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

pub const PASSWORD: &str = "bench-password";

pub async fn setup(api: &Api, o: &SetupOpts) -> anyhow::Result<Fixture> {
    let admin = api
        .login(&o.admin_email, &o.admin_password)
        .await
        .context("admin login")?;
    let tag = format!("{}", chrono::Utc::now().timestamp_millis());
    let email = |kind: &str, i: usize| format!("b{tag}-{kind}-{i}@bench.myrelay.dev");
    let c = o.concurrency.max(1);

    let rooms: Vec<Room> = stream::iter(0..o.rooms)
        .map(|i| {
            let (api, admin, ue, ae) = (
                api.clone(),
                admin.token.clone(),
                email("u", i),
                email("a", i),
            );
            async move {
                let user = api
                    .register(&ue, PASSWORD, &format!("Chat user {i}"))
                    .await?;
                let mut agent = api
                    .register(&ae, PASSWORD, &format!("Chat agent {i}"))
                    .await?;
                api.set_role(&admin, agent.id, "agent").await?;
                agent.role = "agent".into();
                let ticket = api
                    .create_ticket(&user.token, &format!("Chat room {i}"))
                    .await?;
                api.assign_self(&agent.token, ticket).await?;
                anyhow::Ok(Room {
                    ticket,
                    user,
                    agent,
                })
            }
        })
        .buffered(c)
        .try_collect()
        .await
        .context("chat rooms")?;

    let idle: Vec<Owner> = stream::iter(0..o.idle_users)
        .map(|i| {
            let (api, e) = (api.clone(), email("idle", i));
            async move {
                let user = api
                    .register(&e, PASSWORD, &format!("Idle user {i}"))
                    .await?;
                let ticket = api.create_ticket(&user.token, &format!("Idle {i}")).await?;
                anyhow::Ok(Owner { ticket, user })
            }
        })
        .buffered(c)
        .try_collect()
        .await
        .context("idle users")?;

    let sender = api
        .register(&email("fan", 0), PASSWORD, "Fanout sender")
        .await?;
    let ticket = api.create_ticket(&sender.token, "Fanout room").await?;
    let watchers: Vec<Session> = stream::iter(0..o.watchers)
        .map(|i| {
            let (api, admin, e) = (api.clone(), admin.token.clone(), email("watch", i));
            async move {
                let mut w = api.register(&e, PASSWORD, &format!("Watcher {i}")).await?;
                api.set_role(&admin, w.id, "admin").await?;
                w.role = "admin".into();
                anyhow::Ok(w)
            }
        })
        .buffered(c)
        .try_collect()
        .await
        .context("fanout watchers")?;

    Ok(Fixture {
        tag,
        admin,
        rooms,
        idle,
        fanout: Fanout {
            ticket,
            sender,
            watchers,
        },
    })
}
