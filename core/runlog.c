/* The run log (see runlog.h). Every SQL statement of pwb lives here, each
 * prepared once per handle and bound with sqlite3_bind_*; the only SQL run
 * unprepared is the constant migration text of runlog-schema.c. */
#include "core/runlog.h"
#include "core/redact.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <nettle/sha2.h>
#include <sqlite3.h>

#include "core/buf.h"
#include "core/replay.h"
#include "core/runlog-schema.h"
#include "core/util.h"

/* Long enough for an eval and the workbench to take turns writing. */
#define BUSY_TIMEOUT_MS 5000
/* How much of a key counts as its recognisable prefix. */

#define BATCH_COLUMNS "batch_id, version_id, rows_fingerprint, custom_ids, state, created_at, " \
	"updated_at, request_count"

#define STATEMENTS(X) \
	X(BEGIN, "BEGIN IMMEDIATE") \
	X(COMMIT, "COMMIT") \
	X(ROLLBACK, "ROLLBACK") \
	X(VERSION_INSERT, "INSERT OR IGNORE INTO versions (id, sha256, name, text) " \
		"VALUES (?1, ?2, ?3, ?4)") \
	X(VERSION_SEEN, "INSERT INTO preset_versions (preset_path, sha256) VALUES (?1, ?2) " \
		"ON CONFLICT (preset_path, sha256) DO UPDATE SET " \
		"last_seen = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')") \
	X(REQUEST_INSERT, "INSERT OR IGNORE INTO requests (body_sha256, body, api_version, betas, base_url) " \
		"VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(REQUEST_FIND, "SELECT id FROM requests WHERE body_sha256 = ?1 AND api_version = ?2 " \
		"AND betas = ?3 AND base_url = ?4") \
	X(ANSWER_INSERT, "INSERT INTO answers (request_id, version_id, command, model, message, usage, " \
		"cost_usd, latency_ms, outcome, error, cached, preset_path) " \
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)") \
	X(CACHE_FIND, "SELECT a.id, a.message FROM answers a JOIN requests r ON a.request_id = r.id " \
		"WHERE r.body_sha256 = ?1 AND r.api_version = ?2 AND r.betas = ?3 AND r.base_url = ?4 " \
		"AND a.outcome = '" RUNLOG_OUTCOME_COMPLETE "' AND a.message IS NOT NULL " \
		"ORDER BY a.id DESC LIMIT 1") \
	X(EVAL_START, "INSERT INTO eval_runs (version_id, preset_path, model) VALUES (?1, ?2, ?3)") \
	X(EVAL_FINISH, "UPDATE eval_runs SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), " \
		"passed = ?2, failed = ?3, errors = ?4, skipped = ?5, total = ?6, cost_usd = ?7 " \
		"WHERE id = ?1") \
	X(EVAL_RESULT, "INSERT INTO eval_results (run_id, row_index, repeat, description, vars, outcome, " \
		"assertions, answer_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
	X(SET_GRADE, "UPDATE eval_results SET grade = ?2 WHERE id = ?1") \
	X(LATEST, "SELECT a.id, a.created_at, a.command, a.model, a.preset_path, a.version_id, a.outcome, a.cost_usd, a.cached, a.message " \
		"FROM answers a ORDER BY a.id DESC LIMIT ?1") \
	X(PRESET_ANSWERS, "SELECT * FROM (SELECT a.id, a.created_at, a.model, a.version_id, a.message, " \
		"a.usage, a.cost_usd, r.body FROM answers a LEFT JOIN requests r ON r.id = a.request_id " \
		"WHERE a.preset_path = ?1 AND a.outcome = '" RUNLOG_OUTCOME_COMPLETE "' AND a.cached = 0 " \
		"AND a.command IN ('tui', 'run', 'replay') " \
		"AND a.id NOT IN (SELECT answer_id FROM eval_results WHERE answer_id IS NOT NULL) " \
		"ORDER BY a.id DESC LIMIT ?2) ORDER BY id") \
	X(VERSIONS_OF, "SELECT v.id, pv.first_seen, v.text FROM preset_versions pv " \
		"JOIN versions v ON v.sha256 = pv.sha256 WHERE pv.preset_path = ?1 " \
		"ORDER BY pv.rowid DESC LIMIT ?2") \
	X(EVALS_OF, "SELECT passed, total, ended_at FROM eval_runs WHERE version_id = ?1 " \
		"ORDER BY id DESC") \
	X(VERSION_ANSWERS, "SELECT count(*) FROM answers WHERE version_id = ?1") \
	X(VERSION_GRADE, "SELECT avg(grade), count(grade) FROM eval_results WHERE run_id = " \
		"(SELECT max(id) FROM eval_runs WHERE version_id = ?1)") \
	X(ANSWER_FULL, "SELECT a.id, a.created_at, a.command, a.model, a.version_id, a.preset_path, " \
		"a.outcome, a.cost_usd, a.latency_ms, a.cached, a.message, a.usage, a.error, " \
		"r.body, r.api_version, r.betas, r.base_url " \
		"FROM answers a LEFT JOIN requests r ON r.id = a.request_id WHERE a.id = ?1") \
	X(VERSION_BY_PREFIX, "SELECT text, sha256 FROM versions WHERE substr(id, 1, length(?1)) = ?1 " \
		"LIMIT 2") \
	X(BATCH_RECORD, "INSERT OR REPLACE INTO batches (batch_id, version_id, rows_fingerprint, " \
		"custom_ids, state, created_at, request_count) VALUES (?1, ?2, ?3, ?4, ?5, " \
		"COALESCE(?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ?7)") \
	X(BATCH_STATE, "UPDATE batches SET state = ?2, " \
		"updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE batch_id = ?1") \
	X(BATCH_UNFINISHED, "SELECT " BATCH_COLUMNS " FROM batches WHERE version_id IS ?1 " \
		"AND rows_fingerprint IS ?2 AND state IS NOT '" RUNLOG_BATCH_DONE "' ORDER BY id") \
	X(BATCH_LATEST, "SELECT " BATCH_COLUMNS " FROM batches ORDER BY id DESC LIMIT ?1") \
	X(LAST_EVAL_OF, "SELECT id FROM eval_runs WHERE version_id = ?1 AND ended_at IS NOT NULL " \
		"ORDER BY id DESC LIMIT 1") \
	X(EVAL_RESULTS_OF, "SELECT e.row_index, e.repeat, e.description, e.vars, e.outcome, " \
		"e.assertions, a.message FROM eval_results e LEFT JOIN answers a ON a.id = e.answer_id " \
		"WHERE e.run_id = ?1 ORDER BY e.row_index, e.repeat, e.id")

enum statement {
#define AS_ENUM(name, sql) ST_##name,
	STATEMENTS(AS_ENUM)
#undef AS_ENUM
	ST_COUNT
};

static const char *const statement_sql[ST_COUNT] = {
#define AS_SQL(name, sql) [ST_##name] = sql,
	STATEMENTS(AS_SQL)
#undef AS_SQL
};

struct runlog {
	sqlite3 *db;
	char *path;
	char *key;
	char *error;
	sqlite3_stmt *st[ST_COUNT];
	/* The descriptor of the set-up flock, kept open until after
	 * sqlite3_close: closing any descriptor of the file would drop
	 * SQLite's own fcntl locks on it (POSIX), and another process could
	 * then checkpoint and remove the WAL under this one. */
	int setup_fd;
};

static void set_error(struct runlog *log, const char *what)
{
	free(log->error);
	log->error = xasprintf("%s: %s", what, sqlite3_errmsg(log->db));
}

const char *runlog_error(const struct runlog *log)
{
	return log && log->error ? log->error : "";
}

int runlog_schema_version(void)
{
	return (int)runlog_schema_count();
}

char *runlog_default_path(void)
{
	const char *env = getenv("PWB_LOG");
	if (env && *env)
		return strcmp(env, "off") ? xstrdup(env) : NULL;
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/pwb/log.db", xdg);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.local/share/pwb/log.db", home);
	return NULL;
}

