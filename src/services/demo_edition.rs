//! The demo's competition: about a hundred units, last year's edition, and this year's open edition
//! with a few hundred entries in every status, so a new user sees the platform full.

use chrono::Duration;
use diesel::prelude::*;

use crate::audit::Actor;
use crate::db::schema::{entries, entry_events, units};
use crate::db::{self, DbConn};
use crate::error::AppError;
use crate::models::unit::{self, NewUnit};
use crate::services::editions::{self, SettingsInput};
use crate::time::to_jakarta_local;

const KELURAHAN: &[(&str, &str)] = &[
    ("Jatiasih", "Kecamatan Jatiasih"),
    ("Jatimekar", "Kecamatan Jatiasih"),
    ("Jatirasa", "Kecamatan Jatiasih"),
    ("Jatiluhur", "Kecamatan Jatiasih"),
    ("Jatikramat", "Kecamatan Jatiasih"),
    ("Jatisari", "Kecamatan Jatiasih"),
    ("Pekayon Jaya", "Kecamatan Bekasi Selatan"),
    ("Jakasetia", "Kecamatan Bekasi Selatan"),
    ("Kayuringin Jaya", "Kecamatan Bekasi Selatan"),
    ("Margajaya", "Kecamatan Bekasi Selatan"),
    ("Bekasi Jaya", "Kecamatan Bekasi Timur"),
    ("Duren Jaya", "Kecamatan Bekasi Timur"),
    ("Aren Jaya", "Kecamatan Bekasi Timur"),
    ("Margahayu", "Kecamatan Bekasi Timur"),
    ("Harapan Jaya", "Kecamatan Bekasi Utara"),
    ("Kaliabang Tengah", "Kecamatan Bekasi Utara"),
    ("Perwira", "Kecamatan Bekasi Utara"),
    ("Teluk Pucung", "Kecamatan Bekasi Utara"),
    ("Marga Mulya", "Kecamatan Bekasi Utara"),
    ("Harapan Baru", "Kecamatan Bekasi Utara"),
    ("Bintara", "Kecamatan Bekasi Barat"),
    ("Kranji", "Kecamatan Bekasi Barat"),
    ("Kota Baru", "Kecamatan Bekasi Barat"),
    ("Jakasampurna", "Kecamatan Bekasi Barat"),
    ("Bintara Jaya", "Kecamatan Bekasi Barat"),
    ("Pengasinan", "Kecamatan Rawalumbu"),
    ("Bojong Rawalumbu", "Kecamatan Rawalumbu"),
    ("Sepanjang Jaya", "Kecamatan Rawalumbu"),
    ("Bojong Menteng", "Kecamatan Rawalumbu"),
    ("Jatiwaringin", "Kecamatan Pondok Gede"),
    ("Jatibening", "Kecamatan Pondok Gede"),
    ("Jatimakmur", "Kecamatan Pondok Gede"),
    ("Jatirahayu", "Kecamatan Pondok Melati"),
    ("Jatiwarna", "Kecamatan Pondok Melati"),
    ("Jatiranggon", "Kecamatan Jatisampurna"),
    ("Jatikarya", "Kecamatan Jatisampurna"),
    ("Cikiwul", "Kecamatan Bantar Gebang"),
    ("Ciketing Udik", "Kecamatan Bantar Gebang"),
    ("Sumur Batu", "Kecamatan Bantar Gebang"),
    ("Mustika Jaya", "Kecamatan Mustika Jaya"),
    ("Cimuning", "Kecamatan Mustika Jaya"),
    ("Pejuang", "Kecamatan Medan Satria"),
    ("Harapan Mulya", "Kecamatan Medan Satria"),
];

const PUSKESMAS: &[&str] = &[
    "Jatiasih",
    "Pekayon Jaya",
    "Bekasi Jaya",
    "Rawalumbu",
    "Pengasinan",
    "Bintara",
    "Kranji",
    "Harapan Jaya",
    "Perwira",
    "Teluk Pucung",
    "Marga Mulya",
    "Pondok Gede",
    "Jatiwaringin",
    "Jatibening",
    "Pondok Melati",
    "Jatisampurna",
    "Bantar Gebang",
    "Mustika Jaya",
    "Medan Satria",
    "Kaliabang Tengah",
];

