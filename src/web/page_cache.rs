//! Pages kept for the sign-in (or the visitor's session) that drew them while nothing in the
//! database has changed.
//!
//! An organiser's round pages take 1–2 ms of CPU each (a 100 KB board, its queries and its
//! template), and the same page is often asked for again before anything changes: a reload, the
//! back button, a second tab; on results day, the public results. A `GET` answered 200 with HTML
//! is kept under the sign-in (its `user_sessions` row) or, for a visitor, the session cookie's
//! CSRF token, the language, the minute and the address, together with the
//! database's change stamp ([`crate::db::ChangeWatch`]) read *before* the page was drawn. A later
//! request is answered from the copy only when the stamp it reads is still that one, so the copy
//! holds exactly what drawing the page again would give: any commit anywhere (through this
//! instance, another instance or the command line) moves the stamp and empties the cache. The
//! minute in the key bounds what time alone changes (a deadline passing, "3 days left").
//!
//! Not kept: requests that carry a flash message, answers that changed the session, anything but
//! a 200 HTML page, and pages over the cache's size. What is kept is personal (the page's CSRF
//! token, the user's name), hence the sign-in and the token in the key; it never leaves this
//! process's memory.
//!
//! **Organisers share one drawing.** Every organiser holds the same powers over the same data, so
//! an organiser page differs between two organisers only in the reader's name, email and CSRF
//! token. Such a page is drawn once with [`StandIns`] in their place and kept under
//! [`ORGANISERS`]; each organiser's sign-in gets a copy with its own values written in (kept
//! under the sign-in as before). After a commit, the organisers asking for one page at once wait
//! for a single drawing ([`PageCache::turn`]) instead of each drawing their own: the board of a
//! round being judged is drawn once per commit, not once per reader. `tests/api/page_cache.rs`
//! checks, on every organiser page, that the shared copy equals what a drawing for the reader
//! alone gives.
//!
//! **A judge's pages are kept against what they read.** While judging is open most commits are
//! other people's (operators autosaving drafts, other judges autosaving their sheets), and a judge's
//! page kept against the database's stamp would be drawn again after each. Pages on judge-only
//! routes are kept instead against [`crate::db::judge_stamp`]: counters that triggers move in the
//! same commit as every change to what those pages read (migration `page_scopes`), scope 0 for
//! everything shared and the judge's own scope for their sheets. Each such page carries its own
//! stamp ([`JUDGE_STAMP`]), so a commit elsewhere leaves it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;

use crate::db::{ChangeWatch, DbConn};
use crate::i18n::Lang;

/// The `session` of the pages shared by every organiser's sign-in.
pub const ORGANISERS: i32 = -1;

/// How a judge's stamp begins, telling it from the database's (`opened:count`, `xmin:xmax:ids`).
pub const JUDGE_STAMP: &str = "judge:";

/// How many rows of `page_changes` a judge's stamp counts before a reader folds them.
const FOLD_AT: i64 = 256;

/// Which stamp a page is kept against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// The database's: any commit.
    Database,
    /// The judge's (a judge-only route): what a judge's pages read.
    Judge,
}

/// Random words drawn into a shared page where each reader's own values go, written over per
/// reader. Random per process, so no text anyone types can contain one.
#[derive(Clone, Debug)]
pub struct StandIns {
    /// In place of the session's CSRF token.
    pub csrf: String,
    /// In place of the reader's name.
    pub name: String,
    /// In place of the reader's email.
    pub email: String,
}

impl StandIns {
    fn new() -> StandIns {
        // Letters and digits only: they come through HTML escaping, URLs and translation
        // arguments unchanged.
        let word = |what: &str| {
            let hex: String = crate::auth::token::random_bytes::<12>()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("biw{what}{hex}")
        };
        StandIns {
            csrf: word("csrf"),
            name: word("name"),
            email: word("email"),
        }
    }
}

/// Who a shared page is written out for.
pub struct Reader<'a> {
    /// The session's CSRF token.
    pub csrf: &'a str,
    /// The reader's name.
    pub name: &'a str,
    /// The reader's email.
    pub email: &'a str,
}

/// The request extension that tells `web::Page` to draw with the stand-ins.
#[derive(Clone, Debug)]
pub struct SharedDrawing(pub Arc<StandIns>);

/// What a kept page is found by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The `user_sessions` row of the sign-in; 0 for a visitor who is not signed in.
    pub session: i32,
    /// The session cookie's CSRF token, which the page carries in its forms: a visitor's copies
    /// are found by it.
    pub csrf: String,
    /// The language the session asked for: a signed-in user's own, a visitor's choice, or none
    /// when a visitor has not chosen (then a page may follow something else, such as the
    /// language of the person an invitation link was sent to).
    pub lang: Option<Lang>,
    /// Minutes since the epoch when it was drawn.
    pub minute: i64,
    /// Path and query.
    pub target: String,
}

