//! Every URL of the platform, in one table. Each row says who may use it; the gate enforces that
//! before the handler runs, and `tests/api/permissions.rs` walks this same table for every role.

use actix_web::{guard, web};

use crate::domain::{Access, Role};
use crate::web::{account, assets, auth, gate, home, iid, judge, opd, organiser, results};

/// A route as declared in the table.
#[derive(Debug, Clone, Copy)]
pub struct RouteInfo {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path pattern, e.g. `/organiser/users/{id}`.
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
}

const ORGANISER: Access = Access::Only(Role::Organiser);
const OPD: Access = Access::Only(Role::Opd);
const JUDGE: Access = Access::Only(Role::Judge);
const PUBLIC: Access = Access::Public;
const OPEN: Access = Access::Open;
const USER: Access = Access::User;

macro_rules! routes {
    ($( $method:ident $path:literal $access:ident => $handler:path; )*) => {
        /// The route table.
        pub const ROUTES: &[RouteInfo] = &[
            $( RouteInfo { method: method_name!($method), path: $path, access: $access }, )*
        ];

        /// Registers every route behind its gate.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        .guard(guard::$method())
                        .wrap(actix_web::middleware::from_fn(|req, next| gate::gate($access, req, next)))
                        .to($handler),
                );
            )*
        }
    };
}

macro_rules! method_name {
    (Get) => {
        "GET"
    };
    (Post) => {
        "POST"
    };
}

