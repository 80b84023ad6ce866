//! Editions and entries: drafts, evidence, submission rules, deadlines, the administrative check.

use biw::domain::Role;
use biw::models::edition;
use diesel::prelude::*;

use crate::helpers::{TestApp, assert_redirect, new_client, spawn_app};

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

fn words(n: usize) -> String {
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

#[tokio::test]
async fn a_draft_survives_and_autosave_guards_against_another_tab() {
    let app = spawn_app().await;
    open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let res = post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}/autosave"),
        &full_form(0, 12),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(body["lock_version"], 1);
    // A second tab still at version 0 does not overwrite it, and is told so.
    let mut stale = full_form(0, 5);
    stale[0].1 = "Nama dari tab lama".into();
    let res = post_pairs(&app, &staff, &format!("/opd/entries/{id}/autosave"), &stale).await;
    assert_eq!(res.status().as_u16(), 409);
    let res = post_pairs(&app, &staff, &format!("/opd/entries/{id}"), &stale).await;
    assert_eq!(res.status().as_u16(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Nama dari tab lama"),
        "what the stale tab typed is shown back, not lost"
    );
    // A new session (another day) finds the draft as saved.
    let later = new_client();
    app.login_with(&later, "staf@dinkes.biw.id", "correct horse battery")
        .await;
    let html = app
        .get_with(&later, &format!("/opd/entries/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("value=\"Patriot Mantap\""));
    assert!(html.contains("12 kata (minimal 300)"));
}

#[tokio::test]
async fn submission_lists_what_is_missing_and_only_the_endorser_submits() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}"),
        &full_form(0, 299),
    )
    .await;
    let res = app
        .post_form_with(&staff, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_redirect(&res, &format!("/opd/entries/{id}"));
    assert!(
        app.get_with(&staff, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Hanya endorser unit")
    );
    assert_eq!(status(&app, id).await, "draft");
    let res = app
        .post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("baru 299 kata, minimal 300 kata."), "{html}");
    assert!(
        html.contains("dasar hukum inovasi&quot; belum diunggah"),
        "a missing mandatory document is named"
    );
    assert_eq!(status(&app, id).await, "draft");
    // Complete it: one more word and the mandatory documents.
    post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}"),
        &full_form(1, 300),
    )
    .await;
    for k in kinds(&app, ed).await.iter().filter(|k| k.mandatory) {
        upload(&app, &staff, id, k.id, "bukti.pdf", PDF.to_vec()).await;
    }
    let res = app
        .post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_redirect(&res, &format!("/opd/entries/{id}"));
    assert_eq!(status(&app, id).await, "submitted");
    // Both operators of the unit get the receipt.
    for who in ["endorser@dinkes.biw.id", "staf@dinkes.biw.id"] {
        let mails = app.mails_to(who).await;
        assert_eq!(mails.len(), 1, "{who}");
        assert_eq!(mails[0].subject, "Tanda terima BIW: Patriot Mantap");
        assert!(mails[0].body_text.contains("Rancang bangun: 300 kata"));
    }
    // A submitted entry is read-only.
    let res = post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{id}"),
        &full_form(99, 300),
    )
    .await;
    assert_eq!(res.status().as_u16(), 403);
    // The second tab's submit changes nothing.
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(app.audit_count("entry.submitted").await, 1);
    assert_eq!(app.mails_to("staf@dinkes.biw.id").await.len(), 1);
}