/* Create the folders of path that are missing, each 0700. */
static int make_parents(const char *path)
{
	char *dir = xstrdup(path);
	int rc = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(dir);
	return rc;
}

/* The log holds prompts and answers: only its owner may read it, whatever
 * created the file (us, sqlite, or an older pwb). */
static void restrict_files(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		(void)chmod(p, 0600);
		free(p);
	}
}

static void sha256_hex(const char *text, char out[2 * SHA256_DIGEST_SIZE + 1])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(text), (const uint8_t *)text);
	sha256_digest(&ctx, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++) {
		out[2 * i] = "0123456789abcdef"[digest[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
	}
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}

void runlog_version_id(const char *canonical_text, char out[RUNLOG_VERSION_ID_SIZE])
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	sha256_hex(canonical_text ? canonical_text : "", hex);
	memcpy(out, hex, RUNLOG_VERSION_ID_SIZE - 1);
	out[RUNLOG_VERSION_ID_SIZE - 1] = '\0';
}

/* The key in every form core/redact knows (whole, its recognisable
 * prefix, base64) never reaches the file. */
static char *redact_for_log(const struct runlog *log, const char *text)
{
	return redact_key(text, log->key);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Bind a redacted copy (sqlite frees it); NULL stays NULL unless or_empty. */
static void bind_safe(const struct runlog *log, sqlite3_stmt *st, int i, const char *s, int or_empty)
{
	if (!s && !or_empty) {
		sqlite3_bind_null(st, i);
		return;
	}
	sqlite3_bind_text(st, i, redact_for_log(log, s ? s : ""), -1, free);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static sqlite3_stmt *stmt(struct runlog *log, enum statement s)
{
	sqlite3_reset(log->st[s]);
	sqlite3_clear_bindings(log->st[s]);
	return log->st[s];
}

/* Run a statement that returns no rows; 0 or -1 with the error set. */
static int step_done(struct runlog *log, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	set_error(log, what);
	return -1;
}

static int begin(struct runlog *log)
{
	return step_done(log, stmt(log, ST_BEGIN), "cannot start a log transaction");
}

static int commit(struct runlog *log)
{
	return step_done(log, stmt(log, ST_COMMIT), "cannot write the log");
}

static void rollback(struct runlog *log)
{
	sqlite3_step(stmt(log, ST_ROLLBACK));
	sqlite3_reset(log->st[ST_ROLLBACK]);
}

static int read_user_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Bring the schema up to date inside one write transaction, so two
 * processes opening a new log at once migrate it once. */
static int migrate(struct runlog *log)
{
	if (exec_sql(log->db, "BEGIN IMMEDIATE") != 0) {
		set_error(log, "cannot lock the log to update its schema");
		return -1;
	}
	int version = 0;
	if (read_user_version(log->db, &version) != 0) {
		set_error(log, "cannot read the log's schema version");
		goto fail;
	}
	for (size_t i = (size_t)version; i < runlog_schema_count(); i++) {
		if (exec_sql(log->db, runlog_schema_migration(i)) != 0) {
			char *what = xasprintf("cannot update the log's schema to version %zu", i + 1);
			set_error(log, what);
			free(what);
			goto fail;
		}
	}
	if (exec_sql(log->db, "COMMIT") != 0) {
		set_error(log, "cannot update the log's schema");
		goto fail;
	}
	return 0;
fail:
	exec_sql(log->db, "ROLLBACK");
	return -1;
}

/* 1 when the database really is in WAL mode (the pragma reports the mode
 * it ended in, without an error when it could not change it). */
static int in_wal_mode(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int wal = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(st, 0);
		wal = m && !strcmp((const char *)m, "wal");
	}
	sqlite3_finalize(st);
	return wal;
}

void runlog_close(struct runlog *log)
{
	if (!log)
		return;
	for (size_t i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(log->st[i]);
	sqlite3_close(log->db);
	if (log->setup_fd >= 0)
		close(log->setup_fd);
	if (log->key) {
		memset(log->key, 0, strlen(log->key));
		free(log->key);
	}
	free(log->path);
	free(log->error);
	free(log);
}

struct runlog *runlog_open(const char *path, const char *key, char **error)
{
	*error = NULL;
	char *own_path = path ? xstrdup(path) : runlog_default_path();
	if (!own_path) {
		const char *env = getenv("PWB_LOG");
		if (!env || strcmp(env, "off"))
			*error = xstrdup("no place for the run log: HOME is not set (set PWB_LOG=PATH)");
		return NULL;
	}
	if (!strcmp(own_path, "off")) {
		free(own_path);
		return NULL;
	}
	struct runlog *log = xcalloc(1, sizeof *log);
	log->setup_fd = -1;
	log->path = own_path;
	log->key = xstrdup(key);

	if (make_parents(own_path) != 0) {
		*error = xasprintf("run log %s: cannot create its folder: %s", own_path, strerror(errno));
		goto fail;
	}
	/* Create the file ourselves so it is 0600 from its first byte, and hold
	 * an flock on it while the log is set up (WAL, migrations): two pwb
	 * processes opening a new log at once must not both turn an empty file
	 * into a database (one of them then wrote into a journal the other
	 * never saw). flock does not touch SQLite's own fcntl locks. */
	log->setup_fd = open(own_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (log->setup_fd < 0) {
		*error = xasprintf("run log %s: %s", own_path, strerror(errno));
		goto fail;
	}
	while (flock(log->setup_fd, LOCK_EX) != 0 && errno == EINTR)
		;
	if (sqlite3_open_v2(own_path, &log->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		*error = xasprintf("run log %s: %s", own_path,
				   log->db ? sqlite3_errmsg(log->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(log->db, BUSY_TIMEOUT_MS);

	/* A newer schema is refused before anything could write to it. */
	int version = 0;
	if (read_user_version(log->db, &version) != 0) {
		*error = xasprintf("run log %s: %s", own_path, sqlite3_errmsg(log->db));
		goto fail;
	}
	if (version > runlog_schema_version()) {
		*error = xasprintf("run log %s has schema version %d, newer than this pwb knows (%d): "
				   "left untouched; use a newer pwb, or PWB_LOG=PATH for another log",
				   own_path, version, runlog_schema_version());
		goto fail;
	}
	/* synchronous NORMAL: in WAL mode a crash never corrupts the log, it
	 * may only lose the last answers; FULL cost one fdatasync per row
	 * (twice a row in an eval: 10,000 rows took 5-12 s instead of 2). */
	if (exec_sql(log->db, "PRAGMA journal_mode = WAL") != 0 || !in_wal_mode(log->db) ||
	    exec_sql(log->db, "PRAGMA synchronous = NORMAL") != 0 ||
	    exec_sql(log->db, "PRAGMA foreign_keys = ON") != 0) {
		*error = xasprintf("run log %s: cannot use WAL mode: %s", own_path,
				   sqlite3_errmsg(log->db));
		goto fail;
	}
	if (version < runlog_schema_version() && migrate(log) != 0) {
		*error = xasprintf("run log %s: %s", own_path, log->error);
		goto fail;
	}
	for (size_t i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(log->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &log->st[i], NULL) != SQLITE_OK) {
			*error = xasprintf("run log %s: %s", own_path, sqlite3_errmsg(log->db));
			goto fail;
		}
	}
	restrict_files(own_path);
	flock(log->setup_fd, LOCK_UN); /* (flock leaves SQLite's fcntl locks alone) */
	return log;
fail:
	runlog_close(log);
	return NULL;
}

int runlog_record_version(struct runlog *log, const char *preset_path, const char *name,
			  const char *canonical_text, char out[RUNLOG_VERSION_ID_SIZE])
{
	out[0] = '\0';
	if (!log)
		return 0;
	/* The id is of the text as stored, so it can be checked from the log. */
	char *text = redact_for_log(log, canonical_text ? canonical_text : "");
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	sha256_hex(text, hex);
	char id[RUNLOG_VERSION_ID_SIZE];
	memcpy(id, hex, sizeof id - 1);
	id[sizeof id - 1] = '\0';
	if (begin(log) != 0) {
		free(text);
		return -1;
	}
	sqlite3_stmt *st = stmt(log, ST_VERSION_INSERT);
	bind_text(st, 1, id);
	bind_text(st, 2, hex);
	bind_safe(log, st, 3, name, 0);
	sqlite3_bind_text(st, 4, text, -1, free);
	if (step_done(log, st, "cannot record the preset version") != 0)
		goto fail;
	if (preset_path) {
		st = stmt(log, ST_VERSION_SEEN);
		bind_safe(log, st, 1, preset_path, 0);
		bind_text(st, 2, hex);
		if (step_done(log, st, "cannot record the preset version") != 0)
			goto fail;
	}
	if (commit(log) != 0)
		goto fail;
	memcpy(out, id, sizeof id);
	return 0;
fail:
	rollback(log);
	return -1;
}

/* The request row of a (redacted) body, created when new: its id, or -1. */
static long long request_id(struct runlog *log, const struct runlog_answer *a)
{
	char *body = redact_for_log(log, a->body);
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	sha256_hex(body, hex);
	sqlite3_stmt *st = stmt(log, ST_REQUEST_INSERT);
	bind_text(st, 1, hex);
	sqlite3_bind_text(st, 2, body, -1, free);
	bind_safe(log, st, 3, a->api_version, 1);
	bind_safe(log, st, 4, a->betas, 1);
	bind_safe(log, st, 5, a->base_url, 1);
	if (step_done(log, st, "cannot record the request") != 0)
		return -1;
	st = stmt(log, ST_REQUEST_FIND);
	bind_text(st, 1, hex);
	bind_safe(log, st, 2, a->api_version, 1);
	bind_safe(log, st, 3, a->betas, 1);
	bind_safe(log, st, 4, a->base_url, 1);
	long long id = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		set_error(log, "cannot find the recorded request");
	sqlite3_reset(st);
	return id;
}

long long runlog_record_answer(struct runlog *log, const struct runlog_answer *a)
{
	if (!log)
		return 0;
	if (begin(log) != 0)
		return -1;
	long long req = 0;
	if (a->body && (req = request_id(log, a)) < 0)
		goto fail;
	sqlite3_stmt *st = stmt(log, ST_ANSWER_INSERT);
	if (req > 0)
		sqlite3_bind_int64(st, 1, req);
	bind_text(st, 2, a->version_id && *a->version_id ? a->version_id : NULL);
	bind_safe(log, st, 3, a->command, 0);
	bind_safe(log, st, 4, a->model, 0);
	bind_safe(log, st, 5, a->message_json, 0);
	bind_safe(log, st, 6, a->usage_json, 0);
	sqlite3_bind_double(st, 7, a->cost_usd);
	sqlite3_bind_int64(st, 8, a->latency_ms);
	bind_safe(log, st, 9, a->outcome, 0);
	bind_safe(log, st, 10, a->error_json, 0);
	sqlite3_bind_int(st, 11, a->cached ? 1 : 0);
	bind_safe(log, st, 12, a->preset_path, 0);
	if (step_done(log, st, "cannot record the answer") != 0)
		goto fail;
	long long id = sqlite3_last_insert_rowid(log->db);
	if (commit(log) != 0)
		goto fail;
	return id;
fail:
	rollback(log);
	return -1;
}

char *runlog_cache_lookup(struct runlog *log, const char *body, const char *api_version,
			  const char *betas, const char *base_url, long long *answer_id)
{
	if (answer_id)
		*answer_id = 0;
	if (!log || !body)
		return NULL;
	char *safe = redact_for_log(log, body);
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	sha256_hex(safe, hex);
	free(safe);
	sqlite3_stmt *st = stmt(log, ST_CACHE_FIND);
	bind_text(st, 1, hex);
	bind_safe(log, st, 2, api_version, 1);
	bind_safe(log, st, 3, betas, 1);
	bind_safe(log, st, 4, base_url, 1);
	char *message = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (answer_id)
			*answer_id = sqlite3_column_int64(st, 0);
		message = column_dup(st, 1);
	}
	sqlite3_reset(st);
	return message;
}

long long runlog_eval_start(struct runlog *log, const char *version_id, const char *preset_path,
			    const char *model)
{
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_EVAL_START);
	bind_text(st, 1, version_id && *version_id ? version_id : NULL);
	bind_safe(log, st, 2, preset_path, 0);
	bind_safe(log, st, 3, model, 0);
	if (step_done(log, st, "cannot record the eval run") != 0)
		return -1;
	return sqlite3_last_insert_rowid(log->db);
}

int runlog_eval_finish(struct runlog *log, long long run_id, const struct runlog_eval_summary *s)
{
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_EVAL_FINISH);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, s->passed);
	sqlite3_bind_int64(st, 3, s->failed);
	sqlite3_bind_int64(st, 4, s->errors);
	sqlite3_bind_int64(st, 5, s->skipped);
	sqlite3_bind_int64(st, 6, s->total);
	sqlite3_bind_double(st, 7, s->cost_usd);
	if (step_done(log, st, "cannot record the eval summary") != 0)
		return -1;
	if (sqlite3_changes(log->db) != 1) {
		free(log->error);
		log->error = xasprintf("no eval run %lld in the log", run_id);
		return -1;
	}
	return 0;
}

long long runlog_eval_result(struct runlog *log, const struct runlog_eval_row *r)
{
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_EVAL_RESULT);
	sqlite3_bind_int64(st, 1, r->run_id);
	sqlite3_bind_int64(st, 2, r->row);
	sqlite3_bind_int64(st, 3, r->repeat);
	bind_safe(log, st, 4, r->description, 0);
	bind_safe(log, st, 5, r->vars_json, 0);
	bind_safe(log, st, 6, r->outcome, 1);
	bind_safe(log, st, 7, r->assertions_json, 0);
	if (r->answer_id > 0)
		sqlite3_bind_int64(st, 8, r->answer_id);
	if (step_done(log, st, "cannot record the eval row") != 0)
		return -1;
	return sqlite3_last_insert_rowid(log->db);
}

int runlog_set_grade(struct runlog *log, long long result_id, int grade)
{
	if (!log)
		return 0;
	if (grade < 0 || grade > 5) {
		free(log->error);
		log->error = xasprintf("a grade is 1 to 5 (0 clears it), not %d", grade);
		return -1;
	}
	sqlite3_stmt *st = stmt(log, ST_SET_GRADE);
	sqlite3_bind_int64(st, 1, result_id);
	if (grade)
		sqlite3_bind_int(st, 2, grade);
	if (step_done(log, st, "cannot record the grade") != 0)
		return -1;
	if (sqlite3_changes(log->db) != 1) {
		free(log->error);
		log->error = xasprintf("no eval result %lld in the log", result_id);
		return -1;
	}
	return 0;
}

/* The first line of the first text block of a Message. malloc'd. */
static char *message_first_line(const char *message_json)
{
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
	const cJSON *block;
	char *line = NULL;
	cJSON_ArrayForEach(block, content) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "text") && cJSON_IsString(text)) {
			const char *s = text->valuestring;
			while (*s == '\n')
				s++;
			line = xstrndup(s, strcspn(s, "\n"));
			break;
		}
	}
	cJSON_Delete(m);
	return line ? line : xstrdup("");
}