routes! {
    Get  "/"                                   PUBLIC    => home::index;
    Get  "/healthz"                            OPEN      => home::healthz;
    Get  "/assets/{path:.*}"                   OPEN      => assets::get;
    Post "/lang"                               PUBLIC    => account::set_lang;

    Get  "/results"                            PUBLIC    => results::public_index;
    Get  "/results/{id}"                       PUBLIC    => results::public_edition;
    Get  "/results/{id}/results.csv"           PUBLIC    => results::public_csv;
    Get  "/results/{id}/results.json"          PUBLIC    => results::public_json;
    Get  "/results/{id}/entries/{entry}"       PUBLIC    => results::public_entry;

    Get  "/login"                              PUBLIC    => auth::login_form;
    Post "/login"                              PUBLIC    => auth::login;
    Post "/logout"                             PUBLIC    => auth::logout;
    Get  "/password/forgot"                    PUBLIC    => auth::forgot_form;
    Post "/password/forgot"                    PUBLIC    => auth::forgot;
    Get  "/password/reset/{token}"             PUBLIC    => auth::reset_form;
    Post "/password/reset/{token}"             PUBLIC    => auth::reset;
    Get  "/invite/{token}"                     PUBLIC    => auth::invite_form;
    Post "/invite/{token}"                     PUBLIC    => auth::accept_invite;

    Get  "/account"                            USER      => account::show;
    Post "/account/password"                   USER      => account::change_password;
    Post "/account/sessions/end-others"        USER      => account::end_other_sessions;
    Post "/account/sessions/{id}/end"          USER      => account::end_session;

    Get  "/opd"                                OPD       => opd::entries::dashboard;
    Post "/opd/entries/new"                    OPD       => opd::entries::create;
    Get  "/opd/entries/{id}"                   OPD       => opd::entries::show;
    Post "/opd/entries/{id}"                   OPD       => opd::entries::save;
    Post "/opd/entries/{id}/autosave"          OPD       => opd::entries::autosave;
    Post "/opd/entries/{id}/submit"            OPD       => opd::entries::submit;
    Post "/opd/entries/{id}/withdraw"          OPD       => opd::entries::withdraw;
    Post "/opd/entries/{id}/reopen"            OPD       => opd::entries::reopen;
    Post "/opd/entries/{id}/reenter"           OPD       => opd::entries::reenter;
    Post "/opd/entries/{id}/files"             OPD       => opd::entries::upload_file;
    Post "/opd/entries/{id}/files/{file}/delete" OPD     => opd::entries::delete_file;
    Get  "/opd/entries/{id}/feedback"          OPD       => results::opd_feedback;
    Post "/opd/entries/{id}/objections"        OPD       => results::opd_object;
    Get  "/opd/entries/{id}/iid"               OPD       => iid::form;
    Post "/opd/entries/{id}/iid"               OPD       => iid::save;
    Get  "/entries/{id}/iid/files/{file}"      USER      => iid::download;
    Get  "/entries/{id}/files/{file}"          USER      => opd::entries::download;
    Get  "/judge"                              JUDGE     => judge::dashboard;
    Post "/judge/declaration/{edition}"        JUDGE     => judge::accept_declaration;
    Get  "/judge/sheets/{id}"                  JUDGE     => judge::show;
    Post "/judge/sheets/{id}"                  JUDGE     => judge::save;
    Post "/judge/sheets/{id}/autosave"         JUDGE     => judge::autosave;
    Post "/judge/sheets/{id}/conflict"         JUDGE     => judge::declare_conflict;
    Get  "/organiser"                          ORGANISER => home::organiser;

    Get  "/organiser/users"                    ORGANISER => organiser::users::list;
    Get  "/organiser/users/new"                ORGANISER => organiser::users::new_form;
    Post "/organiser/users/new"                ORGANISER => organiser::users::create;
    Get  "/organiser/users/import"             ORGANISER => organiser::users::import_form;
    Post "/organiser/users/import"             ORGANISER => organiser::users::import;
    Get  "/organiser/users/{id}"               ORGANISER => organiser::users::edit_form;
    Post "/organiser/users/{id}"               ORGANISER => organiser::users::update;
    Post "/organiser/users/{id}/active"        ORGANISER => organiser::users::set_active;
    Post "/organiser/users/{id}/resend"        ORGANISER => organiser::users::resend;

    Get  "/organiser/units"                    ORGANISER => organiser::units::list;
    Get  "/organiser/units/new"                ORGANISER => organiser::units::new_form;
    Post "/organiser/units/new"                ORGANISER => organiser::units::create;
    Get  "/organiser/units/import"             ORGANISER => organiser::units::import_form;
    Post "/organiser/units/import"             ORGANISER => organiser::units::import;
    Get  "/organiser/units/{id}"               ORGANISER => organiser::units::edit_form;
    Post "/organiser/units/{id}"               ORGANISER => organiser::units::update;
    Post "/organiser/units/{id}/active"        ORGANISER => organiser::units::set_active;

    Get  "/organiser/outbox"                   ORGANISER => organiser::outbox::list;
    Get  "/organiser/outbox/{id}"              ORGANISER => organiser::outbox::show;
    Post "/organiser/outbox/retry-failed"      ORGANISER => organiser::outbox::retry_all;
    Post "/organiser/outbox/{id}/retry"        ORGANISER => organiser::outbox::retry;

    Get  "/organiser/audit"                    ORGANISER => organiser::audit::list;

    Get  "/organiser/editions"                 ORGANISER => organiser::editions::list;
    Get  "/organiser/editions/new"             ORGANISER => organiser::editions::new_form;
    Post "/organiser/editions/new"             ORGANISER => organiser::editions::create;
    Get  "/organiser/editions/{id}"            ORGANISER => organiser::editions::edit_form;
    Post "/organiser/editions/{id}"            ORGANISER => organiser::editions::update;
    Post "/organiser/editions/{id}/extensions" ORGANISER => organiser::editions::extend;
    Get  "/organiser/editions/{id}/lists"      ORGANISER => organiser::editions::lists_form;
    Post "/organiser/editions/{id}/lists"      ORGANISER => organiser::editions::save_lists;
    Get  "/organiser/editions/{id}/judging"    ORGANISER => organiser::rounds::overview;
    Get  "/organiser/editions/{id}/awards"     ORGANISER => organiser::awards::show;
    Post "/organiser/editions/{id}/awards"     ORGANISER => organiser::awards::save_rule;
    Get  "/organiser/editions/{id}/awards/certificates" ORGANISER => organiser::awards::certificates;
    Get  "/organiser/editions/{id}/shortlist"  ORGANISER => organiser::shortlist::show;
    Post "/organiser/editions/{id}/shortlist/add" ORGANISER => organiser::shortlist::add;
    Post "/organiser/editions/{id}/shortlist/notify" ORGANISER => organiser::shortlist::notify;
    Post "/organiser/editions/{id}/shortlist/remove" ORGANISER => organiser::shortlist::remove;
    Get  "/organiser/editions/{id}/shortlist.csv" ORGANISER => organiser::shortlist::export_csv;
    Get  "/organiser/editions/{id}/shortlist.xlsx" ORGANISER => organiser::shortlist::export_xlsx;
    Get  "/organiser/editions/{id}/shortlist/print" ORGANISER => organiser::shortlist::print;
    Get  "/organiser/editions/{id}/iid-indicators" ORGANISER => organiser::shortlist::indicators;
    Post "/organiser/editions/{id}/iid-indicators" ORGANISER => organiser::shortlist::save_indicators;
    Post "/organiser/editions/{id}/rubrics"    ORGANISER => organiser::rubrics::create;
    Post "/organiser/editions/{id}/rounds"     ORGANISER => organiser::rounds::create;
    Get  "/organiser/rubrics/{id}"             ORGANISER => organiser::rubrics::edit_form;
    Post "/organiser/rubrics/{id}"             ORGANISER => organiser::rubrics::save;
    Get  "/organiser/rounds/{id}"              ORGANISER => organiser::rounds::show;
    Post "/organiser/rounds/{id}"              ORGANISER => organiser::rounds::update;
    Post "/organiser/rounds/{id}/entries"      ORGANISER => organiser::rounds::add_entries;
    Post "/organiser/rounds/{id}/schedule"     ORGANISER => organiser::rounds::save_schedule;
    Post "/organiser/rounds/{id}/schedule/send" ORGANISER => organiser::rounds::send_schedule;
    Post "/organiser/rounds/{id}/judges"       ORGANISER => organiser::assignments::add_judges;
    Post "/organiser/rounds/{id}/judges/remove" ORGANISER => organiser::assignments::remove_judges;
    Get  "/organiser/rounds/{id}/assignments"  ORGANISER => organiser::assignments::board;
    Post "/organiser/rounds/{id}/assignments"  ORGANISER => organiser::assignments::assign;
    Post "/organiser/rounds/{id}/assignments/auto" ORGANISER => organiser::assignments::auto;
    Post "/organiser/rounds/{id}/assignments/withdraw" ORGANISER => organiser::assignments::withdraw;
    Post "/organiser/rounds/{id}/notify"       ORGANISER => organiser::assignments::notify;
    Post "/organiser/assignments/{id}/remove"  ORGANISER => organiser::assignments::unassign;
    Get  "/organiser/rounds/{id}/progress"     ORGANISER => organiser::sheets::progress;
    Post "/organiser/rounds/{id}/remind"       ORGANISER => organiser::sheets::remind;
    Get  "/organiser/rounds/{id}/sheets.csv"   ORGANISER => organiser::sheets::export_csv;
    Get  "/organiser/rounds/{id}/sheets.xlsx"  ORGANISER => organiser::sheets::export_xlsx;
    Get  "/organiser/rounds/{id}/results"      ORGANISER => organiser::results::show;
    Post "/organiser/rounds/{id}/results/settings" ORGANISER => organiser::results::save_settings;
    Get  "/organiser/rounds/{id}/results.csv"  ORGANISER => organiser::results::export_csv;
    Get  "/organiser/rounds/{id}/results.xlsx" ORGANISER => organiser::results::export_xlsx;
    Get  "/organiser/rounds/{id}/results/judges" ORGANISER => organiser::results::judges;
    Get  "/organiser/rounds/{id}/results/entries/{entry}" ORGANISER => organiser::moderation::show;
    Post "/organiser/rounds/{id}/results/entries/{entry}/notes" ORGANISER => organiser::moderation::add_note;
    Post "/organiser/rounds/{id}/results/entries/{entry}/judges" ORGANISER => organiser::moderation::add_judge;
    Post "/organiser/rounds/{id}/results/freeze" ORGANISER => organiser::results::freeze;
    Post "/organiser/rounds/{id}/results/unfreeze" ORGANISER => organiser::results::unfreeze;
    Post "/organiser/rounds/{id}/results/sign-off" ORGANISER => organiser::results::sign_off;
    Post "/organiser/rounds/{id}/results/publish" ORGANISER => organiser::results::publish;
    Post "/organiser/rounds/{id}/results/unpublish" ORGANISER => organiser::results::unpublish;
    Post "/organiser/rounds/{id}/results/promote" ORGANISER => organiser::results::promote;
    Post "/organiser/rounds/{id}/results/promotion/undo" ORGANISER => organiser::results::undo_promotion;
    Post "/organiser/rounds/{id}/results/objections" ORGANISER => organiser::results::open_objections;
    Post "/organiser/rounds/{id}/results/final" ORGANISER => organiser::results::finalise;
    Post "/organiser/objections/{id}/answer"   ORGANISER => organiser::results::answer_objection;
    Get  "/organiser/sheets/{id}"              ORGANISER => organiser::sheets::paper_form;
    Post "/organiser/sheets/{id}"              ORGANISER => organiser::sheets::paper_save;
    Post "/organiser/sheets/{id}/reopen"       ORGANISER => organiser::sheets::reopen;
    Get  "/organiser/editions/{ed}/judges/{judge}" ORGANISER => organiser::judges::show;
    Post "/organiser/editions/{ed}/judges/{judge}/expertise" ORGANISER => organiser::judges::set_expertise;
    Post "/organiser/editions/{ed}/judges/{judge}/conflicts" ORGANISER => organiser::judges::set_conflict;

    Get  "/organiser/entries"                  ORGANISER => organiser::entries::list;
    Get  "/organiser/entries/export.csv"       ORGANISER => organiser::entries::export_csv;
    Get  "/organiser/entries/export.xlsx"      ORGANISER => organiser::entries::export_xlsx;
    Get  "/organiser/entries/{id}"             ORGANISER => organiser::entries::show;
    Get  "/organiser/entries/{id}/feedback"    ORGANISER => results::organiser_feedback;
    Get  "/organiser/entries/{id}/iid"         ORGANISER => iid::review;
    Post "/organiser/entries/{id}/check"       ORGANISER => organiser::entries::check;
}
