//! The unit directory: create, edit, hierarchy, deactivation, CSV import.

use biw::domain::Role;

use crate::helpers::{assert_redirect, spawn_app};

async fn unit_count(app: &crate::helpers::TestApp) -> i64 {
    app.db(|conn| biw::models::unit::count(conn).unwrap()).await
}

#[tokio::test]
async fn known_units_are_seeded_with_their_parents() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    assert!(unit_count(&app).await >= 44);
    let (rsud, dinkes) = app
        .db(|conn| {
            let rsud = biw::models::unit::find_by_name(conn, "RSUD dr. Chasbullah Abdulmadjid")
                .unwrap()
                .unwrap();
            let dinkes = biw::models::unit::find_by_name(conn, "Dinas Kesehatan")
                .unwrap()
                .unwrap();
            (rsud, dinkes)
        })
        .await;
    assert_eq!(rsud.parent_id, Some(dinkes.id));
    assert_eq!(rsud.unit_type, "rsud");
    let html = app.page("/organiser/units?unit_type=rsud").await;
    assert!(html.contains("RSUD dr. Chasbullah Abdulmadjid"));
    assert!(!html.contains("Kecamatan Jatiasih"));
    assert!(
        html.contains("Dinas Kesehatan"),
        "each row names its parent"
    );
    // The database filters and pages the directory: any case, counts of the match and of all,
    // pages in name order with nothing repeated or skipped.
    let all = unit_count(&app).await;
    let html = app.page("/organiser/units?q=KESEHATAN").await;
    assert!(html.contains("Dinas Kesehatan"));
    assert!(!html.contains("Kecamatan Jatiasih"));
    assert!(html.contains(&format!("dari {all} data")));
    let mut seen = Vec::new();
    for page in 1..=(all + 49) / 50 {
        let html = app.page(&format!("/organiser/units?page={page}")).await;
        seen.extend(
            html.match_indices("href=\"/organiser/units/")
                .map(|(at, m)| {
                    let rest = &html[at + m.len()..];
                    rest[..rest.find('"').unwrap()].to_string()
                })
                .filter(|id| id.parse::<i32>().is_ok()),
        );
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len() as i64, all, "every unit once over the pages");
    assert_eq!(unique.len(), seen.len());
}