int runlog_latest(struct runlog *log, long n, struct runlog_answer_line **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_LATEST);
	sqlite3_bind_int64(st, 1, n > 0 ? n : -1);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct runlog_answer_line *l = &(*out)[(*count)++];
		l->id = sqlite3_column_int64(st, 0);
		l->created_at = column_dup(st, 1);
		l->command = column_dup(st, 2);
		l->model = column_dup(st, 3);
		l->preset_path = column_dup(st, 4);
		l->version_id = column_dup(st, 5);
		l->outcome = column_dup(st, 6);
		l->cost_usd = sqlite3_column_double(st, 7);
		l->cached = sqlite3_column_int(st, 8);
		l->first_line = message_first_line((const char *)sqlite3_column_text(st, 9));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		set_error(log, "cannot read the log");
		runlog_answer_lines_free(*out, *count);
		*out = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

void runlog_answer_lines_free(struct runlog_answer_line *lines, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(lines[i].created_at);
		free(lines[i].command);
		free(lines[i].model);
		free(lines[i].preset_path);
		free(lines[i].version_id);
		free(lines[i].outcome);
		free(lines[i].first_line);
	}
	free(lines);
}

int runlog_last_eval_results(struct runlog *log, const char *version_id, long long *run_id,
			     struct runlog_eval_result_line **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	*run_id = 0;
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_LAST_EVAL_OF);
	bind_text(st, 1, version_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*run_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_error(log, "cannot read the eval runs in the log");
		return -1;
	}
	if (!*run_id)
		return 0;
	st = stmt(log, ST_EVAL_RESULTS_OF);
	sqlite3_bind_int64(st, 1, *run_id);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct runlog_eval_result_line *l = &(*out)[(*count)++];
		l->row = (long)sqlite3_column_int64(st, 0);
		l->repeat = (long)sqlite3_column_int64(st, 1);
		l->description = column_dup(st, 2);
		l->vars_json = column_dup(st, 3);
		l->outcome = column_dup(st, 4);
		l->assertions_json = column_dup(st, 5);
		l->message_json = column_dup(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		set_error(log, "cannot read the eval results in the log");
		runlog_eval_result_lines_free(*out, *count);
		*out = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

void runlog_eval_result_lines_free(struct runlog_eval_result_line *lines, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(lines[i].description);
		free(lines[i].vars_json);
		free(lines[i].outcome);
		free(lines[i].assertions_json);
		free(lines[i].message_json);
	}
	free(lines);
}

