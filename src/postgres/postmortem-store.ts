import type pg from 'pg';
import type { RecordStore } from '../incident/ports.js';
import type { PostmortemVersion } from '../incident/record-items.js';
import { guarded } from './pool.js';

interface VersionRow {
  id: string;
  version: number;
  created_at: Date;
  file_id: string | null;
}

const SELECT_VERSION = `SELECT id, version, created_at, file_id FROM postmortems WHERE incident_id = $1 AND fingerprint = $2`;

/**
 * The next version of an incident's draft, unless one with the same
 * fingerprint exists. Drafts kept before versions existed count as versions.
 */
const INSERT_VERSION = `
  INSERT INTO postmortems (incident_id, fingerprint, markdown, created_by, created_at, version)
  SELECT $1, $2, $3, $4, $5, 1 + GREATEST(
    (SELECT max(version) FROM postmortems WHERE incident_id = $1),
    (SELECT count(*) FROM postmortems WHERE incident_id = $1 AND version IS NULL))
  ON CONFLICT DO NOTHING
  RETURNING id, version, created_at, file_id`;

const toVersion = (r: VersionRow, created: boolean): PostmortemVersion => ({
  id: Number(r.id),
  version: r.version,
  created,
  createdAt: r.created_at,
  fileId: r.file_id,
});

/** Report drafts of the Postgres `RecordStore`, one row per version. */
export function createPostmortemStore(pool: pg.Pool): Pick<RecordStore, 'savePostmortem' | 'setPostmortemFile'> {
  return {
    savePostmortem: (incidentId, draft, by, at) =>
      guarded(async () => {
        // Two requests at once may race for the same version number: the loser finds the winner's row.
        for (let attempt = 0; attempt < 3; attempt++) {
          const seen = await pool.query<VersionRow>(SELECT_VERSION, [incidentId, draft.fingerprint]);
          if (seen.rows[0]) return toVersion(seen.rows[0], false);
          const made = await pool.query<VersionRow>(INSERT_VERSION, [
            incidentId,
            draft.fingerprint,
            draft.markdown,
            by,
            at,
          ]);
          if (made.rows[0]) return toVersion(made.rows[0], true);
        }
        throw new Error(`could not store a new version of the report draft of ${incidentId}; try again`);
      }),

    setPostmortemFile: (id, fileId) =>
      guarded(async () => void (await pool.query('UPDATE postmortems SET file_id = $2 WHERE id = $1', [id, fileId]))),
  };
}
