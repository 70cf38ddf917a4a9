/* The run log against real SQLite files in a private temporary directory:
 * modes, PWB_LOG=off, recording and the cache, versions and their change
 * summaries, eval runs and grades, migrations (from nothing, from schema 1,
 * a newer schema refused untouched), the key never in the file bytes, and
 * two processes writing at once. */
#include "tests/unit/tap.h"

#include "core/runlog-schema.h"
#include "core/runlog.h"
#include "core/util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SENTINEL "sk-ant-api03-SENTINELkey0123456789abcdefghijklmnop-XYZwAA"
#define SENTINEL_PREFIX "sk-ant-api03-SENTINELkey0" /* its first 25 characters */
/* base64 of SENTINEL */
#define SENTINEL_B64 "c2stYW50LWFwaTAzLVNFTlRJTkVMa2V5MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3AtWFlad0FB"

static char dir[] = "/tmp/pwb-test-runlog-XXXXXX";

#define T(fn) RUN(fn)

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s%s", path, suffixes[i]);
		unlink(p);
		free(p);
	}
}

static struct runlog *open_fresh(const char *name, const char *key)
{
	char *path = path_in(name);
	remove_db(path);
	char *error = NULL;
	struct runlog *log = runlog_open(path, key, &error);
	if (error)
		printf("#   open %s: %s\n", path, error);
	CHECK(log != NULL);
	free(error);
	free(path);
	return log;
}

/* Run one SQL query returning an integer on a database file directly. */
static long long query_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static char *read_file_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*len = 0;
	if (!f)
		return NULL;
	char *data = NULL;
	size_t cap = 0;
	for (;;) {
		data = xrealloc(data, cap + 65536);
		size_t got = fread(data + cap, 1, 65536, f);
		cap += got;
		if (got < 65536)
			break;
	}
	fclose(f);
	*len = cap;
	return data;
}

static int bytes_contain(const char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(data + i, needle, n))
			return 1;
	return 0;
}

static int mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static void test_version_id(void)
{
	char id[RUNLOG_VERSION_ID_SIZE];
	runlog_version_id("abc", id); /* SHA-256("abc") = ba7816bf... */
	CHECK_STR(id, "ba7816bf");
	runlog_version_id("", id);
	CHECK_STR(id, "e3b0c442");
}

static void test_default_path_and_modes(void)
{
	unsetenv("PWB_LOG");
	char *xdg = path_in("xdg");
	setenv("XDG_DATA_HOME", xdg, 1);
	char *path = runlog_default_path();
	char *want = xasprintf("%s/pwb/log.db", xdg);
	CHECK_STR(path, want);
	unsetenv("XDG_DATA_HOME");
	char *home_path = runlog_default_path();
	char *home_want = xasprintf("%s/.local/share/pwb/log.db", getenv("HOME"));
	CHECK_STR(home_path, home_want);

	umask(022); /* a permissive umask must not leak into the log's modes */
	char *error = NULL;
	struct runlog *log = runlog_open(path, NULL, &error);
	CHECK(log != NULL);
	CHECK(error == NULL);
	struct runlog_answer a = { .body = "{}", .command = "run", .outcome = "complete" };
	CHECK(runlog_record_answer(log, &a) > 0);
	char *pwbdir = xasprintf("%s/pwb", xdg), *wal = xasprintf("%s-wal", path),
	     *shm = xasprintf("%s-shm", path);
	CHECK_INT(mode_of(pwbdir), 0700);
	CHECK_INT(mode_of(path), 0600);
	CHECK_INT(mode_of(wal), 0600);
	CHECK_INT(mode_of(shm), 0600);
	runlog_close(log);
	remove_db(path);
	rmdir(pwbdir);
	rmdir(xdg);
	free(pwbdir);
	free(wal);
	free(shm);
	free(error);
	free(path);
	free(want);
	free(home_path);
	free(home_want);
	free(xdg);
}

