/* The run log's schema as migrations (see runlog-schema.h). Version ids
 * (8 hex digits) are stored as text in answers and eval_runs rather than
 * as a foreign key: they are what users type and see. Text columns of a
 * request that take part in the cache key are '' rather than NULL, so the
 * UNIQUE constraint treats "no betas" as one value. */
#include "core/runlog-schema.h"

static const char *const migrations[] = {
	/* 1: everything the first run log needed */
	"CREATE TABLE versions (\n"
	"  id TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL UNIQUE,\n"
	"  name TEXT,\n"
	"  text TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))\n"
	");\n"
	"CREATE INDEX versions_by_id ON versions (id);\n"
	/* One text may be a version of several files (a copied preset), and
	 * a file comes back to an old text: versions belong to paths here. */
	"CREATE TABLE preset_versions (\n"
	"  preset_path TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL REFERENCES versions (sha256),\n"
	"  first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
	"  last_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
	"  PRIMARY KEY (preset_path, sha256)\n"
	");\n"
	"CREATE TABLE requests (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  body_sha256 TEXT NOT NULL,\n"
	"  body TEXT NOT NULL,\n"
	"  api_version TEXT NOT NULL DEFAULT '',\n"
	"  betas TEXT NOT NULL DEFAULT '',\n"
	"  base_url TEXT NOT NULL DEFAULT '',\n"
	"  UNIQUE (body_sha256, api_version, betas, base_url)\n"
	");\n"
	"CREATE TABLE answers (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  request_id INTEGER REFERENCES requests (id),\n"
	"  version_id TEXT,\n"
	"  preset_path TEXT,\n"
	"  command TEXT,\n"
	"  model TEXT,\n"
	"  message TEXT,\n"
	"  usage TEXT,\n"
	"  cost_usd REAL NOT NULL DEFAULT 0,\n"
	"  latency_ms INTEGER NOT NULL DEFAULT 0,\n"
	"  outcome TEXT,\n"
	"  error TEXT,\n"
	"  cached INTEGER NOT NULL DEFAULT 0,\n"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))\n"
	");\n"
	"CREATE INDEX answers_by_request ON answers (request_id, outcome);\n"
	"CREATE INDEX answers_by_version ON answers (version_id);\n"
	"CREATE TABLE eval_runs (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  version_id TEXT,\n"
	"  preset_path TEXT,\n"
	"  model TEXT,\n"
	"  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
	"  ended_at TEXT,\n"
	"  passed INTEGER, failed INTEGER, errors INTEGER, skipped INTEGER, total INTEGER,\n"
	"  cost_usd REAL\n"
	");\n"
	"CREATE INDEX eval_runs_by_version ON eval_runs (version_id);\n"
	"CREATE TABLE eval_results (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES eval_runs (id),\n"
	"  row_index INTEGER NOT NULL,\n"
	"  repeat INTEGER NOT NULL DEFAULT 0,\n"
	"  description TEXT,\n"
	"  vars TEXT,\n"
	"  outcome TEXT NOT NULL,\n"
	"  assertions TEXT,\n"
	"  answer_id INTEGER REFERENCES answers (id),\n"
	"  grade INTEGER CHECK (grade IS NULL OR grade BETWEEN 1 AND 5)\n"
	");\n"
	"CREATE INDEX eval_results_by_run ON eval_results (run_id);\n"
	"PRAGMA user_version = 1;\n",

	/* 2: Message Batches (a later issue): which batch holds which rows */
	"CREATE TABLE batches (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  batch_id TEXT NOT NULL UNIQUE,\n"
	"  version_id TEXT,\n"
	"  rows_fingerprint TEXT,\n"
	"  custom_ids TEXT,\n"
	"  state TEXT,\n"
	"  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))\n"
	");\n"
	"PRAGMA user_version = 2;\n",

	/* 3: what resuming a batch needs: its size (to find a batch created
	 * but not recorded) and a lookup by preset version and rows */
	"ALTER TABLE batches ADD COLUMN request_count INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE batches ADD COLUMN updated_at TEXT;\n"
	"CREATE INDEX batches_by_rows ON batches (version_id, rows_fingerprint);\n"
	"PRAGMA user_version = 3;\n",
};

const char *runlog_schema_migration(size_t i)
{
	return i < runlog_schema_count() ? migrations[i] : NULL;
}

size_t runlog_schema_count(void)
{
	return sizeof migrations / sizeof migrations[0];
}
