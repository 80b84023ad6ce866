//! The kinds of unit (OPD) in a city government.

use serde::Serialize;

/// A unit's type; kelurahan sit under a kecamatan, puskesmas under Dinas Kesehatan, UPTD under a dinas or badan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitType {
    /// Sekretariat Daerah / DPRD.
    Sekretariat,
    /// Inspektorat.
    Inspektorat,
    /// Dinas (department).
    Dinas,
    /// Badan (agency).
    Badan,
    /// Kecamatan (district).
    Kecamatan,
    /// Kelurahan (urban village).
    Kelurahan,
    /// Puskesmas (community health centre).
    Puskesmas,
    /// RSUD (regional hospital).
    Rsud,
    /// UPTD (technical unit).
    Uptd,
}

impl UnitType {
    /// Every type, in the order shown in forms.
    pub const ALL: [UnitType; 9] = [
        UnitType::Sekretariat,
        UnitType::Inspektorat,
        UnitType::Dinas,
        UnitType::Badan,
        UnitType::Kecamatan,
        UnitType::Kelurahan,
        UnitType::Puskesmas,
        UnitType::Rsud,
        UnitType::Uptd,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            UnitType::Sekretariat => "sekretariat",
            UnitType::Inspektorat => "inspektorat",
            UnitType::Dinas => "dinas",
            UnitType::Badan => "badan",
            UnitType::Kecamatan => "kecamatan",
            UnitType::Kelurahan => "kelurahan",
            UnitType::Puskesmas => "puskesmas",
            UnitType::Rsud => "rsud",
            UnitType::Uptd => "uptd",
        }
    }

    /// Parses a stored or imported code (case-insensitive).
    pub fn parse(code: &str) -> Option<UnitType> {
        let code = code.trim().to_lowercase();
        UnitType::ALL.into_iter().find(|t| t.code() == code)
    }
}