impl Key {
    /// The key of the copy every organiser shares, for the same language, minute and address.
    pub fn shared(&self) -> Key {
        Key {
            session: ORGANISERS,
            csrf: String::new(),
            ..self.clone()
        }
    }

    /// The key of a request now.
    pub fn new(session: i32, csrf: String, lang: Option<Lang>, target: &str) -> Key {
        Key {
            session,
            csrf,
            lang,
            minute: crate::db::now().and_utc().timestamp().div_euclid(60),
            target: target.to_string(),
        }
    }
}

/// A kept answer: its headers and body, and the body gzipped (sent to browsers that take gzip).
pub struct KeptPage {
    headers: HeaderMap,
    body: Bytes,
    gzipped: Option<Bytes>,
    /// A shared page: its text cut at the stand-ins, each stretch deflated on its own.
    pieces: Vec<Piece>,
}

/// A stretch of a shared page: text as drawn (and deflated), or where a reader's value goes.
enum Piece {
    Text {
        plain: std::ops::Range<usize>,
        /// Raw deflate ending in a full flush: byte-aligned and referring to nothing before it,
        /// so the stretches can be joined around values they never saw.
        deflated: Vec<u8>,
    },
    /// Index into [`StandIns::all`] and the reader's values.
    Value(usize),
}

impl KeptPage {
    /// Keeps a page's headers and body; compresses it once, as `web::compress` would each time.
    pub fn new(headers: HeaderMap, body: Bytes) -> KeptPage {
        let gzipped = crate::web::compress::worth_compressing(body.len())
            .then(|| crate::web::compress::gzip(&body).ok().map(Bytes::from))
            .flatten();
        KeptPage {
            headers,
            body,
            gzipped,
            pieces: Vec::new(),
        }
    }

    /// A page drawn with stand-ins, kept to be written out for each reader: never sent as it is.
    /// Deflated here once, so that writing it out costs each reader a copy, not a compression.
    pub fn shared(headers: HeaderMap, body: Bytes, stand: &StandIns) -> KeptPage {
        let mut deflate = flate2::Compress::new(flate2::Compression::fast(), false);
        let pieces = cut(&body, stand)
            .into_iter()
            .map(|c| match c {
                Cut::Text(plain) => Piece::Text {
                    deflated: deflate_stretch(&mut deflate, &body[plain.clone()]),
                    plain,
                },
                Cut::Value(i) => Piece::Value(i),
            })
            .collect();
        KeptPage {
            headers,
            body,
            gzipped: None,
            pieces,
        }
    }

    /// The shared page with the stand-ins replaced by the reader's own values, as drawn for
    /// them, and gzipped by joining the deflated stretches around the values.
    pub fn written_out(&self, reader: &Reader) -> KeptPage {
        let values = reader.values();
        let mut body = Vec::with_capacity(self.body.len() + 256);
        for piece in &self.pieces {
            match piece {
                Piece::Text { plain, .. } => body.extend_from_slice(&self.body[plain.clone()]),
                Piece::Value(i) => body.extend_from_slice(values[*i].as_bytes()),
            }
        }
        let gzipped = crate::web::compress::worth_compressing(body.len()).then(|| {
            let mut out = Vec::with_capacity(self.body.len() / 6 + 64);
            // Header: deflate, no name, no time, unknown system (as flate2 writes it).
            out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
            for piece in &self.pieces {
                match piece {
                    Piece::Text { deflated, .. } => out.extend_from_slice(deflated),
                    Piece::Value(i) => stored(&mut out, values[*i].as_bytes()),
                }
            }
            // The last block: empty, stored, final.
            out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
            out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
            // ISIZE is the length modulo 2^32 by definition.
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            Bytes::from(out)
        });
        KeptPage {
            headers: self.headers.clone(),
            body: Bytes::from(body),
            gzipped,
            pieces: Vec::new(),
        }
    }

    fn size(&self) -> usize {
        let deflated: usize = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Text { deflated, .. } => deflated.len() + 32,
                Piece::Value(_) => 16,
            })
            .sum();
        self.body.len() + self.gzipped.as_ref().map_or(0, Bytes::len) + deflated + 512
    }

    /// The answer, gzipped when the browser takes gzip.
    pub fn response(&self, gzip: bool) -> HttpResponse {
        let mut res = HttpResponse::Ok();
        for (name, value) in &self.headers {
            res.append_header((name.clone(), value.clone()));
        }
        match (&self.gzipped, gzip) {
            (Some(zipped), true) => {
                res.insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")))
                    .append_header((header::VARY, HeaderValue::from_static("accept-encoding")));
                res.body(zipped.clone())
            }
            _ => res.body(self.body.clone()),
        }
    }
}