int runlog_preset_answers(struct runlog *log, const char *preset_path, long n,
			  struct runlog_preset_answer **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!log || !preset_path)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_PRESET_ANSWERS);
	bind_text(st, 1, preset_path);
	sqlite3_bind_int64(st, 2, n > 0 ? n : -1);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct runlog_preset_answer *l = &(*out)[(*count)++];
		l->id = sqlite3_column_int64(st, 0);
		l->created_at = column_dup(st, 1);
		l->model = column_dup(st, 2);
		l->version_id = column_dup(st, 3);
		l->message_json = column_dup(st, 4);
		l->usage_json = column_dup(st, 5);
		l->cost_usd = sqlite3_column_double(st, 6);
		l->body = column_dup(st, 7);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		set_error(log, "cannot read the log");
		runlog_preset_answers_free(*out, *count);
		*out = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

void runlog_preset_answers_free(struct runlog_preset_answer *answers, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(answers[i].created_at);
		free(answers[i].model);
		free(answers[i].version_id);
		free(answers[i].message_json);
		free(answers[i].usage_json);
		free(answers[i].body);
	}
	free(answers);
}

/* --- Message Batches ------------------------------------------------- */

int runlog_batch_record(struct runlog *log, const struct runlog_batch *b)
{
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_BATCH_RECORD);
	bind_safe(log, st, 1, b->batch_id, 1);
	bind_text(st, 2, b->version_id && *b->version_id ? b->version_id : NULL);
	bind_safe(log, st, 3, b->rows_fingerprint, 0);
	bind_safe(log, st, 4, b->custom_ids_json, 0);
	bind_safe(log, st, 5, b->state, 0);
	bind_safe(log, st, 6, b->created_at, 0);
	sqlite3_bind_int64(st, 7, b->request_count);
	return step_done(log, st, "cannot record the batch");
}