const NAMES: &[&str] = &[
    "SiTaro",
    "Patriot Mantap",
    "Jemput Bola Adminduk Lansia dan Difabel",
    "Posyandu Digital",
    "Sekolah Ramah Difabel",
    "Klinik UMKM Difabel",
    "Layanan Kesehatan Daring",
    "Bank Sampah Berbasis Aplikasi",
    "Gerai Perizinan Keliling",
    "Rumah Baca Kelurahan",
    "Sistem Antrean Puskesmas",
    "Ambulans Gratis 24 Jam",
    "Kampung Tangguh Bencana",
    "Pasar Rakyat Digital",
    "E-Kinerja Kecamatan",
    "Pojok Konsultasi Stunting",
    "Lapak Ikan Segar",
    "Satu Data Kelurahan",
    "Desa Wisata Kreatif",
    "Pelatihan Kerja Pemuda",
    "Layanan Aduan Cepat",
    "Peta Rawan Banjir",
    "Karang Taruna Digital",
    "Bus Sekolah Gratis",
    "Pemantauan Gizi Balita",
];

fn narrative(name: &str, unit: &str) -> String {
    let sentences = [
        format!("Inovasi {name} lahir dari kebutuhan warga yang dilayani {unit}."),
        "Dasar hukumnya adalah peraturan wali kota tentang pelayanan publik dan keputusan kepala perangkat daerah tentang tim pelaksana.".to_string(),
        "Permasalahan utama adalah jarak, antrean panjang, dan informasi yang sulit dijangkau oleh warga lanjut usia serta penyandang disabilitas.".to_string(),
        "Isu strategis yang dijawab adalah pemerataan layanan dasar dan percepatan transformasi digital pemerintah daerah.".to_string(),
        "Metode yang digunakan memadukan kunjungan langsung, formulir sederhana, dan pemantauan data setiap pekan oleh tim.".to_string(),
        "Keunikannya terletak pada keterlibatan kader kelurahan dan komunitas difabel sejak perencanaan sampai evaluasi.".to_string(),
        "Tahapan inovasi dimulai dari pemetaan kebutuhan, uji coba di dua kelurahan, lalu penerapan ke seluruh wilayah kota.".to_string(),
    ];
    let mut out = String::new();
    while out.split_whitespace().count() < 320 {
        for s in &sentences {
            out.push_str(s);
            out.push(' ');
        }
        out.push('\n');
    }
    out.trim().to_string()
}