static void test_off(void)
{
	setenv("PWB_LOG", "off", 1);
	CHECK(runlog_default_path() == NULL);
	char *error = (char *)"unset";
	struct runlog *log = runlog_open(NULL, SENTINEL, &error);
	CHECK(log == NULL);
	CHECK(error == NULL);
	unsetenv("PWB_LOG");
	/* every call is a no-op on the NULL handle */
	char id[RUNLOG_VERSION_ID_SIZE] = "x";
	CHECK_INT(runlog_record_version(NULL, "p.yaml", NULL, "model: m\n", id), 0);
	CHECK_STR(id, "");
	struct runlog_answer a = { .body = "{}", .outcome = "complete" };
	CHECK_INT(runlog_record_answer(NULL, &a), 0);
	CHECK(runlog_cache_lookup(NULL, "{}", NULL, NULL, NULL, NULL) == NULL);
	CHECK_INT(runlog_eval_start(NULL, NULL, NULL, NULL), 0);
	struct runlog_answer_line *lines = NULL;
	size_t n = 5;
	CHECK_INT(runlog_latest(NULL, 10, &lines, &n), 0);
	CHECK_INT(n, 0);
	runlog_close(NULL);
	/* and with PWB_LOG=off nothing appears in the default place */
	char *xdg = path_in("offxdg");
	setenv("XDG_DATA_HOME", xdg, 1);
	setenv("PWB_LOG", "off", 1);
	CHECK(runlog_open(NULL, NULL, &error) == NULL);
	CHECK(access(xdg, F_OK) != 0);
	unsetenv("PWB_LOG");
	unsetenv("XDG_DATA_HOME");
	free(xdg);
	/* nowhere to put it is an error to warn about, not "off" */
	char *home = xstrdup(getenv("HOME"));
	unsetenv("HOME");
	CHECK(runlog_open(NULL, NULL, &error) == NULL);
	CHECK(error && strstr(error, "HOME is not set"));
	free(error);
	if (home)
		setenv("HOME", home, 1);
	free(home);
}

#define MSG(text) "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\"," \
	"\"content\":[{\"type\":\"text\",\"text\":\"" text "\"}],\"stop_reason\":\"end_turn\"}"

static void test_record_and_cache(void)
{
	struct runlog *log = open_fresh("cache.db", NULL);
	if (!log)
		return;
	const char *body = "{\"model\":\"claude-x\",\"max_tokens\":10}";
	struct runlog_answer a = {
		.body = body, .api_version = "2023-06-01", .betas = NULL,
		.base_url = "http://127.0.0.1:1", .command = "run", .model = "claude-x",
		.message_json = MSG("first"), .usage_json = "{\"input_tokens\":3}",
		.cost_usd = 0.25, .latency_ms = 120, .outcome = RUNLOG_OUTCOME_COMPLETE,
	};
	long long first = runlog_record_answer(log, &a);
	CHECK(first > 0);
	a.message_json = MSG("second");
	long long second = runlog_record_answer(log, &a);
	CHECK(second > first);
	/* a later failed answer is never served from the cache */
	a.message_json = MSG("partial");
	a.outcome = "truncated";
	CHECK(runlog_record_answer(log, &a) > second);

	long long id = 0;
	char *m = runlog_cache_lookup(log, body, "2023-06-01", NULL, "http://127.0.0.1:1", &id);
	CHECK_STR(m, MSG("second"));
	CHECK_INT(id, second);
	free(m);
	/* the key is exact: betas "" and NULL are the same, anything else differs */
	m = runlog_cache_lookup(log, body, "2023-06-01", "", "http://127.0.0.1:1", NULL);
	CHECK(m != NULL);
	free(m);
	CHECK(runlog_cache_lookup(log, body, "2023-06-01", "x-beta", "http://127.0.0.1:1", NULL) == NULL);
	CHECK(runlog_cache_lookup(log, body, "2024-01-01", NULL, "http://127.0.0.1:1", NULL) == NULL);
	CHECK(runlog_cache_lookup(log, body, "2023-06-01", NULL, "http://127.0.0.1:2", NULL) == NULL);
	CHECK(runlog_cache_lookup(log, "{\"model\":\"claude-x\"}", "2023-06-01", NULL,
				  "http://127.0.0.1:1", NULL) == NULL);

	/* one request row for the three answers */
	char *path = path_in("cache.db");
	CHECK_INT(query_int(path, "SELECT count(*) FROM requests"), 1);
	CHECK_INT(query_int(path, "SELECT count(*) FROM answers"), 3);

	char *json = runlog_answer_json(log, second);
	CHECK(json && strstr(json, "\"message\":{\"id\":\"msg_1\""));
	CHECK(json && strstr(json, "\"latency_ms\":120"));
	CHECK(json && strstr(json, "\"body\":{\"model\":\"claude-x\",\"max_tokens\":10}"));
	CHECK(json && strstr(json, "\"api_version\":\"2023-06-01\""));
	free(json);
	CHECK(runlog_answer_json(log, 999) == NULL);
	CHECK(strstr(runlog_error(log), "no answer 999") != NULL);
	runlog_close(log);
	free(path);
}