int runlog_batch_set_state(struct runlog *log, const char *batch_id, const char *state)
{
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_BATCH_STATE);
	bind_safe(log, st, 1, batch_id, 1);
	bind_safe(log, st, 2, state, 0);
	if (step_done(log, st, "cannot record the batch state") != 0)
		return -1;
	if (sqlite3_changes(log->db) != 1) {
		free(log->error);
		log->error = xasprintf("no batch %s in the log", batch_id ? batch_id : "(null)");
		return -1;
	}
	return 0;
}

/* Read every row of st (BATCH_COLUMNS) into *out. 0 or -1. */
static int batch_rows(struct runlog *log, sqlite3_stmt *st, struct runlog_batch_line **out,
		      size_t *count)
{
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? 2 * cap : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct runlog_batch_line *l = &(*out)[(*count)++];
		l->batch_id = column_dup(st, 0);
		l->version_id = column_dup(st, 1);
		l->rows_fingerprint = column_dup(st, 2);
		l->custom_ids_json = column_dup(st, 3);
		l->state = column_dup(st, 4);
		l->created_at = column_dup(st, 5);
		l->updated_at = column_dup(st, 6);
		l->request_count = (long)sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		set_error(log, "cannot read the batches in the log");
		runlog_batch_lines_free(*out, *count);
		*out = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

int runlog_batch_find_unfinished(struct runlog *log, const char *version_id,
				 const char *rows_fingerprint, struct runlog_batch_line **out,
				 size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_BATCH_UNFINISHED);
	bind_text(st, 1, version_id && *version_id ? version_id : NULL);
	bind_safe(log, st, 2, rows_fingerprint, 0);
	return batch_rows(log, st, out, count);
}