/// Adds the demo units, last year's edition and this year's with its entries; returns (last year, this
/// year).
pub fn load(conn: &mut DbConn, organiser: Option<i32>) -> Result<(i32, i32), AppError> {
    let now = db::now();
    for (name, parent) in KELURAHAN {
        let parent_id = unit::find_by_name(conn, parent)?.map(|u| u.id);
        unit::insert(
            conn,
            &NewUnit {
                name: &format!("Kelurahan {name}"),
                unit_type: "kelurahan",
                parent_id,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    let dinkes = unit::find_by_name(conn, "Dinas Kesehatan")?.map(|u| u.id);
    for name in PUSKESMAS {
        unit::insert(
            conn,
            &NewUnit {
                name: &format!("Puskesmas {name}"),
                unit_type: "puskesmas",
                parent_id: dinkes,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    let actor = Actor {
        user_id: organiser,
        ip: None,
    };
    let mut last_year = SettingsInput::new_for_year(2025);
    last_year.name = "BIW 2025".into();
    let past = editions::create(conn, &actor, &last_year, None)?;
    let mut this_year = SettingsInput::new_for_year(2026);
    this_year.registration_opens_at = to_jakarta_local(now - Duration::days(10));
    this_year.registration_closes_at = to_jakarta_local(now + Duration::days(20));
    this_year.screening_closes_at = to_jakarta_local(now + Duration::days(40));
    this_year.results_at = to_jakarta_local(now + Duration::days(70));
    let current = editions::create(conn, &actor, &this_year, Some(past))?;
    let all_units: Vec<(i32, String)> = units::table
        .select((units::id, units::name))
        .order(units::id.asc())
        .load(conn)?;
    let cats = crate::models::edition::categories(conn, current)?;
    // Status mix of a busy screening week: (status, how many).
    let mix = [
        ("draft", 60),
        ("submitted", 90),
        ("returned", 25),
        ("resubmitted", 15),
        ("passed", 60),
        ("rejected", 10),
        ("withdrawn", 10),
    ];
    let stages = ["inisiatif", "uji_coba", "penerapan"];
    let urusan = [
        "kesehatan",
        "adminduk",
        "pendidikan",
        "sosial",
        "kominfo",
        "lingkungan_hidup",
        "perdagangan",
        "koperasi_ukm",
    ];
    let mut n = 0usize;
    for (status, count) in mix {
        for _ in 0..count {
            let flagship = match n {
                0 => all_units
                    .iter()
                    .find(|u| u.1 == "RSUD dr. Chasbullah Abdulmadjid"),
                1 => all_units
                    .iter()
                    .find(|u| u.1 == "Dinas Kependudukan dan Pencatatan Sipil"),
                _ => None,
            };
            let (unit_id, unit_name) = flagship.unwrap_or(&all_units[(n * 7) % all_units.len()]);
            let name = if n < NAMES.len() {
                NAMES[n].to_string()
            } else {
                format!(
                    "{} {}",
                    NAMES[n % NAMES.len()],
                    unit_name.split(' ').next_back().unwrap_or_default()
                )
            };
            let digital = n.is_multiple_of(2);
            let created = now - Duration::hours((n as i64 % 200) + 24);
            let stage = stages[n % 3];
            let id: i32 = diesel::insert_into(entries::table)
                .values((
                    entries::edition_id.eq(current),
                    entries::unit_id.eq(unit_id),
                    entries::category_id.eq(cats.get(if digital { 0 } else { 1 }).map(|c| c.id)),
                    entries::name.eq(&name),
                    entries::stage.eq(stage),
                    entries::initiator.eq("perangkat_daerah"),
                    entries::inno_type.eq(if digital { "digital" } else { "non_digital" }),
                    entries::inno_form.eq("pelayanan_publik"),
                    entries::theme.eq(if digital {
                        "digitalisasi_layanan"
                    } else {
                        "non_tematik"
                    }),
                    entries::urusan.eq(urusan[n % urusan.len()]),
                    entries::trial_date.eq(chrono::NaiveDate::from_ymd_opt(
                        2025,
                        1 + (n % 12) as u32,
                        1,
                    )),
                    entries::implementation_date.eq((stage == "penerapan")
                        .then(|| chrono::NaiveDate::from_ymd_opt(2025, 12, 1))
                        .flatten()),
                    entries::narrative.eq(narrative(&name, unit_name)),
                    entries::purpose
                        .eq("Mendekatkan layanan kepada warga yang paling sulit menjangkaunya."),
                    entries::benefits.eq("Waktu layanan lebih singkat dan warga rentan terlayani."),
                    entries::results.eq(format!(
                        "{} warga terlayani pada tahun pertama.",
                        300 + n * 13
                    )),
                    entries::video_url.eq(format!("https://www.youtube.com/watch?v=biw{n:04}")),
                    entries::contact_name.eq("Operator Inovasi"),
                    entries::contact_phone.eq(format!("0812{:08}", 10_000_000 + n)),
                    entries::status.eq(status),
                    entries::created_by.eq(None::<i32>),
                    entries::submitted_at
                        .eq((status != "draft").then_some(created + Duration::hours(3))),
                    entries::created_at.eq(created),
                    entries::updated_at.eq(created + Duration::hours(3)),
                ))
                .returning(entries::id)
                .get_result(conn)?;
            let path: &[(&str, &str)] = match status {
                "submitted" => &[("draft", "submitted")],
                "returned" => &[("draft", "submitted"), ("submitted", "returned")],
                "resubmitted" => &[
                    ("draft", "submitted"),
                    ("submitted", "returned"),
                    ("returned", "resubmitted"),
                ],
                "passed" => &[("draft", "submitted"), ("submitted", "passed")],
                "rejected" => &[("draft", "submitted"), ("submitted", "rejected")],
                "withdrawn" => &[("draft", "submitted"), ("submitted", "withdrawn")],
                _ => &[],
            };
            for (i, (from, to)) in path.iter().enumerate() {
                let note = if *to == "returned" {
                    "Bukti dukung regulasi belum ditandatangani."
                } else {
                    ""
                };
                diesel::insert_into(entry_events::table)
                    .values((
                        entry_events::entry_id.eq(id),
                        entry_events::from_status.eq(from),
                        entry_events::to_status.eq(to),
                        entry_events::actor_id.eq(
                            if *to == "submitted" || *to == "withdrawn" || *to == "resubmitted" {
                                None
                            } else {
                                organiser
                            },
                        ),
                        entry_events::note.eq(note),
                        entry_events::created_at.eq(created + Duration::hours(3 + i as i64 * 24)),
                    ))
                    .execute(conn)?;
            }
            n += 1;
        }
    }
    Ok((past, current))
}