#[tokio::test]
async fn evidence_is_typed_by_its_bytes_sized_and_private() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let all = kinds(&app, ed).await;
    let pdf_only = all.iter().find(|k| k.accepts == "pdf").unwrap().id;
    let image_only = all.iter().find(|k| k.accepts == "image").unwrap().id;
    // A PDF named .jpg is a PDF: fine where PDFs go, refused where only images go.
    let res = upload(&app, &staff, id, pdf_only, "scan.jpg", PDF.to_vec()).await;
    assert_redirect(&res, &format!("/opd/entries/{id}#evidence"));
    let res = upload(&app, &staff, id, image_only, "foto.jpg", PDF.to_vec()).await;
    assert_eq!(res.status().as_u16(), 303);
    let html = app
        .get_with(&staff, &format!("/opd/entries/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Jenis berkas tidak diterima"));
    // An executable renamed .pdf is refused; so is a file over the edition's 1 MB.
    upload(
        &app,
        &staff,
        id,
        pdf_only,
        "virus.pdf",
        b"MZ\x90\x00\x03".to_vec(),
    )
    .await;
    assert!(
        app.get_with(&staff, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Jenis berkas tidak diterima")
    );
    let mut big = PDF.to_vec();
    big.resize(2 * 1024 * 1024, b' ');
    upload(&app, &staff, id, pdf_only, "besar.pdf", big).await;
    assert!(
        app.get_with(&staff, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Berkas terlalu besar")
    );
    // A path in the name never becomes a path.
    upload(
        &app,
        &staff,
        id,
        pdf_only,
        "../../etc/passwd.pdf",
        PDF.to_vec(),
    )
    .await;
    let files = app
        .db(move |conn| biw::models::entry::files(conn, id).unwrap())
        .await;
    assert_eq!(files.len(), 1, "the replacement replaced");
    assert_eq!(files[0].original_name, "passwd.pdf");
    assert!(!files[0].stored_name.contains('/'));
    let url = format!("/entries/{id}/files/{}", files[0].id);
    let res = app.get_with(&staff, &url).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    // Another unit's operator, a judge and a visitor cannot have it.
    let other = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    let _ = other;
    let judge = new_client();
    app.login_with(&judge, "juri@x.biw.id", "correct horse battery")
        .await;
    assert_eq!(app.get_with(&judge, &url).await.status().as_u16(), 404);
    assert_eq!(
        app.get_with(&new_client(), &url).await.status().as_u16(),
        303
    );
    assert_eq!(app.audit_count("entry.file_replace").await, 1);
}

#[tokio::test]
async fn another_units_operator_cannot_see_or_touch_the_entry() {
    let app = spawn_app().await;
    open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let id = new_draft(&app, &staff).await;
    let stranger_id = app
        .create_user(Role::Opd, "opd@kecamatan.biw.id", "correct horse battery")
        .await;
    app.db(move |conn| {
        use biw::db::schema::users;
        let unit = biw::models::unit::find_by_name(conn, "Kecamatan Jatiasih")
            .unwrap()
            .unwrap()
            .id;
        diesel::update(users::table.find(stranger_id))
            .set((users::unit_id.eq(unit), users::is_endorser.eq(true)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let stranger = new_client();
    app.login_with(&stranger, "opd@kecamatan.biw.id", "correct horse battery")
        .await;
    assert_eq!(
        app.get_with(&stranger, &format!("/opd/entries/{id}"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        post_pairs(
            &app,
            &stranger,
            &format!("/opd/entries/{id}"),
            &full_form(0, 300)
        )
        .await
        .status()
        .as_u16(),
        404
    );
    assert_eq!(
        app.post_form_with(&stranger, &format!("/opd/entries/{id}/submit"), &[])
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(status(&app, id).await, "draft");
}

#[tokio::test]
async fn deadlines_are_the_servers_and_an_extension_opens_one_unit() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    // The deadline passed a second ago.
    app.db(move |conn| {
        use biw::db::schema::editions;
        diesel::update(editions::table.find(ed))
            .set(editions::registration_closes_at.eq(biw::db::now() - chrono::Duration::seconds(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "draft");
    assert!(
        app.get_with(&endorser, &format!("/opd/entries/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Batas waktu sudah lewat")
    );
    // An organiser grants Dinas Kesehatan two more days.
    app.login_as(Role::Organiser).await;
    let unit = app
        .db(|conn| {
            biw::models::unit::find_by_name(conn, "Dinas Kesehatan")
                .unwrap()
                .unwrap()
                .id
        })
        .await;
    let later = biw::time::to_jakarta_local(biw::db::now() + chrono::Duration::days(2));
    let res = app
        .post_form(
            &format!("/organiser/editions/{ed}/extensions"),
            &[
                ("unit_id", &unit.to_string()),
                ("closes_at", &later),
                ("reason", "Banjir"),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/editions/{ed}#extensions"));
    assert_eq!(app.audit_count("edition.extend_unit").await, 1);
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "submitted");
}

#[tokio::test]
async fn returned_revised_resubmitted_and_passed_with_the_history_kept() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    app.login_as(Role::Organiser).await;
    // Every filter, sort and page number parses (numbers in a query string once broke the list).
    for q in [
        "?page=2&sort=unit",
        "?category=1&stage=penerapan&unit_type=dinas&sort=submitted",
        "?status=submitted&page=1",
    ] {
        assert_eq!(
            app.get(&format!("/organiser/entries{q}"))
                .await
                .status()
                .as_u16(),
            200,
            "{q}"
        );
    }
    let list = app.page("/organiser/entries?q=patriot").await;
    assert!(list.contains("Patriot Mantap") && list.contains("Dinas Kesehatan"));
    // Nothing is pre-ticked: a decision without a verdict on every item is refused, per item, and
    // what was typed comes back.
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &[
                ("reason_video", "Video terlalu panjang"),
                ("decision", "pass"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    let codes = item_codes(&app, ed).await;
    for code in &codes {
        assert!(
            html.contains(&format!("id=\"e-item_{code}\"")),
            "{code} needs a verdict"
        );
        assert!(
            html.contains(&format!("href=\"#f-item_{code}\"")),
            "the summary links to {code}"
        );
    }
    assert!(
        html.contains("value=\"Video terlalu panjang\""),
        "the reason typed is kept"
    );
    for code in &codes {
        for v in ["pass", "fail"] {
            let ticked = format!("name=\"item_{code}\" value=\"{v}\" checked");
            assert!(!html.contains(&ticked), "no item starts ticked: {code}");
        }
    }
    // Returning without a reason for the unmet item is refused.
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(
                &codes,
                &[
                    ("item_video", "fail"),
                    ("reason_video", ""),
                    ("decision", "return"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(&codes, &[("item_video", "fail"), ("decision", "pass")]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(
                &codes,
                &[
                    ("item_video", "fail"),
                    ("reason_video", "Video lebih dari 5 menit"),
                    ("decision", "return"),
                    ("note", "Mohon diperbaiki"),
                ],
            ),
        )
        .await;
    assert_redirect(&res, &format!("/organiser/entries/{id}"));
    assert_eq!(status(&app, id).await, "returned");
    let mail = app.mails_to("staf@dinkes.biw.id").await.pop().unwrap();
    assert!(mail.subject.contains("dikembalikan"));
    assert!(mail.body_text.contains("Video lebih dari 5 menit"));
    let page = app
        .get_with(&staff, &format!("/opd/entries/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Video lebih dari 5 menit") && page.contains("Mohon diperbaiki"));
    let mut form = full_form(0, 320);
    let lock = app
        .db(move |conn| {
            biw::models::entry::find(conn, id)
                .unwrap()
                .unwrap()
                .lock_version
        })
        .await;
    form.retain(|(k, _)| k != "lock_version");
    form.push(("lock_version".into(), lock.to_string()));
    form[13].1 = "https://youtu.be/pendek".into();
    assert_eq!(
        post_pairs(&app, &staff, &format!("/opd/entries/{id}"), &form)
            .await
            .status()
            .as_u16(),
        303
    );
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    assert_eq!(status(&app, id).await, "resubmitted");
    let res = app
        .post_form(
            &format!("/organiser/entries/{id}/check"),
            &verdicts(&codes, &[("decision", "pass")]),
        )
        .await;
    assert_redirect(&res, &format!("/organiser/entries/{id}"));
    assert_eq!(status(&app, id).await, "passed");
    let html = app.page(&format!("/organiser/entries/{id}")).await;
    for s in [
        "Terkirim",
        "Dikembalikan untuk perbaikan",
        "Dikirim ulang",
        "Lolos seleksi administrasi",
        "Video lebih dari 5 menit",
    ] {
        assert!(html.contains(s), "{s}");
    }
    let csv = app.get("/organiser/entries/export.csv?status=passed").await;
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("Patriot Mantap")
            && text.contains("Lolos seleksi administrasi")
            && text.contains("Dinas Kesehatan")
    );
    assert!(
        text.contains("Administrasi kependudukan dan pencatatan sipil"),
        "option labels, not codes"
    );
    let xlsx = app
        .get("/organiser/entries/export.xlsx?status=passed")
        .await;
    assert_eq!(xlsx.status().as_u16(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx is a zip file");
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(
        strings.contains("Patriot Mantap")
            && strings.contains("Dinas Kesehatan")
            && strings.contains("Nama inovasi")
    );
    assert_eq!(app.audit_count("entry.passed").await, 1);
}

#[tokio::test]
async fn withdraw_and_reopen_before_the_deadline() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (endorser, staff) = unit_team(&app).await;
    let id = ready_entry(&app, &staff, ed).await;
    app.post_form_with(&endorser, &format!("/opd/entries/{id}/submit"), &[])
        .await;
    app.post_form_with(&staff, &format!("/opd/entries/{id}/withdraw"), &[])
        .await;
    assert_eq!(status(&app, id).await, "withdrawn");
    app.post_form_with(&staff, &format!("/opd/entries/{id}/reopen"), &[])
        .await;
    assert_eq!(status(&app, id).await, "draft");
}

#[tokio::test]
async fn editions_validate_copy_settings_and_send_the_open_call_once() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let res = app
        .post_form(
            "/organiser/editions/new",
            &[
                ("name", "BIW 2027"),
                ("year", "2027"),
                ("registration_opens_at", "2027-04-01T08:00"),
                ("registration_closes_at", "2027-03-01T08:00"),
                ("screening_closes_at", "2027-06-01T08:00"),
                ("min_narrative_words", "300"),
                ("max_entries_per_unit", "5"),
                ("max_file_mb", "5"),
                ("reminder_days", "7,x"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Harus sesudah pendaftaran dibuka.")
            && html.contains("Tulis angka hari dipisah koma")
    );
    assert!(html.contains("value=\"BIW 2027\""), "typed values are kept");
    let first = open_edition(&app).await;
    app.db(move |conn| {
        use biw::db::schema::categories;
        diesel::update(categories::table.filter(categories::edition_id.eq(first)))
            .set(categories::name_id.eq("Kategori khusus"))
            .execute(conn)
            .unwrap();
    })
    .await;
    let res = app
        .post_form(
            "/organiser/editions/new",
            &[
                ("name", "BIW 2027"),
                ("year", "2027"),
                ("registration_opens_at", "2027-04-01T08:00"),
                ("registration_closes_at", "2027-05-01T08:00"),
                ("screening_closes_at", "2027-06-01T08:00"),
                ("min_narrative_words", "250"),
                ("max_entries_per_unit", "3"),
                ("max_file_mb", "5"),
                ("reminder_days", "7,3,1"),
                ("required", "name"),
                ("required", "narrative"),
                ("copy_from", &first.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let second: i32 = crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (cats, e) = app
        .db(move |conn| {
            (
                edition::categories(conn, second).unwrap(),
                edition::find(conn, second).unwrap().unwrap(),
            )
        })
        .await;
    assert!(cats.iter().all(|c| c.name_id == "Kategori khusus"));
    assert_eq!(e.required_fields, "name,narrative");
    assert_eq!(e.copied_from_id, Some(first));
    // Registration of the first edition is open: the open call goes to active operators, once.
    app.create_user(Role::Opd, "opd1@x.biw.id", "correct horse battery")
        .await;
    let state = app.state.clone();
    let n = app
        .db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
        .await;
    assert_eq!(n, 1);
    let state = app.state.clone();
    assert_eq!(
        app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
            .await,
        0
    );
    assert!(
        app.mails_to("opd1@x.biw.id").await[0]
            .subject
            .contains("pendaftaran inovasi dibuka")
    );
}

#[tokio::test]
async fn an_earlier_entry_can_be_entered_again_once() {
    let app = spawn_app().await;
    let first = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    let old = new_draft(&app, &staff).await;
    post_pairs(
        &app,
        &staff,
        &format!("/opd/entries/{old}"),
        &full_form(0, 300),
    )
    .await;
    // Last year's edition is over; this year's is open.
    app.db(move |conn| {
        use biw::db::schema::editions;
        let past = biw::db::now() - chrono::Duration::days(400);
        diesel::update(editions::table.find(first))
            .set((
                editions::registration_opens_at.eq(past),
                editions::registration_closes_at.eq(past),
                editions::screening_closes_at.eq(past),
                editions::year.eq(2025),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
    open_edition(&app).await;
    let res = app
        .post_form_with(&staff, &format!("/opd/entries/{old}/reenter"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let new_id: i32 = crate::helpers::location(&res)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let new = app
        .db(move |conn| biw::models::entry::find(conn, new_id).unwrap().unwrap())
        .await;
    assert_eq!(new.name, "Patriot Mantap");
    assert_eq!(new.previous_entry_id, Some(old));
    assert_eq!(new.status, "draft");
}

#[tokio::test]
async fn units_with_unsubmitted_drafts_are_reminded_once_before_the_deadline() {
    let app = spawn_app().await;
    let ed = open_edition(&app).await;
    let (_, staff) = unit_team(&app).await;
    new_draft(&app, &staff).await;
    // A unit with nothing in draft is not reminded.
    let other = app
        .create_user(Role::Opd, "opd@kecamatan.biw.id", "correct horse battery")
        .await;
    app.db(move |conn| {
        use biw::db::schema::{editions, users};
        let unit = biw::models::unit::find_by_name(conn, "Kecamatan Jatiasih")
            .unwrap()
            .unwrap()
            .id;
        diesel::update(users::table.find(other))
            .set(users::unit_id.eq(unit))
            .execute(conn)
            .unwrap();
        // Two and a half days before the deadline: the 7- and 3-day reminders are due, the 1-day one not yet.
        diesel::update(editions::table.find(ed))
            .set(editions::registration_closes_at.eq(biw::db::now() + chrono::Duration::hours(60)))
            .execute(conn)
            .unwrap();
    })
    .await;
    let state = app.state.clone();
    app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
        .await;
    let state = app.state.clone();
    app.db(move |conn| biw::scheduler::tick(conn, &state).unwrap())
        .await;
    let reminders = |mails: Vec<biw::models::outbox::OutboxMail>| {
        mails
            .into_iter()
            .filter(|m| m.template == "reminder")
            .count()
    };
    assert_eq!(
        reminders(app.mails_to("staf@dinkes.biw.id").await),
        2,
        "the 7- and 3-day reminders, once each"
    );
    assert_eq!(reminders(app.mails_to("endorser@dinkes.biw.id").await), 2);
    assert_eq!(reminders(app.mails_to("opd@kecamatan.biw.id").await), 0);
    let mail = app
        .mails_to("staf@dinkes.biw.id")
        .await
        .into_iter()
        .find(|m| m.template == "reminder")
        .unwrap();
    assert!(
        mail.subject.contains("batas waktu dalam"),
        "{}",
        mail.subject
    );
}