impl StandIns {
    fn all(&self) -> [&str; 3] {
        [&self.csrf, &self.name, &self.email]
    }
}

impl Reader<'_> {
    /// The values in the order of [`StandIns::all`], escaped as the templates escape them.
    fn values(&self) -> [std::borrow::Cow<'_, str>; 3] {
        [
            tera::escape_html(self.csrf).into(),
            tera::escape_html(self.name).into(),
            tera::escape_html(self.email).into(),
        ]
    }
}

/// A stretch of a drawn page: text, or a stand-in (by index into [`StandIns::all`]).
enum Cut {
    Text(std::ops::Range<usize>),
    Value(usize),
}

/// `body` cut at its stand-ins.
fn cut(body: &[u8], stand: &StandIns) -> Vec<Cut> {
    let all = stand.all();
    let mut out = Vec::new();
    let (mut from, mut at) = (0, 0);
    // Every stand-in starts with `biw`: only there is anything compared.
    let finder = memchr::memmem::Finder::new(b"biw");
    while let Some(found) = finder.find(&body[at..]) {
        let here = at + found;
        match all
            .iter()
            .position(|s| body[here..].starts_with(s.as_bytes()))
        {
            Some(i) => {
                if here > from {
                    out.push(Cut::Text(from..here));
                }
                out.push(Cut::Value(i));
                from = here + all[i].len();
                at = from;
            }
            None => at = here + 3,
        }
    }
    if body.len() > from {
        out.push(Cut::Text(from..body.len()));
    }
    out
}

/// `body` with every stand-in replaced by the reader's value.
pub fn write_out(body: &[u8], stand: &StandIns, reader: &Reader) -> Vec<u8> {
    let values = reader.values();
    let mut out = Vec::with_capacity(body.len() + 256);
    for c in cut(body, stand) {
        match c {
            Cut::Text(r) => out.extend_from_slice(&body[r]),
            Cut::Value(i) => out.extend_from_slice(values[i].as_bytes()),
        }
    }
    out
}

/// `text` deflated and ended with a full flush, which aligns the output to a byte and forgets
/// what came before, so that what follows may be joined to anything.
fn deflate_stretch(deflate: &mut flate2::Compress, text: &[u8]) -> Vec<u8> {
    let start = deflate.total_in();
    let mut out = Vec::with_capacity(text.len() / 4 + 64);
    loop {
        let read = usize::try_from(deflate.total_in() - start).unwrap_or(text.len());
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(1024));
        }
        // Deflating into memory cannot fail; a stream error here would be a bug in flate2.
        deflate
            .compress_vec(&text[read..], &mut out, flate2::FlushCompress::Full)
            .expect("deflate into memory");
        let read = usize::try_from(deflate.total_in() - start).unwrap_or(text.len());
        // The flush is complete once all is read and output room is left over.
        if read == text.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// `value` as stored (uncompressed) deflate blocks, not final.