int runlog_batches(struct runlog *log, long n, struct runlog_batch_line **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!log)
		return 0;
	sqlite3_stmt *st = stmt(log, ST_BATCH_LATEST);
	sqlite3_bind_int64(st, 1, n > 0 ? n : -1);
	return batch_rows(log, st, out, count);
}

void runlog_batch_lines_free(struct runlog_batch_line *lines, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(lines[i].batch_id);
		free(lines[i].version_id);
		free(lines[i].rows_fingerprint);
		free(lines[i].custom_ids_json);
		free(lines[i].state);
		free(lines[i].created_at);
		free(lines[i].updated_at);
	}
	free(lines);
}

/* --- the one-line change summary ------------------------------------- */

/* A top-level key of a canonical preset and the lines under it. */
struct block {
	char *key;
	char *value; /* the text after "key:" on its line, trimmed */
	char *body;  /* the lines after the key line, up to the next key */
};

struct blocks {
	struct block *v;
	size_t n;
};

static int is_key_line(const char *line, size_t len)
{
	if (!len || line[0] == ' ' || line[0] == '\t' || line[0] == '-' || line[0] == '#')
		return 0;
	return memchr(line, ':', len) != NULL;
}

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

static void split_blocks(const char *text, struct blocks *out)
{
	out->v = NULL;
	out->n = 0;
	struct buf body;
	buf_init(&body, 0);
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (is_key_line(p, len)) {
			if (out->n)
				out->v[out->n - 1].body = buf_take(&body);
			out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
			struct block *b = &out->v[out->n++];
			size_t klen = (size_t)((const char *)memchr(p, ':', len) - p);
			b->key = xstrndup(p, klen);
			b->value = trimmed(p + klen + 1, len - klen - 1);
			b->body = NULL;
		} else if (out->n) {
			buf_append(&body, p, len);
			buf_append(&body, "\n", 1);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (out->n)
		out->v[out->n - 1].body = buf_take(&body);
	buf_done(&body);
}

static void blocks_free(struct blocks *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].key);
		free(b->v[i].value);
		free(b->v[i].body);
	}
	free(b->v);
}

static const struct block *find_block(const struct blocks *b, const char *key)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].key, key))
			return &b->v[i];
	return NULL;
}

