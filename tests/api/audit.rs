//! Every state change leaves an audit event with who, what, which object, when and from where.

use biw::domain::Role;

use crate::helpers::spawn_app;

#[tokio::test]
async fn changes_are_audited_with_actor_address_and_before_after() {
    let app = spawn_app().await;
    let me = app.login_as(Role::Organiser).await;
    let id = app
        .create_user(Role::Judge, "juri@x.biw.id", "correct horse battery")
        .await;
    app.post_form(
        &format!("/organiser/users/{id}"),
        &[
            ("name", "Dr. Juri"),
            ("role", "judge"),
            ("affiliation", "BRIN"),
        ],
    )
    .await;
    let events = app
        .db(move |conn| {
            let f = biw::models::audit::AuditFilter {
                action: Some("user.update".into()),
                ..Default::default()
            };
            biw::models::audit::list(conn, &f, (None, None), 10)
                .unwrap()
                .0
        })
        .await;
    assert_eq!(events.len(), 1);
    let (e, actor) = &events[0];
    assert_eq!(e.actor_id, Some(me));
    assert_eq!(actor.as_deref(), Some("organiser@test.biw.id"));
    assert_eq!(e.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!((e.object_type.as_str(), e.object_id), ("user", Some(id)));
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
    assert_eq!(detail["before"]["name"], "Test judge");
    assert_eq!(detail["after"]["name"], "Dr. Juri");
    assert_eq!(detail["after"]["affiliation"], "BRIN");
}

#[tokio::test]
async fn the_audit_page_filters_by_action_actor_and_date() {
    let app = spawn_app().await;
    app.login_as(Role::Organiser).await;
    app.post_form(
        "/organiser/units/new",
        &[("name", "Unit Audit"), ("unit_type", "uptd")],
    )
    .await;
    let html = app.page("/organiser/audit?action=unit.create").await;
    assert!(html.contains("Unit Audit") && !html.contains("data-action=\"auth.login\""));
    assert!(
        html.contains("Menambah perangkat daerah"),
        "the action reads as a sentence"
    );
    let html = app.page("/organiser/audit?actor=organiser%40test").await;
    assert!(
        html.contains("data-action=\"unit.create\"") && html.contains("data-action=\"auth.login\"")
    );
    assert!(html.contains("Test organiser"), "the actor by name");
    let html = app
        .page("/organiser/audit?action=unit.create&to=2020-01-01")
        .await;
    assert!(html.contains("Tidak ada data yang cocok."));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let html = app
        .page(&format!("/organiser/audit?action=unit.create&from={today}"))
        .await;
    assert!(html.contains("Unit Audit"));
}
