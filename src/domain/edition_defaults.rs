//! What a new edition starts with: the national *profil inovasi daerah* choice lists, the 2024 award
//! groups, the evidence asked for and the administrative checklist. Organisers edit all of it per edition.

/// An option of a choice list: code, Indonesian label, English label.
pub type Choice = (&'static str, &'static str, &'static str);

/// The entry form's choice lists, by list code.
pub const LISTS: [(&str, &[Choice]); 6] = [
    ("stage", STAGES),
    ("initiator", INITIATORS),
    ("inno_type", TYPES),
    ("inno_form", FORMS),
    ("theme", THEMES),
    ("urusan", URUSAN),
];

/// The stage at which the implementation date is required.
pub const STAGE_IMPLEMENTATION: &str = "penerapan";

const STAGES: &[Choice] = &[
    ("inisiatif", "Inisiatif", "Initiative"),
    ("uji_coba", "Uji coba", "Trial"),
    ("penerapan", "Penerapan", "Implementation"),
];

const INITIATORS: &[Choice] = &[
    ("kepala_daerah", "Kepala Daerah", "Head of region"),
    (
        "anggota_dprd",
        "Anggota DPRD",
        "Member of the regional parliament",
    ),
    ("perangkat_daerah", "Perangkat Daerah", "City unit (OPD)"),
    ("asn", "ASN", "Civil servant"),
    ("masyarakat", "Masyarakat", "Citizens"),
];

const TYPES: &[Choice] = &[
    ("digital", "Digital", "Digital"),
    ("non_digital", "Non digital", "Non-digital"),
];

const FORMS: &[Choice] = &[
    (
        "tata_kelola",
        "Inovasi tata kelola pemerintahan daerah",
        "Regional governance innovation",
    ),
    (
        "pelayanan_publik",
        "Inovasi pelayanan publik",
        "Public service innovation",
    ),
    (
        "lainnya",
        "Inovasi daerah lainnya sesuai urusan",
        "Other innovation within a government affair",
    ),
];

const THEMES: &[Choice] = &[
    (
        "digitalisasi_layanan",
        "Digitalisasi layanan",
        "Digital services",
    ),
    (
        "penanggulangan_kemiskinan",
        "Penanggulangan kemiskinan",
        "Poverty reduction",
    ),
    (
        "kemudahan_investasi",
        "Kemudahan investasi",
        "Ease of investment",
    ),
    (
        "prioritas_presiden",
        "Prioritas aktual presiden",
        "The President's current priorities",
    ),
    ("non_tematik", "Non tematik", "No theme"),
];

/// The 32 government affairs of UU 23/2014 (6 basic-service, 18 other mandatory, 8 optional).
const URUSAN: &[Choice] = &[
    ("pendidikan", "Pendidikan", "Education"),
    ("kesehatan", "Kesehatan", "Health"),
    (
        "pupr",
        "Pekerjaan umum dan penataan ruang",
        "Public works and spatial planning",
    ),
    (
        "perumahan",
        "Perumahan rakyat dan kawasan permukiman",
        "Housing and settlements",
    ),
    (
        "trantibum",
        "Ketenteraman, ketertiban umum, dan pelindungan masyarakat",
        "Public order and protection",
    ),
    ("sosial", "Sosial", "Social affairs"),
    ("tenaga_kerja", "Tenaga kerja", "Labour"),
    (
        "pppa",
        "Pemberdayaan perempuan dan pelindungan anak",
        "Women's empowerment and child protection",
    ),
    ("pangan", "Pangan", "Food"),
    ("pertanahan", "Pertanahan", "Land"),
    ("lingkungan_hidup", "Lingkungan hidup", "Environment"),
    (
        "adminduk",
        "Administrasi kependudukan dan pencatatan sipil",
        "Population administration and civil registry",
    ),
    (
        "pmd",
        "Pemberdayaan masyarakat dan desa",
        "Community and village empowerment",
    ),
    (
        "ppkb",
        "Pengendalian penduduk dan keluarga berencana",
        "Population control and family planning",
    ),
    ("perhubungan", "Perhubungan", "Transport"),
    (
        "kominfo",
        "Komunikasi dan informatika",
        "Communication and informatics",
    ),
    (
        "koperasi_ukm",
        "Koperasi, usaha kecil, dan menengah",
        "Cooperatives and small and medium enterprises",
    ),
    ("penanaman_modal", "Penanaman modal", "Investment"),
    (
        "kepemudaan_olahraga",
        "Kepemudaan dan olahraga",
        "Youth and sports",
    ),
    ("statistik", "Statistik", "Statistics"),
    ("persandian", "Persandian", "Cryptography"),
    ("kebudayaan", "Kebudayaan", "Culture"),
    ("perpustakaan", "Perpustakaan", "Libraries"),
    ("kearsipan", "Kearsipan", "Archives"),
    (
        "kelautan_perikanan",
        "Kelautan dan perikanan",
        "Marine affairs and fisheries",
    ),
    ("pariwisata", "Pariwisata", "Tourism"),
    ("pertanian", "Pertanian", "Agriculture"),
    ("kehutanan", "Kehutanan", "Forestry"),
    (
        "esdm",
        "Energi dan sumber daya mineral",
        "Energy and mineral resources",
    ),
    ("perdagangan", "Perdagangan", "Trade"),
    ("perindustrian", "Perindustrian", "Industry"),
    ("transmigrasi", "Transmigrasi", "Transmigration"),
];

/// Categories: Indonesian and English names.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("Inovasi digital", "Digital innovation"),
    ("Inovasi non digital", "Non-digital innovation"),
];

