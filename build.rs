fn main() {
    // embed_migrations! and include_dir! do not make cargo notice new or changed files in these folders.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=assets");
}
