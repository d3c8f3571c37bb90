//! The display board: a full-screen page per mall (or zone) showing the
//! numbers being called, fed by server-sent events. On first connect the
//! board gets a snapshot (shown, never announced); after a dropped
//! connection or a restart the browser reconnects with `Last-Event-ID` and
//! gets the recent calls again, each marked fresh only if it is under a
//! minute old, so the board catches up without announcing stale calls.

use super::store::{self, Call};
use crate::error::AppResult;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use mpp_domain::format::Lang;
use mpp_domain::policy::Action;
use mpp_domain::speech;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/papan", Action::ReadPublic, page)
        .get("/m/{slug}/papan/events", Action::ReadPublic, events)
        .get("/m/{slug}/papan/suara/{id}", Action::ReadPublic, super::voice::audio)
}

/// A call younger than this is announced when a board first learns of it.
const FRESH_MS: i64 = 60_000;
/// Calls a board keeps on screen and re-reads on every wake-up.
const RECENT: i64 = 20;

#[derive(serde::Deserialize, Default)]
pub struct BoardQuery {
    /// One zone or floor only (as the counters' zone field says).
    #[serde(default)]
    zona: String,
    /// `en` for an English board; Indonesian otherwise.
    #[serde(default)]
    bahasa: String,
    /// The last call a board saw, when its script reconnects by itself
    /// (the same as the `Last-Event-ID` header the browser sends).
    #[serde(default)]
    last: String,
}

impl BoardQuery {
    pub fn lang(&self) -> Lang {
        if self.bahasa == "en" { Lang::En } else { Lang::Id }
    }
    fn zone(&self) -> Option<&str> {
        (!self.zona.is_empty()).then_some(self.zona.as_str())
    }
}

#[derive(Template)]
#[template(path = "visit/board.html")]
struct BoardPage {
    ctx: Ctx,
    mall: Mall,
    zone: String,
    lang: &'static str,
    running_text: String,
    events_url: String,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<BoardQuery>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    // An enrolled board is noted as seen (the devices page shows a board
    // that went dark); anyone may still look at the board.
    crate::device::of_request(&state, &headers, &mall, mpp_domain::device::Kind::Board).await?;
    let settings = store::settings(&state.db, &mall.id).await?;
    let lang = q.lang();
    let running_text = match lang {
        Lang::En if !settings.board_text_en.is_empty() => settings.board_text_en,
        _ => settings.board_text_id,
    };
    let events_url =
        format!("/m/{}/papan/events?bahasa={}&zona={}", mall.slug, lang.code(), crate::web::url_encode(&q.zona));
    let ctx = Ctx { t: crate::i18n::Tr::new(lang), ..ctx };
    render(&BoardPage { ctx, zone: q.zona, lang: lang.code(), running_text, events_url, mall })
}

/// One call as the board's script receives it.
#[derive(serde::Serialize)]
struct CallEvent<'a> {
    id: &'a str,
    label: &'a str,
    counter: i64,
    zone: &'a str,
    recall: bool,
    at: i64,
    fresh: bool,
    speech: String,
    lang: &'static str,
    audio: String,
}

fn call_event<'a>(slug: &str, c: &'a Call, lang: Lang, now: i64) -> CallEvent<'a> {
    let seq = u64::try_from(c.seq).unwrap_or(0);
    let counter = u64::try_from(c.counter_number).unwrap_or(0);
    CallEvent {
        id: &c.id,
        label: &c.label,
        counter: c.counter_number,
        zone: &c.zone,
        recall: c.recall,
        at: c.at,
        fresh: now - c.at < FRESH_MS,
        speech: speech::announcement(&c.prefix, seq, counter, lang),
        lang: match lang {
            Lang::Id => "id-ID",
            Lang::En => "en-US",
        },
        audio: format!("/m/{slug}/papan/suara/{}?bahasa={}", c.id, lang.code()),
    }
}

struct Feed {
    state: AppState,
    mall: Mall,
    zone: Option<String>,
    lang: Lang,
    bell: tokio::sync::watch::Receiver<u64>,
    /// Call ids this connection has sent, newest last (bounded).
    sent: VecDeque<String>,
    /// `None` until the first batch: then a snapshot, or a replay if the
    /// browser is reconnecting.
    reconnecting: Option<bool>,
}

async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<BoardQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let reconnecting = headers.contains_key("last-event-id") || !q.last.is_empty();
    let feed = Feed {
        bell: state.board_bell.subscribe(),
        zone: q.zone().map(str::to_string),
        lang: q.lang(),
        state,
        mall,
        sent: VecDeque::new(),
        reconnecting: Some(reconnecting),
    };
    let stream = stream::unfold(feed, |mut feed| async move {
        if feed.reconnecting.is_none() {
            // Wake on the bell, or poll every two seconds.
            tokio::select! {
                _ = feed.bell.changed() => {}
                () = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
        let batch = next_batch(&mut feed).await;
        Some((batch, feed))
    })
    .flat_map(|batch| stream::iter(batch.into_iter().map(Ok)));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

async fn next_batch(feed: &mut Feed) -> Vec<Event> {
    let calls = match store::recent_calls(&feed.state.db, &feed.mall.id, feed.zone.as_deref(), RECENT).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = ?e, "board feed could not read calls");
            return Vec::new();
        }
    };
    let now = feed.state.clock.now_ms();
    let slug = feed.mall.slug.clone();
    let mut out = Vec::new();
    if feed.reconnecting.take() == Some(false) {
        // First connect: everything so far is shown, nothing is announced.
        let list: Vec<CallEvent<'_>> =
            calls.iter().map(|c| CallEvent { fresh: false, ..call_event(&slug, c, feed.lang, now) }).collect();
        let last = calls.first().map_or("0", |c| c.id.as_str());
        if let Ok(e) = Event::default().event("snapshot").id(last).json_data(&list) {
            out.push(e);
        }
        feed.sent.extend(calls.iter().rev().map(|c| c.id.clone()));
        return out;
    }
    for c in calls.iter().rev() {
        if feed.sent.contains(&c.id) {
            continue;
        }
        if let Ok(e) = Event::default().event("call").id(c.id.as_str()).json_data(call_event(&slug, c, feed.lang, now))
        {
            out.push(e);
        }
        feed.sent.push_back(c.id.clone());
    }
    while feed.sent.len() > 4 * RECENT as usize {
        feed.sent.pop_front();
    }
    out
}
