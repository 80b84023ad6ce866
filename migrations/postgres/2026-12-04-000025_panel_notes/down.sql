DROP TABLE panel_notes;