static int is_scalar(const struct block *b)
{
	return *b->value && b->value[0] != '|' && b->value[0] != '>' &&
	       strspn(b->body, " \t\n") == strlen(b->body);
}

/* List items at the block's outermost indentation: the turns of messages. */
static long count_items(const char *body)
{
	long n = 0;
	size_t indent = (size_t)-1;
	for (const char *p = body; *p;) {
		size_t len = strcspn(p, "\n");
		size_t sp = strspn(p, " ");
		if (sp < len && p[sp] == '-' && (sp + 1 == len || p[sp + 1] == ' ')) {
			if (sp < indent) {
				indent = sp;
				n = 0;
			}
			if (sp == indent)
				n++;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return n;
}

/* A scalar shown in the summary: short, one line. */
static void put_scalar(struct buf *out, const char *v)
{
	size_t len = strlen(v);
	if (len <= 24)
		buf_puts(out, v);
	else
		buf_printf(out, "%.21s...", v);
}

static void summarize_key(struct buf *out, const struct block *a, const struct block *b)
{
	if (out->len)
		buf_puts(out, "; ");
	if (is_scalar(a) && is_scalar(b)) {
		buf_printf(out, "%s ", a->key);
		put_scalar(out, a->value);
		buf_puts(out, " -> ");
		put_scalar(out, b->value);
		return;
	}
	long ta = count_items(a->body), tb = count_items(b->body);
	if (!strcmp(a->key, "messages") && ta != tb) {
		long d = tb - ta;
		buf_printf(out, "messages %+ld turn%s", d, d == 1 || d == -1 ? "" : "s");
		return;
	}
	char *old_text = xasprintf("%s\n%s", a->value, a->body);
	char *new_text = xasprintf("%s\n%s", b->value, b->body);
	char *diff = replay_diff(old_text, new_text);
	long added = 0, removed = 0;
	for (const char *p = diff; *p;) {
		if (*p == '+')
			added++;
		else if (*p == '-')
			removed++;
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
	/* "+2 -1 lines", "+1 line", "-3 lines": a zero side is left out */
	buf_printf(out, "%s", a->key);
	if (added)
		buf_printf(out, " +%ld", added);
	if (removed)
		buf_printf(out, " -%ld", removed);
	buf_puts(out, (added && removed) || added + removed > 1 ? " lines" : " line");
	free(diff);
	free(old_text);
	free(new_text);
}

char *runlog_change_summary(const char *old_text, const char *new_text)
{
	if (!strcmp(old_text, new_text))
		return xstrdup("no change");
	struct blocks a, b;
	split_blocks(old_text, &a);
	split_blocks(new_text, &b);
	struct buf out;
	buf_init(&out, 0);
	for (size_t i = 0; i < b.n; i++) {
		const struct block *nb = &b.v[i], *ob = find_block(&a, nb->key);
		if (!ob)
			buf_printf(&out, "%s%s added", out.len ? "; " : "", nb->key);
		else if (strcmp(ob->value, nb->value) || strcmp(ob->body, nb->body))
			summarize_key(&out, ob, nb);
	}
	for (size_t i = 0; i < a.n; i++)
		if (!find_block(&b, a.v[i].key))
			buf_printf(&out, "%s%s removed", out.len ? "; " : "", a.v[i].key);
	if (!out.len)
		buf_puts(&out, "layout only");
	blocks_free(&a);
	blocks_free(&b);
	return buf_take(&out);
}

/* The top-level model: of a canonical text ("" when none). malloc'd. */
static char *text_model(const char *text)
{
	struct blocks b;
	split_blocks(text, &b);
	const struct block *m = find_block(&b, "model");
	char *model = xstrdup(m ? m->value : "");
	blocks_free(&b);
	size_t len = strlen(model);
	if (len >= 2 && (model[0] == '"' || model[0] == '\'') && model[len - 1] == model[0]) {
		memmove(model, model + 1, len - 2);
		model[len - 2] = '\0';
	}
	return model;
}

static char *version_evals(struct runlog *log, const char *id)
{
	struct buf out;
	buf_init(&out, 0);
	sqlite3_stmt *st = stmt(log, ST_EVALS_OF);
	bind_text(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (out.len)
			buf_puts(&out, ", ");
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			buf_puts(&out, "unfinished");
		else
			buf_printf(&out, "%lld/%lld passed", (long long)sqlite3_column_int64(st, 0),
				   (long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	return buf_take(&out);
}

/* How many answers a version got, and its last eval's mean grade. */
static void version_counts(struct runlog *log, const char *id, struct runlog_version_line *l)
{
	sqlite3_stmt *st = stmt(log, ST_VERSION_ANSWERS);
	bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		l->answers = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = stmt(log, ST_VERSION_GRADE);
	bind_text(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		l->mean_grade = sqlite3_column_double(st, 0);
		l->graded = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
}

int runlog_versions(struct runlog *log, const char *preset_path, long n,
		    struct runlog_version_line **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (!log)
		return 0;
	/* One more than asked: the oldest shown needs its predecessor. */
	char **ids = NULL, **times = NULL, **texts = NULL;
	size_t rows = 0;
	sqlite3_stmt *st = stmt(log, ST_VERSIONS_OF);
	bind_safe(log, st, 1, preset_path, 1);
	sqlite3_bind_int64(st, 2, n > 0 ? n + 1 : -1);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xrealloc(ids, (rows + 1) * sizeof *ids);
		times = xrealloc(times, (rows + 1) * sizeof *times);
		texts = xrealloc(texts, (rows + 1) * sizeof *texts);
		ids[rows] = column_dup(st, 0);
		times[rows] = column_dup(st, 1);
		texts[rows] = column_dup(st, 2);
		rows++;
	}
	sqlite3_reset(st);
	int result = 0;
	if (rc != SQLITE_DONE) {
		set_error(log, "cannot read the log");
		result = -1;
	} else {
		size_t shown = n > 0 && rows > (size_t)n ? (size_t)n : rows;
		*out = shown ? xcalloc(shown, sizeof **out) : NULL;
		for (size_t i = 0; i < shown; i++) {
			struct runlog_version_line *l = &(*out)[i];
			snprintf(l->id, sizeof l->id, "%s", ids[i]);
			l->created_at = xstrdup(times[i]);
			l->model = text_model(texts[i]);
			l->summary = i + 1 < rows ? runlog_change_summary(texts[i + 1], texts[i]) :
				     xstrdup("first version");
			l->evals = version_evals(log, ids[i]);
			version_counts(log, ids[i], l);
		}
		*count = shown;
	}
	for (size_t i = 0; i < rows; i++) {
		free(ids[i]);
		free(times[i]);
		free(texts[i]);
	}
	free(ids);
	free(times);
	free(texts);
	return result;
}

void runlog_version_lines_free(struct runlog_version_line *lines, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(lines[i].created_at);
		free(lines[i].model);
		free(lines[i].summary);
		free(lines[i].evals);
	}
	free(lines);
}

/* JSON stored as text goes back as JSON; anything else as a string. */
static void add_json_column(cJSON *obj, const char *name, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	cJSON *v = t ? cJSON_Parse(t) : NULL;
	if (!v)
		v = t ? cJSON_CreateString(t) : cJSON_CreateNull();
	cJSON_AddItemToObject(obj, name, v);
}

static void add_text_column(cJSON *obj, const char *name, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	cJSON_AddItemToObject(obj, name, t ? cJSON_CreateString(t) : cJSON_CreateNull());
}

char *runlog_answer_json(struct runlog *log, long long id)
{
	if (!log)
		return NULL;
	sqlite3_stmt *st = stmt(log, ST_ANSWER_FULL);
	sqlite3_bind_int64(st, 1, id);
	char *json = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
		add_text_column(o, "created_at", st, 1);
		add_text_column(o, "command", st, 2);
		add_text_column(o, "model", st, 3);
		add_text_column(o, "version_id", st, 4);
		add_text_column(o, "preset_path", st, 5);
		add_text_column(o, "outcome", st, 6);
		cJSON_AddNumberToObject(o, "cost_usd", sqlite3_column_double(st, 7));
		cJSON_AddNumberToObject(o, "latency_ms", (double)sqlite3_column_int64(st, 8));
		cJSON_AddBoolToObject(o, "cached", sqlite3_column_int(st, 9));
		add_json_column(o, "message", st, 10);
		add_json_column(o, "usage", st, 11);
		add_json_column(o, "error", st, 12);
		if (sqlite3_column_type(st, 13) == SQLITE_NULL) {
			cJSON_AddNullToObject(o, "request");
		} else {
			cJSON *r = cJSON_AddObjectToObject(o, "request");
			add_json_column(r, "body", st, 13);
			add_text_column(r, "api_version", st, 14);
			add_text_column(r, "betas", st, 15);
			add_text_column(r, "base_url", st, 16);
		}
		json = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	} else {
		free(log->error);
		log->error = xasprintf("no answer %lld in the log", id);
	}
	sqlite3_reset(st);
	return json;
}

char *runlog_version_text(struct runlog *log, const char *id)
{
	if (!log)
		return NULL;
	size_t len = id ? strlen(id) : 0;
	int hex = len >= 4 && len <= 64 && strspn(id, "0123456789abcdefABCDEF") == len;
	if (!hex) {
		free(log->error);
		log->error = xasprintf("a version id is 4 to 8 hex digits, not \"%s\"", id ? id : "");
		return NULL;
	}
	char prefix[RUNLOG_VERSION_ID_SIZE];
	size_t n = len < sizeof prefix - 1 ? len : sizeof prefix - 1;
	for (size_t i = 0; i < n; i++)
		prefix[i] = (char)tolower((unsigned char)id[i]);
	prefix[n] = '\0';
	sqlite3_stmt *st = stmt(log, ST_VERSION_BY_PREFIX);
	bind_text(st, 1, prefix);
	char *text = NULL;
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW && ++rows == 1)
		text = column_dup(st, 0);
	sqlite3_reset(st);
	if (rows != 1) {
		free(text);
		free(log->error);
		log->error = rows ? xasprintf("version %s is ambiguous: give more digits", id) :
				    xasprintf("no version %s in the log", id);
		return NULL;
	}
	return text;
}

char *runlog_version_diff(struct runlog *log, const char *id_a, const char *id_b)
{
	char *a = runlog_version_text(log, id_a);
	if (!a)
		return NULL;
	char *b = runlog_version_text(log, id_b);
	if (!b) {
		free(a);
		return NULL;
	}
	char *diff = replay_diff(a, b);
	free(a);
	free(b);
	return diff;
}