fn stored(out: &mut Vec<u8>, value: &[u8]) {
    for chunk in value.chunks(u16::MAX as usize) {
        let len = chunk.len() as u16;
        out.push(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

/// The longest address kept: the key is in memory too, and a page asked for under a made-up,
/// endless query string is not worth keeping.
const TARGET_MAX: usize = 1024;

#[derive(Default)]
struct Kept {
    stamp: String,
    /// Each page with the bytes it holds, its key included.
    pages: HashMap<Key, (usize, Arc<KeptPage>)>,
    bytes: usize,
    /// The part of `bytes` kept for visitors who are not signed in.
    visitor_bytes: usize,
}

impl Kept {
    fn remove(&mut self, key: &Key) {
        if let Some((size, _)) = self.pages.remove(key) {
            self.bytes -= size;
            if key.session == 0 {
                self.visitor_bytes -= size;
            }
        }
    }

    fn drop_where(&mut self, gone: impl Fn(&Key) -> bool) {
        let (mut bytes, mut visitor_bytes) = (self.bytes, self.visitor_bytes);
        self.pages.retain(|k, (size, _)| {
            if !gone(k) {
                return true;
            }
            bytes -= *size;
            if k.session == 0 {
                visitor_bytes -= *size;
            }
            false
        });
        (self.bytes, self.visitor_bytes) = (bytes, visitor_bytes);
    }
}

/// Pages kept each against its own judge's stamp.
#[derive(Default)]
struct JudgesKept {
    pages: HashMap<Key, (String, usize, Arc<KeptPage>)>,
    bytes: usize,
}

/// The count of a judge's stamp; `None` for the database's.
fn judge_count(stamp: &str) -> Option<u64> {
    stamp.strip_prefix(JUDGE_STAMP)?.parse().ok()
}

/// The kept pages of one application state (one database).
pub struct PageCache {
    capacity: usize,
    watch: ChangeWatch,
    kept: Mutex<Kept>,
    /// Judges' pages, in a quarter of `capacity` of their own.
    judges: Mutex<JudgesKept>,
    /// Whether a reader of this process is folding `page_changes` now.
    folding: std::sync::atomic::AtomicBool,
    served: AtomicU64,
    handed: AtomicU64,
    stand_ins: Arc<StandIns>,
    /// The shared pages being drawn, by key and stamp: whoever asks meanwhile waits for it.
    drawing: Mutex<HashMap<(Key, String), Handoff>>,
}

/// Where a drawing hands its shared copy to the requests waiting on it.
type Handoff = tokio::sync::watch::Receiver<Option<Arc<KeptPage>>>;

/// Whose turn it is to draw a shared page.
pub enum Turn {
    /// This request draws it; the others wait until it calls [`Drawing::done`] or is dropped.
    Draw(Drawing),
    /// Another request is drawing it: wait with [`PageCache::wait`].
    Wait(Handoff),
}

/// A shared page being drawn by this request; dropping it lets the waiting requests go.
pub struct Drawing {
    cache: Arc<PageCache>,
    key: (Key, String),
    done: tokio::sync::watch::Sender<Option<Arc<KeptPage>>>,
}

impl Drawing {
    /// Hands the shared copy drawn to the requests waiting for it.
    pub fn done(&self, copy: Arc<KeptPage>) {
        self.done.send_replace(Some(copy));
    }
}

impl Drop for Drawing {
    fn drop(&mut self) {
        self.cache
            .drawing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

impl PageCache {
    /// A cache of at most `capacity` bytes over the database at `database_url`; 0 keeps nothing.
    pub fn new(database_url: &str, capacity: usize) -> PageCache {
        PageCache {
            capacity,
            watch: ChangeWatch::new(database_url),
            kept: Mutex::default(),
            judges: Mutex::default(),
            folding: std::sync::atomic::AtomicBool::new(false),
            served: AtomicU64::new(0),
            handed: AtomicU64::new(0),
            stand_ins: Arc::new(StandIns::new()),
            drawing: Mutex::default(),
        }
    }

    /// The stand-ins this process draws shared pages with.
    pub fn stand_ins(&self) -> Arc<StandIns> {
        self.stand_ins.clone()
    }

    /// Whether this request draws the shared page `key` at `stamp`, or waits for another that
    /// does.
    pub fn turn(self: &Arc<Self>, key: &Key, stamp: &str) -> Turn {
        let mut drawing = self.drawing.lock().unwrap_or_else(|p| p.into_inner());
        let id = (key.clone(), stamp.to_string());
        if let Some(rx) = drawing.get(&id) {
            return Turn::Wait(rx.clone());
        }
        let (tx, rx) = tokio::sync::watch::channel(None);
        drawing.insert(id.clone(), rx);
        Turn::Draw(Drawing {
            cache: self.clone(),
            key: id,
            done: tx,
        })
    }

    /// Waits until the drawing in progress is done: the shared copy it drew, or `None` when it
    /// drew nothing that may be kept (an error page, or its request went away).
    pub async fn wait(&self, rx: &mut Handoff) -> Option<Arc<KeptPage>> {
        // The copy comes through the handoff, not the cache: under a stream of commits the stamp
        // often moves on while the page is drawn, the cache refuses to keep it, and every waiter
        // would then draw the page again at once.
        let copy = match rx.wait_for(Option::is_some).await {
            Ok(copy) => copy.clone(),
            Err(_) => None,
        };
        if copy.is_some() {
            self.handed.fetch_add(1, Ordering::Relaxed);
        }
        copy
    }

    /// How many answers were a shared copy handed over by the request that drew it.
    pub fn handed(&self) -> u64 {
        self.handed.load(Ordering::Relaxed)
    }

    /// Whether pages are kept at all.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    /// The database's change stamp, or `None` (nothing kept or served) when it cannot be read.
    pub fn stamp(&self, conn: &mut DbConn) -> Option<String> {
        if !self.enabled() {
            return None;
        }
        self.watch
            .stamp(conn)
            .inspect_err(|e| tracing::debug!(error = %e, "no change stamp; page not kept"))
            .ok()
    }

    /// The stamp `watch` names: the database's, or the judge `judge`'s.
    pub fn stamp_of(&self, conn: &mut DbConn, watch: Watch, judge: i32) -> Option<String> {
        match watch {
            Watch::Database => self.stamp(conn),
            Watch::Judge => self.judge_stamp(conn, judge),
        }
    }

    /// The judge's stamp ([`JUDGE_STAMP`] and the count), or `None` when it cannot be read. The
    /// reader who finds many rows waiting folds them, one per process at a time.
    pub fn judge_stamp(&self, conn: &mut DbConn, judge: i32) -> Option<String> {
        if !self.enabled() {
            return None;
        }
        let (count, pending) = crate::db::judge_stamp(conn, judge)
            .inspect_err(|e| tracing::debug!(error = %e, "no judge stamp; page not kept"))
            .ok()?;
        if pending >= FOLD_AT && !self.folding.swap(true, Ordering::Acquire) {
            /// Lets the next reader fold, however this fold ends.
            struct Folded<'a>(&'a std::sync::atomic::AtomicBool);
            impl Drop for Folded<'_> {
                fn drop(&mut self) {
                    self.0.store(false, Ordering::Release);
                }
            }
            let _folded = Folded(&self.folding);
            if let Err(e) = crate::db::fold_page_changes(conn) {
                tracing::warn!(error = %e, "page changes not folded");
            }
        }
        Some(format!("{JUDGE_STAMP}{count}"))
    }

    /// The page kept under `key` at `stamp`. A later stamp than the kept pages' means something
    /// was committed since they were drawn: they are all dropped. An earlier one (a request that
    /// read it just before a commit) finds nothing and leaves them. A judge's stamp finds only
    /// the page drawn at that very stamp.
    pub fn get(&self, key: &Key, stamp: &str) -> Option<Arc<KeptPage>> {
        if judge_count(stamp).is_some() {
            let judges = self.judges.lock().unwrap_or_else(|p| p.into_inner());
            let page = judges
                .pages
                .get(key)
                .filter(|(at, _, _)| at == stamp)
                .map(|(_, _, p)| p.clone());
            if page.is_some() {
                self.served.fetch_add(1, Ordering::Relaxed);
            }
            return page;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.stamp != stamp {
            if ChangeWatch::later(stamp, &kept.stamp) {
                *kept = Kept {
                    stamp: stamp.to_string(),
                    ..Kept::default()
                };
            }
            return None;
        }
        let page = kept.pages.get(key).map(|(_, p)| p.clone());
        if page.is_some() {
            self.served.fetch_add(1, Ordering::Relaxed);
        }
        page
    }

    /// How many answers came from the cache since start.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Keeps a page drawn after `stamp` was read, unless the stamp has moved on meanwhile. When
    /// the cache is full it starts again empty: every page in it is as old as this stamp. Visitors
    /// who are not signed in share half of it, and fill only their own half and whatever the
    /// signed-in pages leave: however many of them come (results day), they never push out the
    /// organisers', judges' and units' pages. A page kept against a judge's stamp goes in the
    /// judges' own quarter, which likewise starts again empty when full.
    pub fn put(&self, key: Key, stamp: &str, page: KeptPage) -> Arc<KeptPage> {
        let page = Arc::new(page);
        let size = page.size() + key.target.len() + key.csrf.len();
        let visitor = key.session == 0;
        if size > self.capacity / 4 || key.target.len() > TARGET_MAX {
            return page;
        }
        if let Some(count) = judge_count(stamp) {
            let mut judges = self.judges.lock().unwrap_or_else(|p| p.into_inner());
            // A request that read its stamp before a commit and comes late leaves the newer copy.
            if let Some((at, old, _)) = judges.pages.get(&key) {
                if judge_count(at) > Some(count) {
                    return page;
                }
                let old = *old;
                judges.bytes -= old;
                judges.pages.remove(&key);
            }
            if judges.bytes + size > self.capacity / 4 {
                // Copies of a minute gone by are never served again: they go first.
                let minute = key.minute;
                judges.pages.retain(|k, _| k.minute >= minute);
                judges.bytes = judges.pages.values().map(|(_, size, _)| size).sum();
                if judges.bytes + size > self.capacity / 4 {
                    *judges = JudgesKept::default();
                }
            }
            judges.bytes += size;
            judges
                .pages
                .insert(key, (stamp.to_string(), size, page.clone()));
            return page;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.stamp != stamp {
            return page;
        }
        kept.remove(&key);
        if visitor {
            if kept.visitor_bytes + size > self.capacity / 2 {
                kept.drop_where(|k| k.session == 0);
            }
            // The signed-in pages fill the rest: a visitor's page waits for room, it never
            // makes it.
            if kept.bytes + size > self.capacity {
                return page;
            }
        } else if kept.bytes + size > self.capacity {
            kept.drop_where(|_| true);
        }
        kept.pages.insert(key, (size, page.clone()));
        kept.bytes += size;
        if visitor {
            kept.visitor_bytes += size;
        }
        page
    }

    /// The database's stamp outside a request's own database work: on SQLite without taking a
    /// pooled connection. `None` (the page drawn, not kept) when it cannot be read.
    pub async fn stamp_alone(self: Arc<Self>, pool: &crate::db::DbPool) -> Option<String> {
        if !self.enabled() {
            return None;
        }
        if self.watch.needs_connection() {
            return crate::db::run(pool, move |conn| Ok(self.stamp(conn)))
                .await
                .ok()
                .flatten();
        }
        tokio::task::spawn_blocking(move || self.watch.sqlite_stamp().ok())
            .await
            .ok()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> KeptPage {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        KeptPage::new(headers, Bytes::from(text.to_string()))
    }

    fn key(session: i32, target: &str) -> Key {
        Key {
            session,
            csrf: format!("token-{session}"),
            lang: Some(Lang::Id),
            minute: 1,
            target: target.into(),
        }
    }

    #[test]
    fn a_page_is_served_only_at_the_stamp_it_was_drawn_after_and_for_its_sign_in() {
        let cache = PageCache::new(":memory:", 1 << 20);
        assert!(cache.get(&key(1, "/a"), "7").is_none());
        cache.put(key(1, "/a"), "7", page("seven"));
        assert_eq!(cache.get(&key(1, "/a"), "7").unwrap().body, "seven");
        assert!(cache.get(&key(2, "/a"), "7").is_none(), "another sign-in");
        assert!(
            cache.get(&key(1, "/a?page=2"), "7").is_none(),
            "another address"
        );
        let mut later = key(1, "/a");
        later.minute += 1;
        assert!(cache.get(&later, "7").is_none(), "another minute");
        // A commit: the stamp moves and everything kept goes.
        assert!(cache.get(&key(1, "/a"), "8").is_none());
        assert!(
            cache.get(&key(1, "/a"), "7").is_none(),
            "dropped, not kept aside"
        );
        // A page drawn after a stamp that has since moved on is not kept.
        cache.put(key(1, "/b"), "7", page("old"));
        assert!(cache.get(&key(1, "/b"), "8").is_none());
        // A request that read its stamp before the last commit finds nothing, and leaves the
        // pages drawn after it.
        cache.get(&key(1, "/b"), "1:8");
        cache.put(key(1, "/b"), "1:8", page("new"));
        assert!(cache.get(&key(1, "/b"), "1:7").is_none());
        assert_eq!(cache.get(&key(1, "/b"), "1:8").unwrap().body, "new");
    }

    #[test]
    fn a_judges_page_is_served_at_its_own_stamp_whatever_else_commits() {
        let cache = PageCache::new(":memory:", 16384);
        let judge = |n: u64| format!("{JUDGE_STAMP}{n}");
        cache.put(key(1, "/judge"), &judge(5), page("five"));
        // The database's stamp moving (another page's view after a commit) leaves it.
        cache.get(&key(2, "/organiser"), "9:9");
        assert_eq!(
            cache.get(&key(1, "/judge"), &judge(5)).unwrap().body,
            "five"
        );
        assert!(cache.get(&key(1, "/judge"), &judge(6)).is_none(), "moved");
        assert!(
            cache.get(&key(2, "/judge"), &judge(5)).is_none(),
            "another sign-in"
        );
        // A request that read the older count and comes late leaves the newer copy.
        cache.put(key(1, "/judge"), &judge(6), page("six"));
        cache.put(key(1, "/judge"), &judge(5), page("late"));
        assert_eq!(cache.get(&key(1, "/judge"), &judge(6)).unwrap().body, "six");
        assert!(cache.get(&key(1, "/judge"), &judge(5)).is_none());
        // Full (a quarter of the cache, each page ~512 bytes more than its body): the minutes
        // gone by go first.
        cache.put(key(5, "/judge"), &judge(6), page(&"o".repeat(1500)));
        let mut now = key(3, "/judge");
        now.minute = 2;
        cache.put(now.clone(), &judge(6), page(&"x".repeat(500)));
        assert!(
            cache.get(&key(5, "/judge"), &judge(6)).is_some(),
            "not full yet"
        );
        let mut next = key(4, "/judge");
        next.minute = 2;
        cache.put(next.clone(), &judge(6), page(&"y".repeat(500)));
        assert!(
            cache.get(&key(1, "/judge"), &judge(6)).is_none(),
            "minute 1 dropped"
        );
        assert!(
            cache.get(&key(5, "/judge"), &judge(6)).is_none(),
            "minute 1 dropped"
        );
        assert!(cache.get(&now, &judge(6)).is_some(), "this minute's kept");
        assert!(cache.get(&next, &judge(6)).is_some());
    }

    #[test]
    fn stamps_are_ordered_as_they_were_read() {
        let later = ChangeWatch::later;
        // SQLite: times opened, then the count.
        assert!(later("1:8", "1:7") && !later("1:7", "1:8") && !later("1:7", "1:7"));
        assert!(
            later("2:1", "1:900"),
            "a reopened watch counts again from 1"
        );
        // PostgreSQL: xmax, then xmin, then fewer in progress.
        assert!(later("10:12:", "10:11:"));
        assert!(later("11:12:", "10:12:10"));
        assert!(later("10:12:10", "10:12:10,11"));
        assert!(!later("10:12:10,11", "10:12:10"));
        // Anything else counts as later: the kept pages go.
        assert!(later("?", "1:7") && later("1:7", ""));
    }

    #[test]
    fn a_full_cache_starts_again_and_a_page_too_large_is_never_kept() {
        let cache = PageCache::new(":memory:", 8192);
        cache.get(&key(1, "/"), "1");
        for target in ["/a", "/b", "/c", "/d", "/e"] {
            cache.put(key(1, target), "1", page(&"a".repeat(1200)));
        }
        assert!(cache.get(&key(1, "/a"), "1").is_none(), "emptied when full");
        assert!(cache.get(&key(1, "/e"), "1").is_some());
        cache.put(key(1, "/big"), "1", page(&"x".repeat(3000)));
        assert!(cache.get(&key(1, "/big"), "1").is_none());
        let endless = format!("/a?x={}", "y".repeat(TARGET_MAX));
        cache.put(key(1, &endless), "1", page("kecil"));
        assert!(
            cache.get(&key(1, &endless), "1").is_none(),
            "an endless address"
        );
        assert!(cache.kept.lock().unwrap().bytes <= 8192);
        let off = PageCache::new(":memory:", 0);
        assert!(!off.enabled());
    }

    #[test]
    fn visitors_wait_for_room_when_signed_in_pages_fill_more_than_half() {
        let cache = PageCache::new(":memory:", 8192);
        cache.get(&key(1, "/"), "1");
        // About 1.5 KB each: four signed-in pages take three quarters of the budget, so the
        // second visitor's page fits in the visitors' half but not in what is left.
        let signed_in = ["/a", "/b", "/c", "/d"];
        for target in signed_in {
            cache.put(key(1, target), "1", page(&"o".repeat(1000)));
        }
        for n in 0..3 {
            cache.put(
                key(0, &format!("/results/{n}")),
                "1",
                page(&"v".repeat(1000)),
            );
        }
        for target in signed_in {
            assert!(
                cache.get(&key(1, target), "1").is_some(),
                "{target} pushed out"
            );
        }
        assert!(
            cache.get(&key(0, "/results/0"), "1").is_some(),
            "room for one"
        );
        assert!(cache.get(&key(0, "/results/1"), "1").is_none(), "no room");
        let kept = cache.kept.lock().unwrap();
        assert!(kept.bytes <= 8192);
        let counted: usize = kept.pages.values().map(|(size, _)| size).sum();
        assert_eq!(kept.bytes, counted);
    }

    #[test]
    fn visitors_fill_only_their_half_and_the_count_of_bytes_stays_true() {
        let cache = PageCache::new(":memory:", 8192);
        cache.get(&key(1, "/"), "1");
        cache.put(key(1, "/organiser"), "1", page(&"o".repeat(1000)));
        for n in 0..20 {
            cache.put(
                key(0, &format!("/results/{n}")),
                "1",
                page(&"v".repeat(1000)),
            );
        }
        assert!(
            cache.get(&key(1, "/organiser"), "1").is_some(),
            "never pushed out"
        );
        let kept = cache.kept.lock().unwrap();
        assert!(kept.visitor_bytes <= 4096);
        let counted: usize = kept.pages.values().map(|(size, _)| size).sum();
        assert_eq!(kept.bytes, counted);
        let visitors: usize = kept
            .pages
            .iter()
            .filter(|(k, _)| k.session == 0)
            .map(|(_, (size, _))| size)
            .sum();
        assert_eq!(kept.visitor_bytes, visitors);
    }

    #[test]
    fn a_shared_page_is_written_out_with_each_readers_own_values_escaped() {
        let stand = StandIns::new();
        let drawn = format!(
            "<a>{n}</a><input value=\"{c}\"><p>biw biwx {e} {n}</p>biw",
            n = stand.name,
            c = stand.csrf,
            e = stand.email
        );
        let reader = Reader {
            csrf: "tok-EN_1",
            name: "Siti <Nur> & \"Ani\"",
            email: "siti@bekasikota.go.id",
        };
        let out = String::from_utf8(write_out(drawn.as_bytes(), &stand, &reader)).unwrap();
        assert_eq!(
            out,
            "<a>Siti &lt;Nur&gt; &amp; &quot;Ani&quot;</a><input value=\"tok-EN_1\">\
             <p>biw biwx siti@bekasikota.go.id Siti &lt;Nur&gt; &amp; &quot;Ani&quot;</p>biw"
        );
        assert_ne!(stand.name, StandIns::new().name, "random per process");
        let plain = b"<p>no stand-in here: biwiwi</p>";
        assert_eq!(write_out(plain, &stand, &reader), plain);
    }

    #[test]
    fn a_shared_page_gzipped_per_reader_unzips_to_the_page_written_out() {
        use std::io::Read;
        let stand = StandIns::new();
        let form = format!(
            "<form><input name=\"csrf\" value=\"{}\"><button>Simpan</button></form>",
            stand.csrf
        );
        let body = format!(
            "<header>{n}</header>{}<p>{e}</p>{}{}<footer>biw</footer>",
            form.repeat(40),
            "<tr><td>Inovasi pelayanan</td></tr>".repeat(300),
            form,
            n = stand.name,
            e = stand.email,
        );
        let copy = KeptPage::shared(HeaderMap::new(), Bytes::from(body.clone()), &stand);
        for name in ["Ani", "", &"Panjang ".repeat(9000)] {
            let reader = Reader {
                csrf: "tok_EN-1",
                name,
                email: "ani@bekasikota.go.id",
            };
            let page = copy.written_out(&reader);
            let expected = write_out(body.as_bytes(), &stand, &reader);
            assert_eq!(page.body, expected);
            let mut unzipped = Vec::new();
            flate2::read::GzDecoder::new(&page.gzipped.as_ref().unwrap()[..])
                .read_to_end(&mut unzipped)
                .unwrap();
            assert_eq!(unzipped, expected, "the joined gzip stream");
            if name.len() < 10 {
                assert!(page.gzipped.as_ref().unwrap().len() < expected.len() / 4);
            }
        }
        // The stand-ins are never sent as drawn.
        assert!(copy.gzipped.is_none());
    }

    /// The turns of two requests for `key` at `stamp`: the first draws, the second waits.
    fn draw_and_wait(cache: &Arc<PageCache>, key: &Key, stamp: &str) -> (Drawing, Handoff) {
        let Turn::Draw(drawing) = cache.turn(key, stamp) else {
            panic!("the first request draws");
        };
        let Turn::Wait(rx) = cache.turn(key, stamp) else {
            panic!("the second waits");
        };
        (drawing, rx)
    }

    fn wait_in_background(
        cache: &Arc<PageCache>,
        mut rx: Handoff,
    ) -> tokio::task::JoinHandle<Option<Arc<KeptPage>>> {
        let cache = cache.clone();
        tokio::spawn(async move { cache.wait(&mut rx).await })
    }

    #[tokio::test]
    async fn one_request_draws_a_shared_page_and_the_others_wait_for_it() {
        let cache = Arc::new(PageCache::new(":memory:", 1 << 20));
        let shared = key(1, "/organiser/rounds/1/assignments").shared();
        let (drawing, rx) = draw_and_wait(&cache, &shared, "7");
        assert!(
            matches!(cache.turn(&shared, "8"), Turn::Draw(_)),
            "another stamp is another drawing"
        );
        let waiting = wait_in_background(&cache, rx);
        cache.get(&shared, "7");
        let copy = cache.put(shared.clone(), "7", page("gambar"));
        drawing.done(copy);
        let handed = waiting.await.unwrap().expect("the copy is handed over");
        assert_eq!(handed.body, "gambar");
        drop(drawing);
        assert_eq!(cache.get(&shared, "7").unwrap().body, "gambar");
        assert!(
            matches!(cache.turn(&shared, "7"), Turn::Draw(_)),
            "done: the next request draws again if it must"
        );

        // A commit while the page is drawn: the cache no longer keeps it, the waiters still get it.
        let (drawing, rx) = draw_and_wait(&cache, &shared, "1:9");
        let waiting = wait_in_background(&cache, rx);
        assert!(cache.get(&shared, "1:10").is_none());
        let copy = cache.put(shared.clone(), "1:9", page("sembilan"));
        drawing.done(copy);
        drop(drawing);
        assert_eq!(waiting.await.unwrap().unwrap().body, "sembilan");
        assert!(
            cache.get(&shared, "9").is_none(),
            "not kept at an old stamp"
        );

        // A drawing that ends with nothing to share lets the waiters draw for themselves.
        let (drawing, rx) = draw_and_wait(&cache, &shared, "1:10");
        let waiting = wait_in_background(&cache, rx);
        drop(drawing);
        assert!(waiting.await.unwrap().is_none());
        assert_eq!(cache.handed(), 2);
        assert_eq!(shared.session, ORGANISERS);
        assert!(shared.csrf.is_empty());
    }

    #[test]
    fn a_kept_page_is_sent_gzipped_only_to_browsers_that_take_it() {
        let big = page(&"<p>Inovasi</p>".repeat(200));
        let zipped = big.response(true);
        assert_eq!(
            zipped.headers().get(header::CONTENT_ENCODING).unwrap(),
            "gzip"
        );
        assert_eq!(
            zipped.headers().get(header::CONTENT_TYPE).unwrap(),
            "text/html; charset=utf-8"
        );
        let plain = big.response(false);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        let small = page("<p>kecil</p>").response(true);
        assert!(small.headers().get(header::CONTENT_ENCODING).is_none());
    }
}
