DROP TABLE iid_files;