static void test_latest(void)
{
	struct runlog *log = open_fresh("latest.db", NULL);
	if (!log)
		return;
	char vid[RUNLOG_VERSION_ID_SIZE];
	CHECK_INT(runlog_record_version(log, "presets/a.yaml", "A", "pwb: 1\nmodel: m1\n", vid), 0);
	CHECK_INT(strlen(vid), 8);
	for (int i = 0; i < 5; i++) {
		char *msg = xasprintf(MSG("line %d\\nmore"), i);
		struct runlog_answer a = {
			.body = "{}", .command = i % 2 ? "eval" : "run", .model = "m1",
			.version_id = i >= 3 ? vid : NULL, .preset_path = i >= 3 ? "presets/a.yaml" : NULL,
			.message_json = msg,
			.cost_usd = i, .outcome = "complete", .cached = i == 4,
		};
		CHECK(runlog_record_answer(log, &a) > 0);
		free(msg);
	}
	struct runlog_answer_line *l = NULL;
	size_t n = 0;
	CHECK_INT(runlog_latest(log, 3, &l, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(l[0].first_line, "line 4");
		CHECK_STR(l[0].command, "run");
		CHECK_STR(l[0].preset_path, "presets/a.yaml");
		CHECK_STR(l[0].version_id, vid);
		CHECK_INT(l[0].cached, 1);
		CHECK(l[0].cost_usd == 4.0);
		CHECK(l[0].created_at && strlen(l[0].created_at) == 24);
		CHECK_STR(l[1].first_line, "line 3");
		CHECK_STR(l[2].first_line, "line 2");
		CHECK(l[2].preset_path == NULL);
		CHECK(l[0].id > l[1].id && l[1].id > l[2].id);
	}
	runlog_answer_lines_free(l, n);
	CHECK_INT(runlog_latest(log, 0, &l, &n), 0);
	CHECK_INT(n, 5);
	runlog_answer_lines_free(l, n);
	runlog_close(log);
}

/* A preset's own complete answers, newest last: other presets, errors and
 * cached copies are left out; the request body comes along. */
static void test_preset_answers(void)
{
	struct runlog *log = open_fresh("preset-answers.db", NULL);
	if (!log)
		return;
	static const struct {
		const char *path, *outcome, *body;
		int cached;
	} rows[] = {
		{ "/p/a.yaml", "complete", "{\"model\":\"m\",\"max_tokens\":1}", 0 },
		{ "/p/b.yaml", "complete", "{}", 0 },
		{ "/p/a.yaml", "error", "{}", 0 },
		{ "/p/a.yaml", "complete", "{\"model\":\"m\",\"max_tokens\":2}", 0 },
		{ "/p/a.yaml", "complete", "{\"model\":\"m\",\"max_tokens\":2}", 1 },
		{ "/p/a.yaml", "complete", "{\"model\":\"m\",\"max_tokens\":3}", 0 },
		{ "/p/a.yaml", "complete", "{}", 0 }, /* an evaluation's row (below) */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *msg = xasprintf(MSG("answer %zu"), i);
		struct runlog_answer a = {
			.body = rows[i].body, .command = "tui", .model = "m", .version_id = "abcd1234",
			.preset_path = rows[i].path, .message_json = msg, .usage_json = "{\"input_tokens\":3}",
			.cost_usd = 0.5, .outcome = rows[i].outcome, .cached = rows[i].cached,
		};
		long long id = runlog_record_answer(log, &a);
		CHECK(id > 0);
		free(msg);
		if (i == 6) {
			long long run = runlog_eval_start(log, "abcd1234", "/p/a.yaml", "m");
			struct runlog_eval_row r = { .run_id = run, .outcome = "passed", .answer_id = id };
			CHECK(runlog_eval_result(log, &r) > 0);
		}
	}
	/* an answer of another command (improve's meta-prompt) is not the preset's */
	struct runlog_answer other = { .body = "{}", .command = "improve", .preset_path = "/p/a.yaml",
				       .message_json = MSG("meta"), .outcome = "complete" };
	CHECK(runlog_record_answer(log, &other) > 0);
	struct runlog_preset_answer *l = NULL;
	size_t n = 9;
	CHECK_INT(runlog_preset_answers(log, "/p/a.yaml", 0, &l, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(strstr(l[0].message_json, "answer 0") != NULL);
		CHECK(strstr(l[1].message_json, "answer 3") != NULL);
		CHECK(strstr(l[2].message_json, "answer 5") != NULL);
		CHECK_STR(l[2].body, "{\"model\":\"m\",\"max_tokens\":3}");
		CHECK_STR(l[2].version_id, "abcd1234");
		CHECK_STR(l[2].usage_json, "{\"input_tokens\":3}");
		CHECK(l[2].cost_usd == 0.5);
		CHECK(l[0].id < l[1].id && l[1].id < l[2].id);
	}
	runlog_preset_answers_free(l, n);
	/* the latest two, still newest last */
	CHECK_INT(runlog_preset_answers(log, "/p/a.yaml", 2, &l, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(strstr(l[0].message_json, "answer 3") != NULL);
		CHECK(strstr(l[1].message_json, "answer 5") != NULL);
	}
	runlog_preset_answers_free(l, n);
	CHECK_INT(runlog_preset_answers(log, "/p/none.yaml", 5, &l, &n), 0);
	CHECK_INT(n, 0);
	runlog_preset_answers_free(l, n);
	CHECK_INT(runlog_preset_answers(NULL, "/p/a.yaml", 5, &l, &n), 0);
	CHECK_INT(n, 0);
	runlog_close(log);
}

static void test_change_summary(void)
{
	const char *v1 = "pwb: 1\nmodel: claude-a\ntemperature: 0.7\nsystem: |\n  one\n  two\n"
			 "messages:\n- role: user\n  content: hi\n";
	const char *v2 = "pwb: 1\nmodel: claude-a\ntemperature: 0.3\nsystem: |\n  one\n  2\n  three\n"
			 "messages:\n- role: user\n  content: hi\n- role: assistant\n  content: yo\n"
			 "tools:\n- name: t\n";
	char *s = runlog_change_summary(v1, v2);
	CHECK_STR(s, "temperature 0.7 -> 0.3; system +2 -1 lines; messages +1 turn; tools added");
	free(s);
	s = runlog_change_summary(v2, v1);
	CHECK_STR(s, "temperature 0.3 -> 0.7; system +1 -2 lines; messages -1 turn; tools removed");
	free(s);
	s = runlog_change_summary(v1, v1);
	CHECK_STR(s, "no change");
	free(s);
	/* same number of turns: the lines that changed */
	s = runlog_change_summary("messages:\n- role: user\n  content: a\n",
				  "messages:\n- role: user\n  content: b\n");
	CHECK_STR(s, "messages +1 -1 lines");
	free(s);
	s = runlog_change_summary("model: a-very-long-model-name-indeed-2026\n", "model: b\n");
	CHECK_STR(s, "model a-very-long-model-nam... -> b");
	free(s);
}

static void test_versions(void)
{
	struct runlog *log = open_fresh("versions.db", NULL);
	if (!log)
		return;
	const char *texts[] = {
		"pwb: 1\nmodel: claude-a\ntemperature: 0.7\n",
		"pwb: 1\nmodel: claude-a\ntemperature: 0.3\n",
		"pwb: 1\nmodel: \"claude-b\"\ntemperature: 0.3\nsystem: be brief\n",
	};
	char ids[3][RUNLOG_VERSION_ID_SIZE];
	for (int i = 0; i < 3; i++) {
		CHECK_INT(runlog_record_version(log, "p.yaml", "P", texts[i], ids[i]), 0);
		char want[RUNLOG_VERSION_ID_SIZE];
		runlog_version_id(texts[i], want);
		CHECK_STR(ids[i], want);
	}
	/* the same text again is the same version, not a new one */
	char again[RUNLOG_VERSION_ID_SIZE];
	CHECK_INT(runlog_record_version(log, "p.yaml", "P", texts[0], again), 0);
	CHECK_STR(again, ids[0]);
	CHECK_INT(runlog_record_version(log, "other.yaml", NULL, "pwb: 1\n", again), 0);
	/* a copied preset: the same text is also the first version of the copy */
	CHECK_INT(runlog_record_version(log, "copy.yaml", NULL, texts[1], again), 0);
	CHECK_STR(again, ids[1]);

	long long run = runlog_eval_start(log, ids[1], "p.yaml", "claude-a");
	CHECK(run > 0);
	struct runlog_eval_summary sum = { .passed = 3, .failed = 1, .total = 4, .cost_usd = 0.5 };
	CHECK_INT(runlog_eval_finish(log, run, &sum), 0);
	long long run2 = runlog_eval_start(log, ids[1], "p.yaml", "claude-a");
	sum.passed = 4;
	sum.failed = 0;
	CHECK_INT(runlog_eval_finish(log, run2, &sum), 0);
	CHECK(runlog_eval_start(log, ids[2], "p.yaml", "claude-b") > 0); /* never finished */
	CHECK_INT(runlog_eval_finish(log, 12345, &sum), -1);

	struct runlog_version_line *v = NULL;
	size_t n = 0;
	CHECK_INT(runlog_versions(log, "p.yaml", 0, &v, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(v[0].id, ids[2]);
		CHECK_STR(v[0].model, "claude-b");
		CHECK_STR(v[0].summary, "model claude-a -> \"claude-b\"; system added");
		CHECK_STR(v[0].evals, "unfinished");
		CHECK_STR(v[1].id, ids[1]);
		CHECK_STR(v[1].summary, "temperature 0.7 -> 0.3");
		CHECK_STR(v[1].evals, "4/4 passed, 3/4 passed");
		CHECK_STR(v[2].summary, "first version");
		CHECK_STR(v[2].evals, "");
	}
	runlog_version_lines_free(v, n);
	/* a limit still summarizes the oldest shown against its predecessor */
	CHECK_INT(runlog_versions(log, "p.yaml", 2, &v, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2)
		CHECK_STR(v[1].summary, "temperature 0.7 -> 0.3");
	runlog_version_lines_free(v, n);
	CHECK_INT(runlog_versions(log, "copy.yaml", 0, &v, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(v[0].id, ids[1]);
		CHECK_STR(v[0].summary, "first version");
		CHECK_STR(v[0].evals, "4/4 passed, 3/4 passed");
	}
	runlog_version_lines_free(v, n);
	CHECK_INT(runlog_versions(log, "none.yaml", 0, &v, &n), 0);
	CHECK_INT(n, 0);
	char *path = path_in("versions.db");
	CHECK_INT(query_int(path, "SELECT count(*) FROM versions"), 4);
	free(path);

	char *text = runlog_version_text(log, ids[1]);
	CHECK_STR(text, texts[1]);
	free(text);
	char prefix[5];
	memcpy(prefix, ids[0], 4);
	prefix[4] = '\0';
	text = runlog_version_text(log, prefix);
	CHECK_STR(text, texts[0]);
	free(text);
	CHECK(runlog_version_text(log, "zz") == NULL);
	CHECK(strstr(runlog_error(log), "hex digits") != NULL);
	CHECK(runlog_version_text(log, "00000000") == NULL
	      || strcmp(ids[0], "00000000") == 0);
	char *diff = runlog_version_diff(log, ids[0], ids[1]);
	CHECK(diff && strstr(diff, "-temperature: 0.7\n+temperature: 0.3\n"));
	CHECK(diff && strstr(diff, "@@ "));
	free(diff);
	diff = runlog_version_diff(log, ids[0], ids[0]);
	CHECK_STR(diff, "");
	free(diff);
	runlog_close(log);
}

static void test_eval_results_and_grade(void)
{
	struct runlog *log = open_fresh("eval.db", NULL);
	if (!log)
		return;
	long long run = runlog_eval_start(log, NULL, "p.yaml", "m");
	struct runlog_answer a = { .body = "{}", .outcome = "complete", .command = "eval" };
	long long ans = runlog_record_answer(log, &a);
	struct runlog_eval_row r = {
		.run_id = run, .row = 2, .repeat = 1, .description = "greets",
		.vars_json = "{\"name\":\"Ada\"}", .outcome = "passed",
		.assertions_json = "[{\"type\":\"contains\",\"value\":\"hi\",\"pass\":true}]",
		.answer_id = ans,
	};
	long long res = runlog_eval_result(log, &r);
	CHECK(res > 0);
	CHECK_INT(runlog_set_grade(log, res, 4), 0);
	CHECK_INT(runlog_set_grade(log, res, 6), -1);
	CHECK(strstr(runlog_error(log), "1 to 5") != NULL);
	CHECK_INT(runlog_set_grade(log, res + 100, 3), -1);
	char *path = path_in("eval.db");
	CHECK_INT(query_int(path, "SELECT grade FROM eval_results WHERE row_index = 2 AND repeat = 1"), 4);
	CHECK_INT(query_int(path, "SELECT answer_id FROM eval_results"), ans);
	CHECK_INT(runlog_set_grade(log, res, 0), 0);
	CHECK_INT(query_int(path, "SELECT grade IS NULL FROM eval_results"), 1);
	runlog_close(log);
	free(path);
}

static void test_migrate_from_zero(void)
{
	char *path = path_in("zero.db");
	remove_db(path);
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	/* a database at user_version 0 that already holds something else */
	CHECK(sqlite3_exec(db, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep');",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	char *error = NULL;
	struct runlog *log = runlog_open(path, NULL, &error);
	CHECK(log != NULL);
	runlog_close(log);
	free(error);
	CHECK_INT(query_int(path, "PRAGMA user_version"), runlog_schema_version());
	CHECK_INT(query_int(path, "SELECT count(*) FROM notes"), 1);
	CHECK_INT(query_int(path, "SELECT count(*) FROM batches"), 0);
	/* opening again migrates nothing and keeps working */
	log = runlog_open(path, NULL, &error);
	CHECK(log != NULL);
	runlog_close(log);
	free(path);
}

static void test_migrate_from_v1(void)
{
	CHECK(runlog_schema_version() >= 2);
	char *path = path_in("v1.db");
	remove_db(path);
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	/* schema 1 as an older pwb left it, with an answer in it */
	CHECK(sqlite3_exec(db, runlog_schema_migration(0), NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db,
			   "INSERT INTO answers (command, model, message, outcome, created_at) VALUES "
			   "('run', 'old-model', '{\"content\":[{\"type\":\"text\",\"text\":\"from v1\"}]}', "
			   "'complete', '2026-01-01T00:00:00.000Z');",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(query_int(path, "PRAGMA user_version"), 1);
	CHECK_INT(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'batches'"), 0);

	char *error = NULL;
	struct runlog *log = runlog_open(path, NULL, &error);
	CHECK(log != NULL);
	CHECK_INT(query_int(path, "PRAGMA user_version"), runlog_schema_version());
	CHECK_INT(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'batches'"), 1);
	struct runlog_answer_line *l = NULL;
	size_t n = 0;
	CHECK_INT(runlog_latest(log, 10, &l, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(l[0].model, "old-model");
		CHECK_STR(l[0].first_line, "from v1");
	}
	runlog_answer_lines_free(l, n);
	runlog_close(log);
	free(error);
	free(path);
}

static void test_newer_schema_refused(void)
{
	char *path = path_in("newer.db");
	remove_db(path);
	sqlite3 *db = NULL;
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99;",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	size_t before_len = 0, after_len = 0;
	char *before = read_file_bytes(path, &before_len);
	char *error = NULL;
	struct runlog *log = runlog_open(path, NULL, &error);
	CHECK(log == NULL);
	CHECK(error && strstr(error, "schema version 99, newer than this pwb knows"));
	char *after = read_file_bytes(path, &after_len);
	CHECK(before && after && before_len == after_len && !memcmp(before, after, before_len));
	CHECK_INT(query_int(path, "PRAGMA user_version"), 99);
	CHECK_INT(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'answers'"), 0);
	char *wal = xasprintf("%s-wal", path);
	CHECK(access(wal, F_OK) != 0); /* never switched to WAL */
	free(wal);
	free(before);
	free(after);
	free(error);
	free(path);

	/* not a database at all: an error, not a crash */
	path = path_in("notdb.db");
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("this is not an SQLite database, just some text long enough to have a header\n", f);
		fclose(f);
	}
	log = runlog_open(path, NULL, &error);
	CHECK(log == NULL);
	CHECK(error != NULL);
	free(error);
	remove_db(path);
	free(path);
}

static void check_no_key_bytes(const char *file, const char *what)
{
	size_t len = 0;
	char *data = read_file_bytes(file, &len);
	if (!data)
		return;
	if (bytes_contain(data, len, SENTINEL_PREFIX) || bytes_contain(data, len, SENTINEL_B64) ||
	    bytes_contain(data, len, "SENTINELkey")) {
		tap_case_failed = 1;
		printf("#   the key (or its prefix or base64) is in %s (%s)\n", file, what);
	}
	free(data);
}

static void test_redaction(void)
{
	struct runlog *log = open_fresh("redact.db", SENTINEL);
	if (!log)
		return;
	const char *with_key = "{\"note\":\"" SENTINEL "\",\"p\":\"" SENTINEL_PREFIX "zz\","
			       "\"b\":\"" SENTINEL_B64 "\"}";
	char vid[RUNLOG_VERSION_ID_SIZE];
	CHECK_INT(runlog_record_version(log, "dir/" SENTINEL ".yaml", SENTINEL,
					"system: " SENTINEL "\n", vid), 0);
	struct runlog_answer a = {
		.body = with_key, .api_version = SENTINEL, .betas = SENTINEL,
		.base_url = "http://x/" SENTINEL_PREFIX, .version_id = vid, .command = SENTINEL,
		.preset_path = "/p/" SENTINEL ".yaml",
		.model = SENTINEL, .message_json = with_key, .usage_json = with_key,
		.outcome = RUNLOG_OUTCOME_COMPLETE, .error_json = with_key,
	};
	CHECK(runlog_record_answer(log, &a) > 0);
	long long run = runlog_eval_start(log, vid, SENTINEL, SENTINEL);
	struct runlog_eval_row r = {
		.run_id = run, .description = SENTINEL, .vars_json = with_key,
		.outcome = "failed", .assertions_json = with_key,
	};
	CHECK(runlog_eval_result(log, &r) > 0);
	/* the same request still hits the cache, and reads back redacted */
	char *m = runlog_cache_lookup(log, with_key, SENTINEL, SENTINEL, "http://x/" SENTINEL_PREFIX, NULL);
	CHECK(m && strstr(m, "[REDACTED]") && !strstr(m, "SENTINELkey"));
	free(m);
	char *path = path_in("redact.db"), *wal = xasprintf("%s-wal", path);
	check_no_key_bytes(path, "open");
	check_no_key_bytes(wal, "open");
	runlog_close(log);
	check_no_key_bytes(path, "closed");
	check_no_key_bytes(wal, "closed");
	free(wal);
	free(path);
}

#define PER_WRITER 200

static void test_two_writers(void)
{
	char *path = path_in("concurrent.db");
	remove_db(path);
	pid_t pids[2];
	for (int w = 0; w < 2; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			/* both open a new log at once: the migration must happen once */
			char *error = NULL;
			struct runlog *log = runlog_open(path, NULL, &error);
			if (!log) {
				printf("#   writer %d: %s\n", w, error ? error : "off?");
				_exit(2);
			}
			int failed = 0;
			for (int i = 0; i < PER_WRITER; i++) {
				char *body = xasprintf("{\"writer\":%d,\"i\":%d}", w, i);
				struct runlog_answer a = {
					.body = body, .command = w ? "eval" : "tui", .message_json = MSG("x"),
					.outcome = RUNLOG_OUTCOME_COMPLETE,
				};
				if (runlog_record_answer(log, &a) <= 0) {
					printf("#   writer %d row %d: %s\n", w, i, runlog_error(log));
					failed = 1;
				}
				free(body);
			}
			runlog_close(log);
			free(path);
			_exit(failed);
		}
	}
	for (int w = 0; w < 2; w++) {
		int status = 0;
		CHECK(pids[w] > 0 && waitpid(pids[w], &status, 0) == pids[w]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CHECK_INT(query_int(path, "SELECT count(*) FROM answers"), 2 * PER_WRITER);
	CHECK_INT(query_int(path, "SELECT count(*) FROM requests"), 2 * PER_WRITER);
	CHECK_INT(query_int(path, "SELECT count(*) FROM answers WHERE command = 'tui'"), PER_WRITER);
	CHECK_INT(query_int(path, "PRAGMA user_version"), runlog_schema_version());
	free(path);
}

/* test_runlog --fill DB PRESET: a small known log for tests/t/log.sh (there
 * is no recording command to fill one yet). Prints the two version ids. */
static int fill(const char *db, const char *preset_path)
{
	char *error = NULL;
	struct runlog *log = runlog_open(db, NULL, &error);
	if (!log) {
		fprintf(stderr, "fill: %s\n", error ? error : "log off");
		free(error);
		return 1;
	}
	char v1[RUNLOG_VERSION_ID_SIZE], v2[RUNLOG_VERSION_ID_SIZE];
	runlog_record_version(log, preset_path, "P",
			      "pwb: 1\nmodel: claude-a\nmax_tokens: 64\ntemperature: 0.7\nsystem: |\n  one\n"
			      "messages:\n- role: user\n  content: hi\n", v1);
	runlog_record_version(log, preset_path, "P",
			      "pwb: 1\nmodel: claude-a\nmax_tokens: 64\ntemperature: 0.3\nsystem: |\n  one\n  two\n"
			      "messages:\n- role: user\n  content: hi\n", v2);
	struct runlog_answer a = {
		.body = "{\"model\":\"claude-a\"}", .api_version = "2023-06-01", .command = "run",
		.model = "claude-a", .version_id = v1, .message_json = MSG("Hello there\\nsecond line"),
		.usage_json = "{\"input_tokens\":5,\"output_tokens\":7}", .cost_usd = 0.0123,
		.latency_ms = 321, .outcome = RUNLOG_OUTCOME_COMPLETE, .preset_path = preset_path,
	};
	runlog_record_answer(log, &a);
	a.command = "eval";
	a.version_id = v2;
	a.message_json = MSG("Second answer");
	a.cached = 1;
	runlog_record_answer(log, &a);
	long long run = runlog_eval_start(log, v2, preset_path, "claude-a");
	struct runlog_eval_summary sum = { .passed = 3, .failed = 1, .total = 4 };
	runlog_eval_finish(log, run, &sum);
	runlog_close(log);
	printf("%s %s\n", v1, v2);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--fill"))
		return fill(argv[2], argv[3]);
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP mkdtemp failed\n");
		return 1;
	}
	unsetenv("PWB_LOG");
	T(test_version_id);
	T(test_default_path_and_modes);
	T(test_off);
	T(test_record_and_cache);
	T(test_latest);
	T(test_preset_answers);
	T(test_change_summary);
	T(test_versions);
	T(test_eval_results_and_grade);
	T(test_migrate_from_zero);
	T(test_migrate_from_v1);
	T(test_newer_schema_refused);
	T(test_redaction);
	T(test_two_writers);
	static const char *const dbs[] = { "cache.db", "latest.db", "preset-answers.db", "versions.db", "eval.db", "zero.db",
					   "v1.db", "newer.db", "redact.db", "concurrent.db" };
	for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
		char *p = path_in(dbs[i]);
		remove_db(p);
		free(p);
	}
	rmdir(dir);
	return tap_done();
}
