//! What the edition and entry tests share: an open edition, a unit's team, drafts, forms, uploads.

use biw::domain::Role;
use biw::models::edition;
use diesel::prelude::*;

use crate::helpers::{TestApp, new_client};

/// An edition open now (closing in a week), created through the service as an organiser would.
pub async fn open_edition(app: &TestApp) -> i32 {
    app.db(|conn| {
        let fmt = |d: chrono::NaiveDateTime| biw::time::to_jakarta_local(d);
        let now = biw::db::now();
        let mut input = biw::services::editions::SettingsInput::new_for_year(2026);
        input.registration_opens_at = fmt(now - chrono::Duration::days(1));
        input.registration_closes_at = fmt(now + chrono::Duration::days(7));
        input.screening_closes_at = fmt(now + chrono::Duration::days(14));
        input.results_at = fmt(now + chrono::Duration::days(30));
        input.max_file_mb = "1".into();
        biw::services::editions::create(conn, &biw::audit::Actor::system(), &input, None).unwrap()
    })
    .await
}

/// The operators of Dinas Kesehatan: (endorser client, plain operator client).
pub async fn unit_team(app: &TestApp) -> (reqwest::Client, reqwest::Client) {
    let endorser_id = app
        .create_user(Role::Opd, "endorser@dinkes.biw.id", "correct horse battery")
        .await;
    app.create_user(Role::Opd, "staf@dinkes.biw.id", "correct horse battery")
        .await;
    app.db(move |conn| {
        use biw::db::schema::users;
        diesel::update(users::table.find(endorser_id))
            .set(users::is_endorser.eq(true))
            .execute(conn)
            .unwrap();
    })
    .await;
    let (a, b) = (new_client(), new_client());
    app.login_with(&a, "endorser@dinkes.biw.id", "correct horse battery")
        .await;
    app.login_with(&b, "staf@dinkes.biw.id", "correct horse battery")
        .await;
    (a, b)
}

pub fn words(n: usize) -> String {
    (0..n)
        .map(|i| format!("kata{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The codes of an edition's checklist.
pub async fn item_codes(app: &TestApp, edition_id: i32) -> Vec<String> {
    app.db(move |conn| {
        edition::check_items(conn, edition_id)
            .unwrap()
            .into_iter()
            .map(|i| i.code)
            .collect()
    })
    .await
}

/// A check form: every item met unless `given` says otherwise, plus the other fields in `given`.
pub fn verdicts<'a>(codes: &'a [String], given: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form: Vec<(&str, &str)> = given.to_vec();
    for code in codes {
        let key = format!("item_{code}");
        if !given.iter().any(|(k, _)| *k == key) {
            form.push((Box::leak(key.into_boxed_str()), "pass"));
        }
    }
    form
}

/// A complete entry form for `lock_version`.
pub fn full_form(lock: i32, narrative_words: usize) -> Vec<(String, String)> {
    [
        ("name", "Patriot Mantap".to_string()),
        ("stage", "penerapan".into()),
        ("initiator", "perangkat_daerah".into()),
        ("inno_type", "non_digital".into()),
        ("inno_form", "pelayanan_publik".into()),
        ("theme", "non_tematik".into()),
        ("urusan", "adminduk".into()),
        ("trial_date", "2025-01-06".into()),
        ("implementation_date", "2025-03-01".into()),
        ("narrative", words(narrative_words)),
        ("purpose", "Mendekatkan layanan adminduk".into()),
        (
            "benefits",
            "Warga lansia dan difabel terlayani di rumah".into(),
        ),
        ("results", "1.200 dokumen terbit".into()),
        ("video_url", "https://www.youtube.com/watch?v=abc".into()),
        ("contact_name", "Budi".into()),
        ("contact_phone", "0812-3456-7890".into()),
        ("lock_version", lock.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub async fn post_pairs(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    pairs: &[(String, String)],
) -> reqwest::Response {
    let token = app.csrf_for(client).await;
    let mut all = pairs.to_vec();
    all.push(("csrf".into(), token));
    client
        .post(format!("{}{}", app.address, path))
        .form(&all)
        .send()
        .await
        .unwrap()
}

pub async fn new_draft(app: &TestApp, client: &reqwest::Client) -> i32 {
    let res = app.post_form_with(client, "/opd/entries/new", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    entry: i32,
    kind: i32,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let token = app.csrf_for(client).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .text("kind", kind.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    client
        .post(format!("{}/opd/entries/{entry}/files", app.address))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub async fn kinds(app: &TestApp, edition_id: i32) -> Vec<edition::EvidenceKind> {
    app.db(move |conn| edition::evidence_kinds(conn, edition_id).unwrap())
        .await
}

pub async fn status(app: &TestApp, id: i32) -> String {
    app.db(move |conn| biw::models::entry::find(conn, id).unwrap().unwrap().status)
        .await
}

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF";

/// A draft with every field and every mandatory document: ready to submit.
pub async fn ready_entry(app: &TestApp, client: &reqwest::Client, edition_id: i32) -> i32 {
    let id = new_draft(app, client).await;
    let res = post_pairs(
        app,
        client,
        &format!("/opd/entries/{id}"),
        &full_form(0, 300),
    )
    .await;
    assert_eq!(res.status().as_u16(), 303);
    for k in kinds(app, edition_id).await.iter().filter(|k| k.mandatory) {
        let res = upload(app, client, id, k.id, "bukti.pdf", PDF.to_vec()).await;
        assert_eq!(res.status().as_u16(), 303);
    }
    id
}