/// The 2024 award groups and the unit types competing in each (empty: every type).
pub const AWARD_GROUPS: &[(&str, &str, &str)] = &[
    ("Inovasi Terbaik", "Best innovation", ""),
    (
        "Perangkat Daerah Terinovatif",
        "Most innovative department or agency",
        "sekretariat,inspektorat,dinas,badan",
    ),
    (
        "Kecamatan Terinovatif",
        "Most innovative district",
        "kecamatan,kelurahan",
    ),
    (
        "Puskesmas/RSUD Tipe D Terinovatif",
        "Most innovative health facility",
        "puskesmas,rsud",
    ),
];

/// Evidence asked for: names, mandatory, accepted kinds.
pub const EVIDENCE: &[(&str, &str, bool, &str)] = &[
    (
        "Regulasi / dasar hukum inovasi",
        "Regulation or legal basis",
        true,
        "pdf",
    ),
    (
        "SK tim / SDM pelaksana",
        "Decree appointing the team",
        true,
        "pdf",
    ),
    ("Data kemanfaatan", "Evidence of benefit", true, "pdf,image"),
    // The national index scores the speed of creation from it: mandatory, as the checklist says.
    (
        "Kronologi penciptaan inovasi",
        "Timeline of the innovation's creation",
        true,
        "pdf",
    ),
    ("Foto kegiatan", "Photos", false, "image"),
    (
        "Anggaran / profil bisnis",
        "Budget or business profile",
        false,
        "pdf",
    ),
];

/// The administrative checklist (from `rubric-default.json`): code, Indonesian, English.
pub const CHECKS: &[Choice] = &[
    (
        "profil_lengkap",
        "Seluruh isian profil wajib terisi (nama, tahapan, inisiator, jenis, bentuk, urusan, tanggal uji coba/penerapan, tujuan, manfaat, hasil).",
        "All required profile fields filled.",
    ),
    (
        "rancang_bangun_300",
        "Rancang bangun minimal 300 kata.",
        "Design narrative at least 300 words.",
    ),
    (
        "video",
        "Tautan/berkas video inovasi (maks. 5 menit, 5 substansi).",
        "Innovation video link/file (max 5 min, 5 elements).",
    ),
    (
        "bukti_wajib",
        "Bukti dukung indikator wajib diunggah (regulasi, SK tim/SDM, data kemanfaatan, kronologi penciptaan).",
        "Mandatory indicator evidence uploaded (regulation, team decree, benefit data, creation timeline).",
    ),
];

/// Entry fields an edition can require, in form order.
pub const FIELDS: &[&str] = &[
    "name",
    "category_id",
    "stage",
    "initiator",
    "inno_type",
    "inno_form",
    "theme",
    "urusan",
    "trial_date",
    "narrative",
    "purpose",
    "benefits",
    "results",
    "video_url",
    "contact_name",
    "contact_phone",
];

/// Fields required by default (the national profile's required part; the video is one of the five
/// mandatory national indicators, and the checklist checks it).
pub const REQUIRED_BY_DEFAULT: &str = "name,stage,initiator,inno_type,inno_form,theme,urusan,narrative,purpose,benefits,results,video_url,contact_name,contact_phone";

#[cfg(test)]
mod tests {
    /// The checklist must not demand what the form lets a unit leave out.
    #[test]
    fn the_checklist_demands_only_what_the_form_requires() {
        let required: Vec<&str> = super::REQUIRED_BY_DEFAULT.split(',').collect();
        let codes: Vec<&str> = super::CHECKS.iter().map(|c| c.0).collect();
        if codes.contains(&"video") {
            assert!(
                required.contains(&"video_url"),
                "the video is checked, so it is required"
            );
        }
        if codes.contains(&"bukti_wajib") {
            for name in ["Regulasi", "SK tim", "Data kemanfaatan", "Kronologi"] {
                let kind = super::EVIDENCE
                    .iter()
                    .find(|e| e.0.starts_with(name))
                    .unwrap_or_else(|| panic!("{name} is asked for"));
                assert!(kind.2, "{name} is checked as mandatory, so it is mandatory");
            }
        }
        for field in &required {
            assert!(super::FIELDS.contains(field), "{field} is a field");
        }
    }

    #[test]
    fn thirty_two_urusan() {
        let urusan = super::LISTS.iter().find(|(l, _)| *l == "urusan").unwrap().1;
        assert_eq!(urusan.len(), 32);
        let mut codes: Vec<_> = urusan.iter().map(|c| c.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 32);
    }
}
