-- An officer's note on a document stays after the applicant replaces the file, marked as
-- answered, so that the applicant still sees what was asked and that it was done. Ajukan
-- clears both.
ALTER TABLE documents ADD COLUMN catatan_dijawab INTEGER NOT NULL DEFAULT 0;
