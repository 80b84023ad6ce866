//! The organiser's user list, edits and the CSV import of users.

use biw::domain::Role;

use crate::helpers::{assert_redirect, spawn_app};

#[tokio::test]
async fn csv_import_of_users_invites_everyone() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let csv = "email,name,role,unit,affiliation,lang\nani@bekasikota.go.id,Ani Rahmawati,opd,Dinas Kesehatan,,id\nbudi@brin.go.id,Dr. Budi Hartono,judge,,BRIN,en\n";
    let res = app
        .upload(
            "/organiser/users/import",
            "users.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_redirect(&res, "/organiser/users");
    let ani = app.mails_to("ani@bekasikota.go.id").await;
    let budi = app.mails_to("budi@brin.go.id").await;
    assert_eq!((ani.len(), budi.len()), (1, 1));
    assert!(
        budi[0].subject.contains("invitation"),
        "Budi asked for English"
    );
    let list = app.page("/organiser/users?status=invited").await;
    assert!(list.contains("Ani Rahmawati") && list.contains("Dr. Budi Hartono"));
    // Each row names its unit (or the outside institution).
    let ani_row = list.split("Ani Rahmawati").nth(1).unwrap();
    let ani_row = &ani_row[..ani_row.find("</tr>").unwrap()];
    assert!(ani_row.contains("Dinas Kesehatan"), "{ani_row}");
    let budi_row = list.split("Dr. Budi Hartono").nth(1).unwrap();
    assert!(budi_row[..budi_row.find("</tr>").unwrap()].contains("BRIN"));
    assert_eq!(app.audit_count("user.import").await, 1);
    assert_eq!(app.audit_count("user.invite").await, 2);
    app.assert_tallies_agree().await;
}

#[tokio::test]
async fn csv_import_of_users_with_bad_rows_imports_nothing() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let csv = "email,name,role,unit\nok@x.biw.id,Ok,opd,Dinas Kesehatan\nbad-email,Bad,opd,Dinas Kesehatan\nnounit@x.biw.id,No Unit,opd,\nok@x.biw.id,Twice,judge,\nwho@x.biw.id,Who,admin,\nfar@x.biw.id,Far,opd,Dinas Luar Kota\n";
    let res = app
        .upload(
            "/organiser/users/import",
            "users.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(
        app.mails_to("ok@x.biw.id").await.is_empty(),
        "nothing imported, nothing sent"
    );
    for (line, text) in [
        (3, "Masukkan alamat email yang benar"),
        (4, "Operator OPD harus terhubung"),
        (5, "muncul lebih dari sekali"),
        (6, "Pilih salah satu dari daftar."),
        (7, "tidak ditemukan"),
    ] {
        let row = format!("<td data-label=\"Baris\">{line}</td>");
        let at = html
            .find(&row)
            .unwrap_or_else(|| panic!("line {line} reported in {html}"));
        assert!(html[at..].contains(text), "line {line}: {text}");
    }
}

#[tokio::test]
async fn the_user_list_filters_and_edits_are_audited() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let id = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    app.create_user(Role::Opd, "opd@x.biw.id", "correct horse battery")
        .await;
    let html = app.page("/organiser/users?role=judge").await;
    assert!(html.contains("juri@x.biw.id") && !html.contains("opd@x.biw.id"));
    let html = app.page("/organiser/users?q=OPD%40x").await;
    assert!(html.contains("opd@x.biw.id") && !html.contains("juri@x.biw.id"));
    let res = app
        .post_form(
            &format!("/organiser/users/{id}"),
            &[
                ("name", "Dr. Juri Baru"),
                ("role", "judge"),
                ("affiliation", "Universitas Indonesia"),
            ],
        )
        .await;
    assert_redirect(&res, &format!("/organiser/users/{id}"));
    let u = app
        .db(move |conn| biw::models::user::find(conn, id).unwrap().unwrap())
        .await;
    assert_eq!(u.name, "Dr. Juri Baru");
    assert_eq!(u.affiliation.as_deref(), Some("Universitas Indonesia"));
    let res = app
        .post_form(
            &format!("/organiser/users/{id}"),
            &[("name", ""), ("role", "opd")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let audit = app
        .page(&format!("/organiser/audit?object_type=user&object_id={id}"))
        .await;
    assert!(audit.contains("user.update"));
    assert!(audit.contains("Dr. Juri Baru"));
    assert_eq!(
        app.get("/organiser/users/999999").await.status().as_u16(),
        404
    );
}

#[tokio::test]
async fn endorsers_are_set_by_the_csv_import_and_shown_in_the_list() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    let bad = "email,nama,peran,unit,pengesah\nj@x.biw.id,Juri,judge,,ya\nm@x.biw.id,Mungkin,opd,Dinas Kesehatan,mungkin\n";
    let res = app
        .upload(
            "/organiser/users/import",
            "users.csv",
            bad.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Hanya operator OPD yang dapat menjadi pengesah"));
    assert!(html.contains("Tulis &quot;ya&quot; atau &quot;tidak&quot;"));
    let good = "email,nama,peran,unit,pengesah\nani@x.biw.id,Ani,opd,Dinas Kesehatan,ya\nbudi@x.biw.id,Budi,opd,Dinas Kesehatan,\n";
    let res = app
        .upload(
            "/organiser/users/import",
            "users.csv",
            good.as_bytes().to_vec(),
        )
        .await;
    assert_redirect(&res, "/organiser/users");
    let flags = app
        .db(|conn| {
            let ani = biw::models::user::find_by_email(conn, "ani@x.biw.id")
                .unwrap()
                .unwrap();
            let budi = biw::models::user::find_by_email(conn, "budi@x.biw.id")
                .unwrap()
                .unwrap();
            (ani.is_endorser, budi.is_endorser)
        })
        .await;
    assert_eq!(flags, (true, false));
    let list = app.page("/organiser/users?q=ani%40x").await;
    assert!(list.contains("Pengesah"), "the list shows who endorses");
}

/// Two organisers acting on each other at the same moment: whoever comes second is no longer an
/// active organiser when their change runs, and it is refused, so one organiser always remains.
#[tokio::test]
async fn an_organiser_deactivated_meanwhile_cannot_deactivate_or_demote_anyone() {
    let app = spawn_app().await;
    let a = app
        .create_user(Role::Organiser, "a@panitia.biw.id", "correct horse battery")
        .await;
    let b = app
        .create_user(Role::Organiser, "b@panitia.biw.id", "correct horse battery")
        .await;
    let results = app
        .db(move |conn| {
            use biw::audit::Actor;
            use biw::services::accounts;
            let as_user = |id: i32| Actor {
                user_id: Some(id),
                ip: None,
            };
            // A's change commits first; B's, sent at the same moment, runs after it.
            accounts::set_active(conn, &as_user(a), b, false).unwrap();
            let deactivate = accounts::set_active(conn, &as_user(b), a, false);
            let edit = accounts::UserEdit {
                name: "A".into(),
                role: "judge".into(),
                ..Default::default()
            };
            let demote = accounts::update_user(conn, &as_user(b), a, &edit);
            let a_now = biw::models::user::find(conn, a).unwrap().unwrap();
            (deactivate, demote.map(|_| ()), a_now.active, a_now.role)
        })
        .await;
    assert!(
        matches!(results.0, Err(biw::error::AppError::Forbidden)),
        "{:?}",
        results.0
    );
    assert!(
        matches!(results.1, Err(biw::error::AppError::Forbidden)),
        "{:?}",
        results.1
    );
    assert!(results.2, "A is still active");
    assert_eq!(results.3, "organiser");
}