#[tokio::test]
async fn an_organiser_creates_edits_and_deactivates_a_unit() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let dinkes = app.unit_id("Dinas Kesehatan").await;
    let parent = dinkes.to_string();
    let res = app
        .post_form(
            "/organiser/units/new",
            &[
                ("name", "  Puskesmas   Bekasi Jaya "),
                ("unit_type", "puskesmas"),
                ("parent_id", &parent),
            ],
        )
        .await;
    assert_redirect(&res, "/organiser/units");
    let unit = app
        .db(|conn| {
            biw::models::unit::find_by_name(conn, "puskesmas bekasi jaya")
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(unit.name, "Puskesmas Bekasi Jaya", "spaces are tidied");
    assert_eq!(unit.parent_id, Some(dinkes));
    // The same name (any case) is refused, with the typed values kept.
    let res = app
        .post_form(
            "/organiser/units/new",
            &[
                ("name", "PUSKESMAS BEKASI JAYA"),
                ("unit_type", "puskesmas"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Nama unit ini sudah ada."));
    assert!(html.contains("value=\"PUSKESMAS BEKASI JAYA\""));
    // No type and no name: both pointed out.
    let res = app
        .post_form(
            "/organiser/units/new",
            &[("name", ""), ("unit_type", "ministry")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Wajib diisi.") && html.contains("Pilih salah satu dari daftar."));
    // A unit cannot sit under its own child.
    let id = unit.id;
    let child = app
        .post_form(
            "/organiser/units/new",
            &[
                ("name", "Pustu Bekasi Jaya"),
                ("unit_type", "uptd"),
                ("parent_id", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(child.status().as_u16(), 303);
    let child_id = app.unit_id("Pustu Bekasi Jaya").await;
    let res = app
        .post_form(
            &format!("/organiser/units/{id}"),
            &[
                ("name", "Puskesmas Bekasi Jaya"),
                ("unit_type", "puskesmas"),
                ("parent_id", &child_id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("tidak dapat menjadi induk")
    );
    let res = app
        .post_form(
            &format!("/organiser/units/{id}"),
            &[
                ("name", "UPTD Puskesmas Bekasi Jaya"),
                ("unit_type", "puskesmas"),
                ("parent_id", &parent),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/units/{id}"));
    let res = app
        .post_form(
            &format!("/organiser/units/{id}/active"),
            &[("active", "false")],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/units/{id}"));
    let unit = app
        .db(move |conn| biw::models::unit::find(conn, id).unwrap().unwrap())
        .await;
    assert_eq!(unit.name, "UPTD Puskesmas Bekasi Jaya");
    assert!(!unit.active);
    assert!(
        app.page("/organiser/units?status=inactive")
            .await
            .contains("UPTD Puskesmas Bekasi Jaya")
    );
    assert_eq!(app.audit_count("unit.create").await, 2);
    assert_eq!(app.audit_count("unit.update").await, 1);
    assert_eq!(app.audit_count("unit.deactivate").await, 1);
    app.assert_tallies_agree().await;
}

#[tokio::test]
async fn csv_import_of_units_takes_every_row() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let before = unit_count(&app).await;
    // Semicolons, an Indonesian header, a BOM and a child listed before its parent.
    let csv = "\u{feff}nama;jenis;induk\nKelurahan Jatiasih;kelurahan;Kecamatan Jatiasih\nPustu Jatiasih;uptd;Puskesmas Jatiasih\nPuskesmas Jatiasih;puskesmas;Dinas Kesehatan\n";
    let res = app
        .upload(
            "/organiser/units/import",
            "units.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_redirect(&res, "/organiser/units");
    assert_eq!(unit_count(&app).await, before + 3);
    let (pustu, pkm) = app
        .db(|conn| {
            (
                biw::models::unit::find_by_name(conn, "Pustu Jatiasih")
                    .unwrap()
                    .unwrap(),
                biw::models::unit::find_by_name(conn, "Puskesmas Jatiasih")
                    .unwrap()
                    .unwrap(),
            )
        })
        .await;
    assert_eq!(pustu.parent_id, Some(pkm.id));
    assert!(
        app.page("/organiser/units")
            .await
            .contains("3 baris berhasil diimpor.")
    );
    assert_eq!(app.audit_count("unit.import").await, 1);
    app.assert_tallies_agree().await;
}

#[tokio::test]
async fn csv_import_with_bad_rows_imports_nothing_and_reports_each_row() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let before = unit_count(&app).await;
    let csv = "name,type,parent\nPuskesmas Baru,puskesmas,Dinas Kesehatan\n,dinas,\nDinas Kesehatan,dinas,\nUnit X,ministry,\nPuskesmas Baru,puskesmas,\nUnit Y,uptd,Dinas Tidak Ada\n";
    let res = app
        .upload(
            "/organiser/units/import",
            "units.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert_eq!(unit_count(&app).await, before, "nothing imported");
    assert!(html.contains("Tidak ada yang diimpor"));
    for (line, text) in [
        (3, "Wajib diisi."),
        (4, "Nama unit ini sudah ada."),
        (5, "Jenis unit &quot;ministry&quot; tidak dikenal."),
        (6, "muncul lebih dari sekali"),
        (
            7,
            "Perangkat daerah &quot;Dinas Tidak Ada&quot; tidak ditemukan.",
        ),
    ] {
        let row = format!("<td data-label=\"Baris\">{line}</td>");
        let at = html
            .find(&row)
            .unwrap_or_else(|| panic!("line {line} reported"));
        assert!(
            html[at..].contains(text),
            "line {line}: {text} in {}",
            &html[at..]
        );
    }
    assert!(
        !html.contains("<td data-label=\"Baris\">2</td>"),
        "the good row is not reported"
    );
}

#[tokio::test]
async fn unreadable_uploads_get_a_clear_message() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let res = app
        .upload(
            "/organiser/units/import",
            "units.csv",
            b"nama,induk\nX,\n".to_vec(),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Kolom wajib tidak ditemukan")
    );
    let res = app
        .upload(
            "/organiser/units/import",
            "units.csv",
            vec![0xff, 0xfe, 0x00, 0x41],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("bukan teks UTF-8"));
    let res = app
        .upload(
            "/organiser/units/import",
            "units.csv",
            vec![b'a'; 3 * 1024 * 1024],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("terlalu besar"));
    let res = app
        .upload("/organiser/units/import", "units.csv", Vec::new())
        .await;
    assert_eq!(res.status().as_u16(), 422);
}

#[tokio::test]
async fn a_name_with_letters_beyond_ascii_is_found_again_on_every_path() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let dinkes = app.unit_id("Dinas Kesehatan").await.to_string();
    let name = "Puskesmas Ciketing Udik Ä";
    let form = [
        ("name", name),
        ("unit_type", "puskesmas"),
        ("parent_id", dinkes.as_str()),
    ];
    let res = app.post_form("/organiser/units/new", &form).await;
    assert_eq!(res.status().as_u16(), 303, "created");
    assert!(
        biw::models::unit::find_by_name(
            &mut app.state.pool.get().unwrap(),
            "puskesmas ciketing udik Ä"
        )
        .unwrap()
        .is_some(),
        "found whatever the case of its ASCII letters"
    );
    // The same name again, by form and by import: a clear message, never a 500.
    let by_form = app.post_form("/organiser/units/new", &form).await;
    let csv = format!("name,type,parent\n{name},puskesmas,Dinas Kesehatan\n");
    let by_import = app
        .upload("/organiser/units/import", "units.csv", csv.into_bytes())
        .await;
    for res in [by_form, by_import] {
        assert_eq!(res.status().as_u16(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("Nama unit ini sudah ada."));
    }
    // A case the database's lower() folds or not: either way an answer, never an error.
    let other_case = [
        ("name", "Puskesmas Ciketing Udik ä"),
        ("unit_type", "puskesmas"),
        ("parent_id", dinkes.as_str()),
    ];
    let res = app.post_form("/organiser/units/new", &other_case).await;
    assert!(
        [303, 422].contains(&res.status().as_u16()),
        "{}",
        res.status()
    );
}
