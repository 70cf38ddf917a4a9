/* Presets: YAML load/save round trips (shipped presets and hostile text),
 * every validation rule with its exact FILE:LINE:COL, variables, atomic
 * saves (interrupted, unwritable folder, symlink, FILE~, changed on disk,
 * key-shaped strings, the writers' lock, stale temporaries), the evaluation
 * keys (tests, assert), deep nesting, non-regular files, and the pure parts
 * of replay. */
#include "core/buf.h"
#include "core/diag.h"
#include "core/file.h"
#include "core/preset.h"
#include "core/replay.h"
#include "core/request.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/util.h"
#include "tests/unit/tap.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static char *diags_text(const struct diag_list *d)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	diag_print_all(f, d);
	fclose(f);
	return out;
}

/* Load text as "t.yaml" and validate; returns the printed diagnostics. */
static char *check_yaml(const char *yaml, size_t *errors, size_t *warnings)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string("t.yaml", yaml, strlen(yaml), &d);
	if (p)
		preset_validate(p, &d);
	char *t = diags_text(&d);
	if (errors)
		*errors = diag_count(&d, DIAG_ERROR) + (p ? 0 : 1000);
	if (warnings)
		*warnings = diag_count(&d, DIAG_WARNING);
	diag_list_done(&d);
	preset_free(p);
	return t;
}

static int expect(const char *yaml, const char *needle, int line)
{
	char *t = check_yaml(yaml, NULL, NULL);
	int ok = strstr(t, needle) != NULL;
	if (!ok)
		printf("#   line %d: expected \"%s\" in:\n%s", line, needle, t);
	free(t);
	return ok;
}
#define EXPECT(yaml, needle) CHECK(expect(yaml, needle, __LINE__))

/* No error at all, and no warning containing needle (NULL: no warning). */
static int clean(const char *yaml, const char *not_warning, int line)
{
	size_t e, w;
	char *t = check_yaml(yaml, &e, &w);
	int ok = e == 0 && (not_warning ? !strstr(t, not_warning) : w == 0);
	if (!ok)
		printf("#   line %d: expected no %s, got:\n%s", line,
		       not_warning ? not_warning : "diagnostic", t);
	free(t);
	return ok;
}
#define CLEAN(yaml) CHECK(clean(yaml, NULL, __LINE__))
#define NO_ERROR(yaml, not_warning) CHECK(clean(yaml, not_warning, __LINE__))

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = xmalloc((size_t)n + 1);
	size_t got = fread(b, 1, (size_t)n, f);
	fclose(f);
	b[got] = '\0';
	if (len)
		*len = got;
	return b;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
}

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pwb-test-preset.XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
	chmod(tmpdir, 0755);
}

static void rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			chmod(p, 0755);
			rm_rf(p);
		} else {
			unlink(p);
		}
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Compare every field of two sessions; prints the first difference. */
static int sessions_equal(const struct session *a, const struct session *b)
{
#define SEQ(x) do { if (!str_eq(a->x, b->x)) { printf("#   differs: %s\n#   a: [%s]\n#   b: [%s]\n", #x, \
	a->x ? a->x : "(null)", b->x ? b->x : "(null)"); return 0; } } while (0)
	SEQ(name); SEQ(description); SEQ(api_version); SEQ(model); SEQ(max_tokens);
	SEQ(temperature); SEQ(top_p); SEQ(top_k); SEQ(system); SEQ(system_blocks_json);
	SEQ(response_json); SEQ(tests_json); SEQ(assert_json);
#define SEQJ(f) SEQ(json.f);
	SESSION_JSON_FIELDS(SEQJ)
#undef SEQJ
	if (a->nmessages != b->nmessages || a->nvars != b->nvars || a->betas.n != b->betas.n ||
	    a->stop_sequences.n != b->stop_sequences.n || a->stop_sequences.set != b->stop_sequences.set) {
		printf("#   counts differ\n");
		return 0;
	}
	for (size_t i = 0; i < a->nmessages; i++) {
		SEQ(messages[i].role); SEQ(messages[i].text); SEQ(messages[i].blocks_json);
	}
	for (size_t i = 0; i < a->nvars; i++) {
		SEQ(vars[i].name); SEQ(vars[i].value);
	}
	for (size_t i = 0; i < a->stop_sequences.n; i++)
		SEQ(stop_sequences.v[i]);
	for (size_t i = 0; i < a->betas.n; i++)
		SEQ(betas.v[i]);
#undef SEQ
	return 1;
}

/* emit -> load -> compare -> emit again: identical bytes. */
static int round_trip(const struct session *s, int line)
{
	char *y1 = preset_emit(s);
	if (!y1) {
		printf("#   line %d: emit failed\n", line);
		return 0;
	}
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string("rt.yaml", y1, strlen(y1), &d);
	int ok = p && diag_count(&d, DIAG_ERROR) == 0;
	if (!ok) {
		char *t = diags_text(&d);
		printf("#   line %d: reload failed:\n%s#   yaml:\n%s\n", line, t, y1);
		free(t);
	}
	if (ok && !sessions_equal(s, preset_session(p))) {
		printf("#   line %d: yaml was:\n%s\n", line, y1);
		ok = 0;
	}
	if (ok) {
		char *y2 = preset_emit(preset_session(p));
		if (!y2 || strcmp(y1, y2)) {
			printf("#   line %d: second save differs:\n%s\n---\n%s\n", line, y1, y2 ? y2 : "");
			ok = 0;
		}
		free(y2);
	}
	preset_free(p);
	diag_list_done(&d);
	free(y1);
	return ok;
}
#define ROUND_TRIP(s) CHECK(round_trip(s, __LINE__))

static char *json_str(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *p = cJSON_PrintUnformatted(j);
	char *out = xstrdup(p);
	cJSON_free(p);
	cJSON_Delete(j);
	return out;
}

/* ---- round trips ---- */

static const char *const hostile[] = {
	"", " ", "  leading spaces", "trailing spaces  ", "\t", "tab\tinside", "\ttab first",
	"a\nb", "ends with newline\n", "\n", "\n\n", "\nleading newline", "blank\n\nlines\n\n\n",
	"  indented first line\nsecond\n", "line with trailing space \nnext\n",
	"multi\n\ttabbed\n  spaced\n", "crlf\r\nline\r\n", "lone\rcr", "\r\n",
	"# not a comment", "a # b", "a #b\n# c\n", "key: value", "a:b", ":", "- dash", "-",
	"? q", "'single'", "\"double\"", "it's", "back\\slash", "\\n not a newline",
	"{{var}}", "{{ var }} here", "\\{{literal}}", "{", "}", "[x]", "{a: b}", "&anchor", "*alias",
	"!tag", "%percent", "@at", "`tick", "|", ">", "|-\n", ",", "a, b", "...", "---", "--- x",
	"yes", "no", "on", "off", "y", "n", "Yes", "NO", "true", "false", "True", "FALSE", "null",
	"Null", "~", "123", "-1", "+1", "1e3", "1E-3", "0x1F", "0o17", "1_000", ".5", "5.", ".inf",
	"-.inf", ".nan", "2026-11-28", "2026-11-28T10:00:00Z", "12:30", "1:20:30", "0", "007",
	"é ü ñ", "中文 日本語 한국어", "emoji 😀🎉 and 👩‍👩‍👧", "😀", "multi 😀\nline ✓\n",
	"mixed\r\nemoji 😀\ttab  \n", "\x01\x02 control\x7f", "zero\xe2\x80\x8bwidth", "\xc2\xa0nbsp",
	"bom\xef\xbb\xbf", "line sep\xe2\x80\xa8here", "next line\xc2\x85here",
	"quote \" and ' mixed: # { } [ ] , & * ! | > % @ `",
	"<<", "=", "!!str x", "%YAML 1.2", "key:", " #", "a\t#b", "- ", "? ", ": x", "[", "]", "'", "\"",
	"@", "`cmd`", "a: b # c", "http://x.y/z?q=1#f", "{{a}}: {{b}}", "0.", "-0", "1e+3", "inf", "NaN",
};

static char *long_line(size_t n)
{
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = "abcdefghij klmnopqrstuvwxyz, ,: # -"[i % 35];
	s[n] = '\0';
	return s;
}

static void test_round_trip_hostile_each(void)
{
	size_t n = sizeof hostile / sizeof hostile[0];
	for (size_t i = 0; i < n; i++) {
		const char *h = hostile[i];
		struct session *s = session_new();
		s->name = xstrdup(h);
		s->description = xstrdup(h);
		s->model = xstrdup(h);
		s->max_tokens = xstrdup("100");
		s->system = xstrdup(h);
		strlist_push(&s->stop_sequences, h);
		session_set_var(s, "v", h);
		session_add_message(s, "user", h, NULL);
		char *js = json_str(h);
		/* h as a key too, unless it is one of the other keys */
		int as_key = strcmp(h, "n") && strcmp(h, "m");
		char *blocks = xasprintf("[{\"type\":\"text\",\"text\":%s},{\"type\":\"tool_use\",\"id\":"
					 "\"t1\",\"name\":\"f\",\"input\":{%s%s%s\"n\":1e3,\"m\":0.10}}]",
					 js, as_key ? js : "", as_key ? ":" : "", as_key ? js : "");
		if (as_key) {
			char *b2 = xasprintf("%.*s,%s", (int)(strstr(blocks, "\"n\":1e3") - blocks), blocks,
					     strstr(blocks, "\"n\":1e3"));
			free(blocks);
			blocks = b2;
		}
		session_add_message(s, "assistant", NULL, blocks);
		s->json.metadata = xasprintf("{\"user_id\":%s}", js);
		s->response_json = xasprintf("{\"content\":[{\"type\":\"text\",\"text\":%s}],"
					     "\"stop_reason\":\"end_turn\",\"at\":%s}", js, js);
		if (!round_trip(s, __LINE__)) {
			tap_case_failed = 1;
			printf("#   hostile string #%zu failed\n", i);
		}
		free(js);
		free(blocks);
		session_free(s);
	}
}

static void test_round_trip_hostile_all(void)
{
	struct session *s = session_new();
	s->model = xstrdup("claude-sonnet-4-6");
	s->max_tokens = xstrdup("1024");
	s->temperature = xstrdup("0.70");
	s->top_k = xstrdup("5");
	s->api_version = xstrdup("2023-06-01");
	strlist_push(&s->betas, "extended-cache-ttl-2025-04-11");
	size_t n = sizeof hostile / sizeof hostile[0];
	for (size_t i = 0; i < n; i++) {
		session_add_message(s, i % 2 ? "assistant" : "user", hostile[i], NULL);
		char name[16];
		snprintf(name, sizeof name, "v%zu", i);
		session_set_var(s, name, hostile[i]);
	}
	char *big = long_line(20000);
	session_add_message(s, "user", big, NULL);
	char *ml = xasprintf("%s\n%s\n\n%s", big, big, big);
	s->system = ml;
	s->stop_sequences.set = 1; /* an empty list is kept as an empty list */
	ROUND_TRIP(s);
	char *y = preset_emit(s);
	/* width -1: the 20000-character line is never folded */
	CHECK(strstr(y, big) != NULL);
	free(y);
	free(big);
	session_free(s);
}

static void test_emit_styles(void)
{
	struct session *s = session_new();
	s->model = xstrdup("claude-sonnet-4-6");
	s->max_tokens = xstrdup("1024");
	s->system = xstrdup("line one\nline two\n");
	session_set_var(s, "a", "yes");
	session_set_var(s, "b", "123");
	session_set_var(s, "c", "");
	session_set_var(s, "d", "null");
	session_set_var(s, "e", "crlf\r\nx");
	session_set_var(s, "f", "emoji 😀\nsecond line");
	session_set_var(s, "g", "plain words");
	session_add_message(s, "user", "hi", NULL);
	char *y = preset_emit(s);
	CHECK(strstr(y, "system: |\n  line one\n  line two\n") != NULL);
	CHECK(strstr(y, "  a: \"yes\"\n") != NULL);
	CHECK(strstr(y, "  b: \"123\"\n") != NULL);
	CHECK(strstr(y, "  c: \"\"\n") != NULL);
	CHECK(strstr(y, "  d: \"null\"\n") != NULL);
	CHECK(strstr(y, "  e: \"crlf\\r\\nx\"\n") != NULL);
	/* libyaml escapes characters outside the BMP in double quotes */
	CHECK(strstr(y, "  f: \"emoji \\U0001F600\\nsecond line\"\n") != NULL);
	CHECK(strstr(y, "  g: plain words\n") != NULL);
	CHECK(strncmp(y, "pwb: 1\n", 7) == 0);
	free(y);
	session_free(s);
}

static void test_canonical_order_and_numbers(void)
{
	const char *yaml =
		"messages:\n  - {role: user, content: hi}\n"
		"tools: [{name: f, input_schema: {type: object, properties: {x: {type: number, minimum: 1.50, maximum: 1e3}}}}]\n"
		"max_tokens: 2048\nmodel: claude-sonnet-4-6\npwb: 1\ntemperature: 0.50\n"
		"thinking: {type: adaptive}\ntool_choice: {type: auto}\nname: n\n";
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string("t.yaml", yaml, strlen(yaml), &d);
	CHECK(p != NULL);
	struct session *s = preset_session(p);
	CHECK_STR(s->temperature, "0.50");
	CHECK_STR(s->json.tools, "[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\",\"properties\":"
		  "{\"x\":{\"type\":\"number\",\"minimum\":1.50,\"maximum\":1e3}}}}]");
	char *y = preset_emit(s);
	const char *order[] = { "pwb:", "name:", "model:", "max_tokens:", "temperature:", "thinking:",
				"tools:", "tool_choice:", "messages:" };
	const char *prev = y;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *at = strstr(y, order[i]);
		CHECK(at != NULL && at >= prev);
		if (at)
			prev = at;
	}
	CHECK(strstr(y, "minimum: 1.50\n") != NULL);
	CHECK(strstr(y, "maximum: 1e3\n") != NULL);
	free(y);
	preset_free(p);
	diag_list_done(&d);
}

static const char *root_dir(void)
{
	const char *r = getenv("PWB_ROOT");
	return r && *r ? r : ".";
}

static void test_shipped_presets(void)
{
	char *dir = xasprintf("%s/presets", root_dir());
	DIR *dd = opendir(dir);
	CHECK(dd != NULL);
	int count = 0;
	int kinds[6] = { 0 };
	struct dirent *e;
	while (dd && (e = readdir(dd))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml"))
			continue;
		count++;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		struct diag_list d;
		diag_list_init(&d);
		struct preset *p = preset_load_file(path, &d);
		CHECK(p != NULL);
		if (p)
			preset_validate(p, &d);
		if (d.n) {
			char *t = diags_text(&d);
			printf("#   %s: expected no diagnostics:\n%s", path, t);
			free(t);
			tap_case_failed = 1;
		}
		if (p) {
			struct session *s = preset_session(p);
			ROUND_TRIP(s);
			CHECK(s->response_json != NULL);
			CHECK(s->description && strstr(s->description, "illustration"));
			/* what the request would be is the same after a save */
			char *y = preset_emit(s);
			/* shipped presets are kept in canonical form, so a --record or
			 * --update on them changes only what changed */
			char *raw = read_file(path, NULL);
			if (!raw || strcmp(raw, y)) {
				printf("#   %s is not in canonical form (save it once with pwb)\n", path);
				tap_case_failed = 1;
			}
			free(raw);
			struct preset *q = preset_load_string("x", y, strlen(y), NULL);
			char *b1 = request_build(s, REQUEST_MESSAGES, 1, NULL);
			char *b2 = q ? request_build(preset_session(q), REQUEST_MESSAGES, 1, NULL) : NULL;
			CHECK(b1 && b2 && !strcmp(b1, b2));
			if (s->system && strstr(s->system, "{{"))
				kinds[5] = 1;
			if (s->nvars >= 3)
				kinds[5] = 1;
			if (s->json.thinking && strstr(s->json.thinking, "enabled"))
				kinds[4] = 1;
			if (s->system_blocks_json && strstr(s->system_blocks_json, "cache_control"))
				kinds[3] = 1;
			if (s->json.tools && s->json.tool_choice)
				kinds[2] = 1;
			if (s->nmessages >= 5 && !strcmp(s->messages[1].role, "assistant"))
				kinds[1] = 1;
			if (s->system && s->nmessages == 1 && !s->json.tools)
				kinds[0] = 1;
			free(b1);
			free(b2);
			free(y);
			preset_free(q);
		}
		preset_free(p);
		diag_list_done(&d);
		free(path);
	}
	if (dd)
		closedir(dd);
	CHECK(count >= 6);
	for (int i = 0; i < 6; i++)
		CHECK(kinds[i]);
	free(dir);
}

/* ---- loading: structure, types, positions ---- */

static void test_load_basic(void)
{
	const char *yaml =
		"pwb: 1\n"
		"name: Weather\n"
		"model: claude-sonnet-4-6\n"
		"api_version: \"2023-06-01\"\n"
		"betas: [a-1, b-2]\n"
		"max_tokens: 1024\n"
		"temperature: 0.7\n"
		"stop_sequences: [\"\\n\\nHuman:\", END]\n"
		"metadata: {user_id: u-1}\n"
		"service_tier: auto\n"
		"system: |\n"
		"  You help {{company}}.\n"
		"variables:\n"
		"  company: Acme\n"
		"messages:\n"
		"  - role: user\n"
		"    content: Hello\n"
		"  - role: assistant\n"
		"    content:\n"
		"      - type: text\n"
		"        text: \"Hi \\\"there\\\"\"\n"
		"response:\n"
		"  content: [{type: text, text: ok}]\n"
		"  stop_reason: end_turn\n"
		"  stop_sequence: null\n"
		"  usage: {input_tokens: 25, output_tokens: 15}\n"
		"  at: 2026-11-28T10:00:00Z\n";
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string("t.yaml", yaml, strlen(yaml), &d);
	CHECK(p != NULL);
	CHECK_INT(d.n, 0);
	struct session *s = preset_session(p);
	CHECK_STR(s->name, "Weather");
	CHECK_STR(s->api_version, "2023-06-01");
	CHECK_INT(s->betas.n, 2);
	CHECK_STR(s->max_tokens, "1024");
	CHECK_STR(s->temperature, "0.7");
	CHECK_STR(s->stop_sequences.v[0], "\n\nHuman:");
	CHECK_STR(s->json.metadata, "{\"user_id\":\"u-1\"}");
	CHECK_STR(s->json.service_tier, "\"auto\"");
	CHECK_STR(s->system, "You help {{company}}.\n");
	CHECK_STR(session_get_var(s, "company"), "Acme");
	CHECK_INT(s->nmessages, 2);
	CHECK_STR(s->messages[0].text, "Hello");
	CHECK_STR(s->messages[1].blocks_json, "[{\"type\":\"text\",\"text\":\"Hi \\\"there\\\"\"}]");
	CHECK_STR(s->response_json, "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":"
		  "\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":15},"
		  "\"at\":\"2026-11-28T10:00:00Z\"}");
	CHECK(!preset_had_comments(p));
	preset_validate(p, &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	preset_free(p);
	diag_list_done(&d);
}

static void test_comments(void)
{
	struct preset *p;
	const char *a = "pwb: 1 # version\nmodel: m\n";
	p = preset_load_string("t", a, strlen(a), NULL);
	CHECK(p && preset_had_comments(p));
	preset_free(p);
	const char *b = "# header\npwb: 1\n";
	p = preset_load_string("t", b, strlen(b), NULL);
	CHECK(p && preset_had_comments(p));
	preset_free(p);
	const char *c = "pwb: 1\nname: \"a # b\"\nsystem: |\n  # heading\n  text #tag\ndescription: a#b\n";
	p = preset_load_string("t", c, strlen(c), NULL);
	CHECK(p && !preset_had_comments(p));
	preset_free(p);
	const char *u = "pwb: 1\nname: \"é😀 # x\"\ndescription: ü # real comment\n";
	p = preset_load_string("t", u, strlen(u), NULL);
	CHECK(p && preset_had_comments(p));
	preset_free(p);
}

static void test_top_level_strict(void)
{
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\ntemprature: 0.5\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:1: error: unknown key 'temprature'");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nstream: true\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:1: error: stream: not stored in a preset; streaming is chosen on the command line (--no-stream)");
	EXPECT("model: claude-sonnet-4-6\nmax_tokens: 10\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:1:1: error: missing 'pwb: 1'");
	EXPECT("pwb: 2\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:1:6: error: pwb: unsupported format version '2'");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmodel: claude-haiku-4-5\nmax_tokens: 10\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:3:1: error: model: duplicate key (first on line 2)");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nmessages:\n  - role: user\n    contents: hi\n",
	       "t.yaml:6:5: error: messages[0].contents: unknown field 'contents'");
	CLEAN("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nmessages: [{role: user, content: hi}]\n");
}

static void test_unknown_api_fields_pass_through(void)
{
	const char *yaml = "pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 4000\n"
			   "thinking: {type: enabled, budget_tokens: 2000, new_knob: 3}\n"
			   "tools:\n  - name: f\n    input_schema: {type: object}\n    future_flag: true\n"
			   "messages: [{role: user, content: [{type: text, text: hi, sparkle: 1}]}]\n";
	EXPECT(yaml, "t.yaml:4:48: warning: thinking.new_knob: unknown field 'new_knob'");
	EXPECT(yaml, "t.yaml:8:5: warning: tools[0].future_flag: unknown field 'future_flag'");
	EXPECT(yaml, "t.yaml:9:58: warning: messages[0].content[0].sparkle: unknown field");
	size_t e;
	free(check_yaml(yaml, &e, NULL));
	CHECK_INT(e, 0);
	struct preset *p = preset_load_string("t", yaml, strlen(yaml), NULL);
	CHECK(p && strstr(preset_session(p)->json.thinking, "\"new_knob\":3"));
	char *body = request_build(preset_session(p), REQUEST_MESSAGES, 0, NULL);
	CHECK(body && strstr(body, "\"future_flag\":true") && strstr(body, "\"sparkle\":1"));
	free(body);
	preset_free(p);
	/* server tools have their own fields: no warning */
	NO_ERROR("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\n"
		 "tools: [{type: web_search_20250305, name: web_search, max_uses: 5}]\n"
		 "messages: [{role: user, content: hi}]\n", "unknown field");
}

static void test_types(void)
{
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: \"100\"\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:3:13: error: max_tokens: expected an integer (at least 1), found '100' (quoted: remove the quotes)");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\ntemperature: hot\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:14: error: temperature: expected a number (0 to 1), found 'hot'");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\ntop_k: 1.5\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:8: error: top_k: expected an integer (0 or more), found '1.5'");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\nmessages: hello\n",
	       "t.yaml:4:11: error: messages: expected a list of {role, content} mappings, found a scalar");
	EXPECT("pwb: 1\nmodel: [a]\nmax_tokens: 100\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:2:8: error: model: expected a string, found a list");
	EXPECT("pwb: 1\nmodel: m\nmax_tokens: 100\ntools: {name: f}\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:8: error: tools: expected a list, found a mapping");
	EXPECT("pwb: 1\nmodel: m\nmax_tokens: 100\nthinking: enabled\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:11: error: thinking: expected a mapping, found a scalar");
	EXPECT("pwb: 1\nmodel: m\nmax_tokens: 100\nstop_sequences: END\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:17: error: stop_sequences: expected a list of strings, found a scalar");
	EXPECT("pwb: 1\nmodel: m\nmax_tokens: 100\nvariables: {1x: a}\nmessages: [{role: user, content: hi}]\n",
	       "t.yaml:4:13: error: variables.1x: '1x' is not a variable name");
	/* a list is not YAML: the document root */
	EXPECT("- a\n- b\n", "t.yaml:1:1: error: a preset is a mapping of keys");
}

static void test_unquoted_braces(void)
{
	EXPECT("pwb: 1\nmodel: m\nmax_tokens: 100\nvariables: {city: Paris}\nmessages:\n  - role: user\n    content: {{city}}\n",
	       "t.yaml:7:14: error: messages[0].content: a value that starts with {{ must be quoted");
	EXPECT("pwb: 1\nmodel: m\nmax_tokens: 100\nsystem: {{x}} is here\n",
	       "must be quoted");
	CLEAN("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\nvariables: {city: Paris}\nmessages:\n  - role: user\n    content: \"{{city}}\"\n");
}

static void test_syntax_error(void)
{
	struct diag_list d;
	diag_list_init(&d);
	const char *y = "pwb: 1\nmodel: m\nmessages:\n  - role: user\n   content: \"unterminated\n";
	struct preset *p = preset_load_string("t.yaml", y, strlen(y), &d);
	CHECK(p == NULL);
	char *t = diags_text(&d);
	CHECK(strstr(t, "t.yaml:") && strstr(t, ": error: YAML syntax: "));
	CHECK(d.n >= 1 && d.v[0].line >= 4);
	free(t);
	diag_list_done(&d);
	EXPECT("pwb: 1\nname: a: b\n", "t.yaml:2:8: error: YAML syntax: mapping values are not allowed in this context");
	EXPECT("pwb: 1\nname: \"x\n", "t.yaml:3:1: error: YAML syntax: found unexpected end of stream");
}

static void test_key_shaped_warning(void)
{
	const char *yaml = "pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\nmessages:\n"
			   "  - role: user\n    content: my key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123\n";
	EXPECT(yaml, "t.yaml:6:14: warning: messages[0].content: contains a key-shaped string (sk-ant-api03-");
	size_t e;
	free(check_yaml(yaml, &e, NULL));
	CHECK_INT(e, 0);
	/* the masked form is fine */
	CLEAN("pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\nmessages:\n"
	      "  - role: user\n    content: \"my key is sk-ant-api03-…wxyz\"\n");
}

/* ---- validation rules: a failing and a passing case each ---- */

#define HEAD "pwb: 1\nmodel: claude-sonnet-4-6\n"
#define MSG "messages:\n  - role: user\n    content: hi\n"

static void test_rule_max_tokens(void)
{
	EXPECT(HEAD "max_tokens: -1\n" MSG, "t.yaml:3:13: error: max_tokens: -1 is out of range; use at least 1");
	EXPECT(HEAD "max_tokens: 0\n" MSG, "t.yaml:3:13: warning: max_tokens: 0 only warms the prompt cache");
	EXPECT(HEAD MSG, "t.yaml:1:1: error: max_tokens: missing");
	EXPECT("pwb: 1\nmodel: claude-haiku-4-5\nmax_tokens: 64001\n" MSG,
	       "t.yaml:3:13: error: max_tokens: 64001 is more than claude-haiku-4-5 allows (64000)");
	CLEAN("pwb: 1\nmodel: claude-haiku-4-5\nmax_tokens: 64000\n" MSG);
	CLEAN(HEAD "max_tokens: 1\n" MSG);
}

static void test_rule_sampling(void)
{
	EXPECT(HEAD "max_tokens: 10\ntemperature: 1.5\n" MSG,
	       "t.yaml:4:14: error: temperature: 1.5 is out of range; use a number from 0 to 1");
	EXPECT(HEAD "max_tokens: 10\ntemperature: -0.1\n" MSG, "t.yaml:4:14: error: temperature: -0.1 is out of range");
	CLEAN(HEAD "max_tokens: 10\ntemperature: 1\n" MSG);
	CLEAN(HEAD "max_tokens: 10\ntemperature: 0\n" MSG);
	EXPECT(HEAD "max_tokens: 10\ntop_p: 1.01\n" MSG,
	       "t.yaml:4:8: error: top_p: 1.01 is out of range; use a number from 0 to 1");
	CLEAN(HEAD "max_tokens: 10\ntop_p: 0.9\n" MSG);
	EXPECT(HEAD "max_tokens: 10\ntop_k: -1\n" MSG, "t.yaml:4:8: error: top_k: -1 is out of range; use 0 or more");
	CLEAN(HEAD "max_tokens: 10\ntop_k: 0\n" MSG);
}

static void test_rule_thinking(void)
{
	EXPECT(HEAD "max_tokens: 4000\nthinking:\n  type: enabled\n  budget_tokens: 1000\n" MSG,
	       "t.yaml:6:18: error: thinking.budget_tokens: 1000 is too small; use at least 1024");
	CLEAN(HEAD "max_tokens: 4000\nthinking:\n  type: enabled\n  budget_tokens: 1024\n" MSG);
	EXPECT(HEAD "max_tokens: 2048\nthinking:\n  type: enabled\n  budget_tokens: 2048\n" MSG,
	       "t.yaml:6:18: error: thinking.budget_tokens: 2048 must be less than max_tokens (2048)");
	CLEAN(HEAD "max_tokens: 2048\nthinking:\n  type: enabled\n  budget_tokens: 2047\n" MSG);
	EXPECT(HEAD "max_tokens: 2048\nthinking:\n  type: enabled\n" MSG,
	       "t.yaml:4:1: error: thinking.budget_tokens: missing");
	EXPECT(HEAD "max_tokens: 4000\ntemperature: 0.5\nthinking: {type: enabled, budget_tokens: 2000}\n" MSG,
	       "t.yaml:4:14: error: temperature: 0.5 cannot be used with thinking");
	CLEAN(HEAD "max_tokens: 4000\ntemperature: 1\nthinking: {type: enabled, budget_tokens: 2000}\n" MSG);
	CLEAN(HEAD "max_tokens: 4000\ntemperature: 0.5\nthinking: {type: disabled}\n" MSG);
	EXPECT(HEAD "max_tokens: 4000\nthinking: {type: adaptive}\n"
	       "tools: [{name: f, input_schema: {type: object}}]\ntool_choice: {type: any}\n" MSG,
	       "t.yaml:6:14: error: tool_choice: type 'any' forces tool use, which thinking does not allow");
	EXPECT(HEAD "max_tokens: 4000\nthinking: {type: adaptive}\n"
	       "tools: [{name: f, input_schema: {type: object}}]\ntool_choice: {type: tool, name: f}\n" MSG,
	       "t.yaml:6:14: error: tool_choice: type 'tool' forces tool use");
	CLEAN(HEAD "max_tokens: 4000\nthinking: {type: adaptive}\n"
	      "tools: [{name: f, input_schema: {type: object}}]\ntool_choice: {type: auto}\n" MSG);
}

#define NEWV "pwb: 1\nmodel: claude-sonnet-4-6\napi_version: \"2026-10-21\"\nmax_tokens: 100\n"

static void test_rule_api_version(void)
{
	EXPECT(NEWV "temperature: 0.5\n" MSG, "t.yaml:5:14: error: temperature: removed in api_version 2026-10-21");
	EXPECT(NEWV "top_p: 0.5\n" MSG, "t.yaml:5:8: error: top_p: removed in api_version 2026-10-21");
	EXPECT(NEWV "top_k: 5\n" MSG, "t.yaml:5:8: error: top_k: removed in api_version 2026-10-21");
	CLEAN(NEWV MSG);
	CLEAN("pwb: 1\nmodel: claude-sonnet-4-6\napi_version: \"2023-06-01\"\nmax_tokens: 100\ntemperature: 0.5\n" MSG);
	const char *doc_asst = NEWV "messages:\n  - role: user\n    content: read\n  - role: assistant\n    content:\n"
			       "      - type: document\n        source: {type: text, media_type: text/plain, data: x}\n";
	EXPECT(doc_asst, "t.yaml:10:9: error: messages[1].content[0]: a document block in an assistant turn is refused by api_version 2026-10-21");
	CLEAN(NEWV "messages:\n  - role: user\n    content:\n"
	      "      - type: document\n        source: {type: text, media_type: text/plain, data: x}\n");
	const char *cit = NEWV "messages:\n  - role: user\n    content:\n"
			  "      - type: text\n        text: quoted\n        citations: [{type: char_location, cited_text: x}]\n";
	EXPECT(cit, "t.yaml:8:7: error: messages[0].content: a text block with citations in a user turn is refused");
	CLEAN(NEWV "messages:\n  - role: user\n    content:\n"
	      "      - type: text\n        text: quoted\n        citations: []\n");
	EXPECT("pwb: 1\nmodel: claude-sonnet-4-6\napi_version: \"2099-01-01\"\nmax_tokens: 100\n" MSG,
	       "t.yaml:3:14: warning: api_version: '2099-01-01' is not a version pwb knows");
}

static void test_rule_tools(void)
{
	EXPECT(HEAD "max_tokens: 100\ntools:\n  - name: get weather\n    input_schema: {type: object}\n" MSG,
	       "t.yaml:5:11: error: tools[0].name: 'get weather' is not a valid tool name");
	char *long_name = xmalloc(130);
	memset(long_name, 'a', 129);
	long_name[129] = '\0';
	char *y = xasprintf(HEAD "max_tokens: 100\ntools:\n  - name: %s\n    input_schema: {type: object}\n" MSG, long_name);
	EXPECT(y, "t.yaml:5:11: error: tools[0].name:");
	free(y);
	long_name[128] = '\0';
	y = xasprintf(HEAD "max_tokens: 100\ntools:\n  - name: %s\n    input_schema: {type: object}\n" MSG, long_name);
	CLEAN(y);
	free(y);
	free(long_name);
	CLEAN(HEAD "max_tokens: 100\ntools:\n  - name: get_weather-2\n    input_schema: {type: object}\n" MSG);
	EXPECT(HEAD "max_tokens: 100\ntools:\n  - name: f\n    input_schema: {type: string}\n" MSG,
	       "t.yaml:6:19: error: tools[0].input_schema: must be a JSON Schema with 'type: object'");
	EXPECT(HEAD "max_tokens: 100\ntools:\n  - name: f\n" MSG, "t.yaml:5:5: error: tools[0].input_schema: missing");
	EXPECT(HEAD "max_tokens: 100\ntools:\n  - name: f\n    input_schema: {type: object}\ntool_choice: {type: tool, name: g}\n" MSG,
	       "t.yaml:7:33: error: tool_choice.name: no tool named 'g' in tools");
	EXPECT(HEAD "max_tokens: 100\ntool_choice: {type: sometimes}\n" MSG,
	       "t.yaml:4:21: error: tool_choice.type: 'sometimes' is not one of auto, any, tool, none");
}

static void test_rule_roles(void)
{
	EXPECT(HEAD "max_tokens: 100\nmessages:\n  - role: system\n    content: hi\n",
	       "t.yaml:5:11: error: messages[0].role: 'system' is not a role; use user or assistant");
	EXPECT(HEAD "max_tokens: 100\nmessages:\n  - role: assistant\n    content: hi\n",
	       "t.yaml:5:11: error: messages[0].role: the first message must be from the user");
	CLEAN(HEAD "max_tokens: 100\nmessages:\n  - role: user\n    content: hi\n  - role: assistant\n    content: ok\n");
	EXPECT(HEAD "max_tokens: 100\n", "error: messages: none; add at least one user message");
}

static void test_rule_model(void)
{
	EXPECT("pwb: 1\nmodel: claude-imaginary-9\nmax_tokens: 100\n" MSG,
	       "t.yaml:2:8: warning: model: 'claude-imaginary-9' is not a model pwb knows");
	size_t e;
	free(check_yaml("pwb: 1\nmodel: claude-imaginary-9\nmax_tokens: 100\n" MSG, &e, NULL));
	CHECK_INT(e, 0);
	CLEAN("pwb: 1\nmodel: claude-opus-4-6\nmax_tokens: 100\n" MSG);
	EXPECT("pwb: 1\nmax_tokens: 100\n" MSG, "t.yaml:1:1: error: model: missing");
}

static void test_session_validate_without_file(void)
{
	struct session *s = session_new();
	s->max_tokens = xstrdup("10");
	s->temperature = xstrdup("3");
	session_add_message(s, "user", "hi", NULL);
	struct diag_list d;
	diag_list_init(&d);
	session_validate(s, &d);
	char *t = diags_text(&d);
	CHECK(strstr(t, "error: model: missing") != NULL);
	CHECK(strstr(t, "error: temperature: 3 is out of range") != NULL);
	CHECK(d.n && d.v[0].file == NULL);
	free(t);
	diag_list_done(&d);
	session_free(s);
}

/* ---- variables ---- */

static void test_variables(void)
{
	/* defined and used: clean */
	CLEAN(HEAD "max_tokens: 100\nsystem: For {{company}}.\nvariables:\n  company: Acme\n  city: Paris\n"
	      "messages:\n  - role: user\n    content: \"Weather in {{ city }}?\"\n");
	/* undefined: an error naming it, where it is used */
	EXPECT(HEAD "max_tokens: 100\nmessages:\n  - role: user\n    content: \"Weather in {{city}}?\"\n",
	       "t.yaml:6:14: error: messages[0].content: undefined variable 'city'; define it under 'variables:' or pass -s city=VALUE");
	EXPECT(HEAD "max_tokens: 100\nsystem:\n  - type: text\n    text: \"For {{who}}\"\n" MSG,
	       "t.yaml:6:11: error: system[0].text: undefined variable 'who'");
	/* unused: a warning at the variable's name */
	EXPECT(HEAD "max_tokens: 100\nvariables:\n  spare: x\n" MSG,
	       "t.yaml:5:3: warning: variables.spare: variable 'spare' is defined but not used");
	/* literal braces: \{{ and {{ not a name }} are not references */
	const char *lit = HEAD "max_tokens: 100\nmessages:\n  - role: user\n"
			  "    content: \"Write \\\\{{name}} and {{ not a name }} and {{1x}}\"\n";
	CLEAN(lit);
	struct preset *p = preset_load_string("t", lit, strlen(lit), NULL);
	char *body = request_build(preset_session(p), REQUEST_MESSAGES, 0, NULL);
	CHECK(body && strstr(body, "Write {{name}} and {{ not a name }} and {{1x}}"));
	free(body);
	preset_free(p);
	/* overridden: -s sets the value used at send time */
	const char *ov = HEAD "max_tokens: 100\nvariables:\n  city: Paris\nmessages:\n  - role: user\n    content: \"In {{city}}\"\n";
	p = preset_load_string("t", ov, strlen(ov), NULL);
	session_set_var(preset_session(p), "city", "Oslo");
	body = request_build(preset_session(p), REQUEST_MESSAGES, 0, NULL);
	CHECK(body && strstr(body, "\"content\":\"In Oslo\""));
	free(body);
	/* an override of an undefined variable defines it */
	session_set_var(preset_session(p), "extra", "1");
	struct diag_list d;
	diag_list_init(&d);
	preset_validate(p, &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	CHECK_INT(diag_count(&d, DIAG_WARNING), 1);
	diag_list_done(&d);
	preset_free(p);
}

/* ---- saving ---- */

static struct preset *load_path(const char *path)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_file(path, &d);
	diag_list_done(&d);
	return p;
}

#define SIMPLE "pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\nmessages:\n  - role: user\n    content: hi\n"

static void test_save_basic_and_backup(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/a.yaml", tmpdir);
	char *bak = xasprintf("%s/a.yaml~", tmpdir);
	write_file(path, "# my notes\n" SIMPLE);
	chmod(path, 0640);
	struct preset *p = load_path(path);
	CHECK(p && preset_had_comments(p));
	str_set(&preset_session(p)->name, "renamed");
	struct diag_list d;
	diag_list_init(&d);
	CHECK_INT(preset_save(p, NULL, 0, NULL, &d), PRESET_SAVED);
	char *t = diags_text(&d);
	CHECK(strstr(t, "warning: the file had comments") != NULL);
	free(t);
	char *old = read_file(bak, NULL);
	CHECK(old && !strcmp(old, "# my notes\n" SIMPLE));
	free(old);
	char *now = read_file(path, NULL);
	CHECK(now && strstr(now, "name: renamed\n"));
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	/* saving twice: identical bytes, and no complaint about changes on disk */
	CHECK_INT(preset_save(p, NULL, 0, NULL, &d), PRESET_SAVED);
	char *again = read_file(path, NULL);
	CHECK(now && again && !strcmp(now, again));
	free(now);
	free(again);
	/* no temporary file left behind */
	DIR *dd = opendir(tmpdir);
	struct dirent *e;
	int others = 0;
	while ((e = readdir(dd)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			others++;
	closedir(dd);
	CHECK_INT(others, 0);
	diag_list_done(&d);
	preset_free(p);
	free(path);
	free(bak);
	rm_rf(tmpdir);
}

static void test_save_new_file_and_positions(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/new.yaml", tmpdir);
	struct preset *p = preset_new();
	struct session *s = preset_session(p);
	s->model = xstrdup("claude-sonnet-4-6");
	s->max_tokens = xstrdup("100");
	s->temperature = xstrdup("7");
	session_add_message(s, "user", "hi", NULL);
	struct diag_list d;
	diag_list_init(&d);
	CHECK_INT(preset_save(p, path, 0, NULL, &d), PRESET_SAVED);
	CHECK_STR(preset_path(p), path);
	struct stat st;
	CHECK(stat(path, &st) == 0);
	char *bak = xasprintf("%s~", path);
	CHECK(access(bak, F_OK) != 0); /* nothing to keep */
	/* diagnostics now point into the saved file */
	preset_validate(p, &d);
	char *t = diags_text(&d);
	char *want = xasprintf("%s:4:14: error: temperature: 7 is out of range", path);
	CHECK(strstr(t, want) != NULL);
	if (!strstr(t, want))
		printf("#   %s\n", t);
	free(want);
	free(t);
	free(bak);
	diag_list_done(&d);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

static void test_save_symlink(void)
{
	make_tmpdir();
	char *sub = xasprintf("%s/real", tmpdir);
	mkdir(sub, 0755);
	char *target = xasprintf("%s/real/t.yaml", tmpdir);
	char *link = xasprintf("%s/link.yaml", tmpdir);
	write_file(target, SIMPLE);
	chmod(target, 0600);
	CHECK(symlink("real/t.yaml", link) == 0);
	struct preset *p = load_path(link);
	CHECK(p != NULL);
	str_set(&preset_session(p)->name, "through the link");
	CHECK_INT(preset_save(p, NULL, 0, NULL, NULL), PRESET_SAVED);
	struct stat st;
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat(target, &st) == 0 && (st.st_mode & 0777) == 0600);
	char *t = read_file(target, NULL);
	CHECK(t && strstr(t, "name: through the link"));
	free(t);
	char *bak = xasprintf("%s~", target);
	t = read_file(bak, NULL);
	CHECK(t && !strcmp(t, SIMPLE));
	free(t);
	free(bak);
	preset_free(p);
	free(sub);
	free(target);
	free(link);
	rm_rf(tmpdir);
}

static void test_save_changed_on_disk(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/c.yaml", tmpdir);
	write_file(path, SIMPLE);
	struct preset *p = load_path(path);
	write_file(path, SIMPLE "name: edited elsewhere\n");
	struct diag_list d;
	diag_list_init(&d);
	CHECK_INT(preset_save(p, NULL, 0, NULL, &d), PRESET_SAVE_CHANGED);
	char *t = diags_text(&d);
	CHECK(strstr(t, "changed on disk") && strstr(t, "--force"));
	free(t);
	char *now = read_file(path, NULL);
	CHECK(now && strstr(now, "edited elsewhere"));
	free(now);
	CHECK_INT(preset_save(p, NULL, PRESET_SAVE_FORCE, NULL, &d), PRESET_SAVED);
	now = read_file(path, NULL);
	CHECK(now && !strstr(now, "edited elsewhere"));
	free(now);
	diag_list_done(&d);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

static void test_save_key_shaped_and_secret(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/k.yaml", tmpdir);
	write_file(path, SIMPLE);
	struct preset *p = load_path(path);
	const char *fake = "sk-ant-api03-FAKEtestKEY0123456789abcdefghij-AAAA";
	char *text = xasprintf("my key: %s", fake);
	str_set(&preset_session(p)->messages[0].text, text);
	struct diag_list d;
	diag_list_init(&d);
	CHECK_INT(preset_save(p, NULL, 0, NULL, &d), PRESET_SAVE_KEY_SHAPED);
	char *t = diags_text(&d);
	CHECK(strstr(t, "messages[0].content: contains a key-shaped string") != NULL);
	CHECK(strstr(t, fake) == NULL); /* shown masked only */
	CHECK(strstr(t, ":6:14: error:") != NULL);
	free(t);
	char *now = read_file(path, NULL);
	CHECK(now && !strcmp(now, SIMPLE));
	free(now);
	/* the configured key is never written, even forced */
	CHECK_INT(preset_save(p, NULL, PRESET_SAVE_FORCE, fake, &d), PRESET_SAVE_KEY_SHAPED);
	now = read_file(path, NULL);
	CHECK(now && !strstr(now, fake));
	free(now);
	/* forced, with another key configured: a key-shaped string is allowed */
	CHECK_INT(preset_save(p, NULL, PRESET_SAVE_FORCE, "sk-ant-api03-otherKEYzzzzzzzzzzzzzzzzzzzzzz", &d),
		  PRESET_SAVED);
	now = read_file(path, NULL);
	CHECK(now && strstr(now, fake));
	free(now);
	diag_list_done(&d);
	free(text);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

static void test_save_interrupted(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/i.yaml", tmpdir);
	write_file(path, SIMPLE);
	struct preset *p = load_path(path);
	str_set(&preset_session(p)->name, "never written");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("PWB_TEST_SAVE_CRASH", "1", 1);
		preset_save(p, NULL, 0, NULL, NULL);
		_exit(0); /* not reached: the hook kills the process */
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	char *now = read_file(path, NULL);
	CHECK(now && !strcmp(now, SIMPLE));
	free(now);
	/* the complete temporary file is what was left; the target is intact */
	DIR *dd = opendir(tmpdir);
	struct dirent *e;
	int temps = 0;
	while ((e = readdir(dd)))
		if (!strncmp(e->d_name, ".i.yaml.", 8)) {
			char *tp = xasprintf("%s/%s", tmpdir, e->d_name);
			char *tt = read_file(tp, NULL);
			CHECK(tt && strstr(tt, "name: never written"));
			free(tt);
			free(tp);
			temps++;
		}
	closedir(dd);
	CHECK_INT(temps, 1);
	/* the next save still works, and removes the temporary of the dead writer */
	CHECK_INT(preset_save(p, NULL, 0, NULL, NULL), PRESET_SAVED);
	dd = opendir(tmpdir);
	temps = 0;
	while ((e = readdir(dd)))
		temps += !strncmp(e->d_name, ".i.yaml.", 8);
	closedir(dd);
	CHECK_INT(temps, 0);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

static void test_save_unwritable_folder(void)
{
	make_tmpdir();
	char *sub = xasprintf("%s/ro", tmpdir);
	mkdir(sub, 0755);
	char *path = xasprintf("%s/ro/u.yaml", tmpdir);
	write_file(path, SIMPLE);
	chmod(path, 0666);
	int fds[2];
	CHECK(pipe(fds) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		/* root ignores permissions: drop to nobody for the attempt */
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		if (geteuid() != 0)
			chmod(sub, 0555);
		struct preset *p = load_path(path);
		if (!p)
			_exit(4);
		str_set(&preset_session(p)->name, "x");
		struct diag_list d;
		diag_list_init(&d);
		int r = preset_save(p, NULL, 0, NULL, &d);
		char *t = diags_text(&d);
		if (write(fds[1], t, strlen(t)) < 0)
			_exit(5);
		_exit(r == PRESET_SAVE_FAILED ? 0 : 6);
	}
	close(fds[1]);
	char msg[4096];
	ssize_t n = read(fds[0], msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(strstr(msg, "cannot save: cannot create a temporary file in") != NULL);
	CHECK(strstr(msg, "Permission denied") != NULL);
	CHECK(strstr(msg, "the old file is untouched") != NULL);
	if (!strstr(msg, "Permission denied"))
		printf("#   got: %s\n", msg);
	char *now = read_file(path, NULL);
	CHECK(now && !strcmp(now, SIMPLE));
	free(now);
	free(sub);
	free(path);
	rm_rf(tmpdir);
}

static void test_save_invalid(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/bad.yaml", tmpdir);
	struct preset *p = preset_new();
	struct session *s = preset_session(p);
	s->model = xstrdup("claude-sonnet-4-6");
	s->max_tokens = xstrdup("10");
	s->json.tools = xstrdup("[{\"name\": \"f\",");   /* half-typed in an editor */
	session_add_message(s, "user", "ok", NULL);
	/* preset_emit never fails: the broken field is kept as text */
	char *y = preset_emit(s);
	CHECK(y && strstr(y, "tools: '[{\"name\": \"f\",'\n"));
	free(y);
	struct diag_list d;
	diag_list_init(&d);
	CHECK_INT(preset_save(p, path, 0, NULL, &d), PRESET_SAVE_INVALID);
	char *t = diags_text(&d);
	CHECK(strstr(t, "tools: not valid JSON, cannot be saved") != NULL);
	free(t);
	CHECK(access(path, F_OK) != 0);
	free(s->json.tools);
	s->json.tools = NULL;
	/* text that is not UTF-8 (a binary paste) */
	str_set(&s->messages[0].text, "caf\xe9 \xff");
	y = preset_emit(s);
	CHECK(y && strstr(y, "content: caf\xef\xbf\xbd \xef\xbf\xbd\n"));
	free(y);
	CHECK_INT(preset_save(p, path, 0, NULL, &d), PRESET_SAVE_INVALID);
	t = diags_text(&d);
	CHECK(strstr(t, "messages[0].content: not valid UTF-8 text") != NULL);
	free(t);
	CHECK(access(path, F_OK) != 0);
	diag_list_done(&d);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

static void test_load_errors(void)
{
	struct diag_list d;
	diag_list_init(&d);
	CHECK(preset_load_file("/nonexistent/x.yaml", &d) == NULL);
	char *t = diags_text(&d);
	CHECK(strstr(t, "/nonexistent/x.yaml: error: cannot open: No such file or directory") != NULL);
	free(t);
	diag_list_done(&d);
	const char *two = "pwb: 1\n---\npwb: 1\n";
	EXPECT(two, "t.yaml:2:1: error: a second YAML document in the file");
	EXPECT("", "t.yaml:1:1: error: the file is empty");
	/* an alias loop or bomb cannot blow up the loader */
	const char *bomb = "pwb: 1\nmodel: m\nmax_tokens: 1\nmetadata: &a {x: [*a, *a, *a]}\n";
	struct preset *p = preset_load_string("t", bomb, strlen(bomb), NULL);
	preset_free(p);
	CHECK(1);
}


/* ---- evaluation keys: tests and assert ---- */

static const char EVAL[] =
	"pwb: 1\n"
	"model: claude-sonnet-4-6\n"
	"max_tokens: 100\n"
	"variables:\n"
	"  city: Oslo\n"
	"messages:\n"
	"  - role: user\n"
	"    content: \"Weather in {{city}}?\"\n"
	"tests:\n"
	"  - description: Paris\n"
	"    vars:\n"
	"      city: Paris\n"
	"      days: 3\n"
	"    assert:\n"
	"      - type: contains\n"
	"        value: Paris\n"
	"      - type: is-json\n"
	"        value: {type: object, required: [a]}\n"
	"    options: {provider: x}\n"
	"  - vars: {city: Rome, flag: true}\n"
	"assert:\n"
	"  - type: latency\n"
	"    threshold: 5000\n";

static void test_eval_keys_load(void)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string("t.yaml", EVAL, strlen(EVAL), &d);
	CHECK(p != NULL);
	char *t = diags_text(&d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	/* an unknown key in a row is a warning at its key, and it is kept */
	CHECK(strstr(t, "t.yaml:19:5: warning: tests[0].options: not used by pwb") != NULL);
	free(t);
	int line = 0, col = 0;
	CHECK(preset_locate(p, "tests[0].vars.city", 0, &line, &col));
	CHECK(line == 12 && col == 13);
	CHECK(preset_locate(p, "tests[0].vars.city", 1, &line, &col));
	CHECK(line == 12 && col == 7);
	CHECK(preset_locate(p, "tests[0].assert[1].value", 0, &line, &col));
	CHECK(line == 18 && col == 16);
	CHECK(preset_locate(p, "tests[1]", 0, &line, &col));
	CHECK(line == 20 && col == 5);
	CHECK(preset_locate(p, "assert[0].type", 0, &line, &col));
	CHECK(line == 22 && col == 11);
	CHECK(preset_locate(p, "tests[0].vars.nope", 0, &line, &col)); /* the parent */
	CHECK(line == 11 && col == 5);
	CHECK_STR(preset_name(p), "t.yaml");
	const struct session *s = preset_session(p);
	CHECK_STR(s->tests_json,
		  "[{\"description\":\"Paris\",\"vars\":{\"city\":\"Paris\",\"days\":\"3\"},"
		  "\"assert\":[{\"type\":\"contains\",\"value\":\"Paris\"},{\"type\":\"is-json\","
		  "\"value\":{\"type\":\"object\",\"required\":[\"a\"]}}],\"options\":{\"provider\":\"x\"}},"
		  "{\"vars\":{\"city\":\"Rome\",\"flag\":\"true\"}}]");
	CHECK_STR(s->assert_json, "[{\"type\":\"latency\",\"threshold\":5000}]");
	/* never part of the request */
	char *body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK(body && !strstr(body, "tests") && !strstr(body, "latency") && !strstr(body, "Paris"));
	free(body);
	/* a clone carries them */
	struct session *c = session_clone(s);
	CHECK_STR(c->tests_json, s->tests_json);
	CHECK_STR(c->assert_json, s->assert_json);
	session_free(c);
	ROUND_TRIP(s);
	/* canonical order: ... messages, assert, tests, response */
	char *y = preset_emit(s);
	const char *m = strstr(y, "\nmessages:"), *a = strstr(y, "\nassert:"), *te = strstr(y, "\ntests:");
	CHECK(m && a && te && m < a && a < te);
	free(y);
	preset_free(p);
	diag_list_done(&d);
}

static void test_eval_keys_positions_and_shape(void)
{
	/* positions of nodes under tests/assert, through validation diagnostics */
	EXPECT("pwb: 1\nmodel: m\ntests:\n  - vars: {a: [1]}\n", "t.yaml:4:15: error: tests[0].vars.a: expected a string");
	EXPECT("pwb: 1\nmodel: m\ntests:\n  - description: x\n  - 5\n", "t.yaml:5:5: error: tests[1]: expected a test row mapping");
	EXPECT("pwb: 1\nmodel: m\ntests:\n  - assert: [x]\n", "t.yaml:4:14: error: tests[0].assert[0]: expected an assertion mapping");
	EXPECT("pwb: 1\nmodel: m\ntests: 5\n", "t.yaml:3:8: error: tests: expected a list of test rows, or the path");
	EXPECT("pwb: 1\nmodel: m\ntests: {a: 1}\n", "t.yaml:3:8: error: tests: expected a list of test rows");
	EXPECT("pwb: 1\nmodel: m\nassert: {type: x}\n", "t.yaml:3:9: error: assert: expected a list of assertions");
	EXPECT("pwb: 1\nmodel: m\nassert:\n  - type: x\n  - [1]\n", "t.yaml:5:5: error: assert[1]: expected an assertion mapping");
	/* tests as a path */
	const char *path = "pwb: 1\nmodel: m\nmax_tokens: 5\nmessages: [{role: user, content: hi}]\ntests: rows/cities.csv\n";
	struct preset *p = preset_load_string("t.yaml", path, strlen(path), NULL);
	CHECK(p && !strcmp(preset_session(p)->tests_json, "\"rows/cities.csv\""));
	if (p)
		ROUND_TRIP(preset_session(p));
	preset_free(p);
	/* a key-shaped string under tests is noticed like anywhere else */
	EXPECT("pwb: 1\nmodel: m\ntests:\n  - vars: {k: sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA}\n",
	       "tests[0].vars.k: contains a key-shaped string");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A YAML rows file: JSON rows and their positions, for the evaluation. */
static void test_rows_file(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/rows.yaml", tmpdir);
	write_file(path, "- description: one\n  vars:\n    city: Paris\n  assert:\n    - type: equals\n"
			 "      value: x\n- vars: {city: 7}\n  metadata: {k: v}\n");
	struct diag_list d;
	diag_list_init(&d);
	char *json = NULL;
	struct preset *pos = preset_load_rows(path, &json, &d);
	CHECK(pos != NULL);
	CHECK_STR(json, "[{\"description\":\"one\",\"vars\":{\"city\":\"Paris\"},\"assert\":"
		  "[{\"type\":\"equals\",\"value\":\"x\"}]},{\"vars\":{\"city\":\"7\"},"
		  "\"metadata\":{\"k\":\"v\"}}]");
	int line = 0, col = 0;
	CHECK(preset_locate_value(pos, "[0].vars.city", &line, &col) && line == 3 && col == 11);
	CHECK(preset_locate_value(pos, "[0].assert[0].value", &line, &col) && line == 6 && col == 14);
	CHECK(preset_locate_value(pos, "[1]", &line, &col) && line == 7 && col == 3);
	char *t = diags_text(&d);
	CHECK(strstr(t, "rows.yaml:8:3: warning: [1].metadata: not used by pwb") != NULL);
	free(t);
	free(json);
	preset_free(pos);
	/* not a list; a FIFO */
	write_file(path, "city: Paris\n");
	CHECK(preset_load_rows(path, &json, &d) == NULL && json == NULL);
	char *fifo = xasprintf("%s/f.yaml", tmpdir);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(preset_load_rows(fifo, &json, &d) == NULL);
	t = diags_text(&d);
	CHECK(strstr(t, "rows.yaml:1:1: error: a rows file is a list of test rows") != NULL);
	CHECK(strstr(t, "f.yaml: error: cannot open: is a FIFO") != NULL);
	free(t);
	free(fifo);
	diag_list_done(&d);
	free(path);
	rm_rf(tmpdir);
}

/* 100,000 nested lists (200 KB) are refused at the depth limit at once. */
static void test_deep_nesting_fast(void)
{
	size_t depth = 100000;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "pwb: 1\nmodel: m\nmetadata: ");
	for (size_t i = 0; i < depth; i++)
		buf_puts(&b, "[");
	for (size_t i = 0; i < depth; i++)
		buf_puts(&b, "]");
	buf_puts(&b, "\n");
	struct diag_list d;
	diag_list_init(&d);
	double t0 = now_s();
	struct preset *p = preset_load_string("deep.yaml", buf_str(&b), b.len, &d);
	double took = now_s() - t0;
	CHECK(p == NULL);
	char *t = diags_text(&d);
	CHECK(strstr(t, "deep.yaml:3:210: error: YAML syntax: nested too deeply (over 200 levels)") != NULL);
	if (took > 0.5)
		printf("#   took %.3f s\n", took);
	CHECK(took < 0.5);
	free(t);
	diag_list_done(&d);
	buf_done(&b);
	/* 150 levels are still fine */
	buf_init(&b, 0);
	buf_puts(&b, "pwb: 1\nmodel: m\nmetadata: {a: ");
	for (size_t i = 0; i < 150; i++)
		buf_puts(&b, "[");
	for (size_t i = 0; i < 150; i++)
		buf_puts(&b, "]");
	buf_puts(&b, "}\n");
	p = preset_load_string("ok.yaml", buf_str(&b), b.len, NULL);
	CHECK(p != NULL);
	preset_free(p);
	buf_done(&b);
	/* aliases still resolve through the event-built document */
	const char *al = "pwb: 1\nmodel: m\nmax_tokens: 5\nmetadata: &m {user_id: u}\nmessages: [{role: user, content: hi}]\ndiagnostics: {x: *m}\n";
	p = preset_load_string("a.yaml", al, strlen(al), NULL);
	CHECK(p && preset_session(p)->json.metadata && !strcmp(preset_session(p)->json.metadata, "{\"user_id\":\"u\"}"));
	preset_free(p);
	EXPECT("pwb: 1\nmodel: *nope\n", "t.yaml:2:8: error: YAML syntax: found undefined alias");
}

/* A FIFO, a socket or a device is refused at once, never waited on. */
static void test_load_non_regular(void)
{
	make_tmpdir();
	char *fifo = xasprintf("%s/f.yaml", tmpdir);
	CHECK(mkfifo(fifo, 0600) == 0);
	struct diag_list d;
	diag_list_init(&d);
	CHECK(preset_load_file(fifo, &d) == NULL); /* would block forever in a plain open() */
	CHECK(preset_load_file("/dev/null", &d) == NULL);
	CHECK(preset_load_file(tmpdir, &d) == NULL);
	char *t = diags_text(&d);
	CHECK(strstr(t, "f.yaml: error: cannot open: is a FIFO, not a regular file") != NULL);
	CHECK(strstr(t, "/dev/null: error: cannot open: is a device, not a regular file") != NULL);
	CHECK(strstr(t, "error: cannot open: is a folder, not a file") != NULL);
	free(t);
	diag_list_done(&d);
	free(fifo);
	rm_rf(tmpdir);
}

/* The save waits for another writer's lock; it fails after the wait rather
 * than write past it. */
static void test_save_locked(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/l.yaml", tmpdir);
	write_file(path, SIMPLE);
	struct preset *p = load_path(path);
	int fds[2];
	CHECK(pipe(fds) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int l = file_lock(path, 0);
		char c = l >= 0 ? 'y' : 'n';
		(void)!write(fds[1], &c, 1);
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		file_unlock(l);
		_exit(0);
	}
	char c = 0;
	CHECK(read(fds[0], &c, 1) == 1 && c == 'y');
	double t0 = now_s();
	str_set(&preset_session(p)->name, "after the lock");
	CHECK_INT(preset_save(p, NULL, 0, NULL, NULL), PRESET_SAVED);
	CHECK(now_s() - t0 > 0.2); /* it waited for the other writer */
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

/* ---- replay: the pure parts ---- */

static void test_replay_compare(void)
{
	const char *a = "[{\"type\":\"text\",\"text\":\"Hi\"},{\"type\":\"tool_use\",\"id\":\"x\",\"name\":\"f\","
			"\"input\":{\"a\":1,\"b\":[1,{\"c\":2,\"d\":3}]}}]";
	const char *b = "[{\"type\":\"text\",\"text\":\"Hi\",\"citations\":null},{\"type\":\"tool_use\",\"id\":\"y\","
			"\"name\":\"f\",\"input\":{\"b\":[1,{\"d\":3,\"c\":2}],\"a\":1}}]";
	CHECK(replay_same(a, b));
	const char *c = "[{\"type\":\"text\",\"text\":\"Hi\"},{\"type\":\"tool_use\",\"id\":\"x\",\"name\":\"g\","
			"\"input\":{\"a\":1,\"b\":[1,{\"c\":2,\"d\":3}]}}]";
	CHECK(!replay_same(a, c));
	const char *d = "[{\"type\":\"text\",\"text\":\"Hi\"},{\"type\":\"tool_use\",\"id\":\"x\",\"name\":\"f\","
			"\"input\":{\"a\":2,\"b\":[1,{\"c\":2,\"d\":3}]}}]";
	CHECK(!replay_same(a, d));
	CHECK(!replay_same("[{\"type\":\"text\",\"text\":\"Hi\"}]", "[{\"type\":\"text\",\"text\":\"Hi!\"}]"));
	/* thinking blocks do not count */
	CHECK(replay_same("[{\"type\":\"text\",\"text\":\"Hi\"}]",
			  "[{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"s\"},{\"type\":\"text\",\"text\":\"Hi\"}]"));
	char *t = replay_text(a);
	CHECK_STR(t, "Hi\n[tool_use f {\"a\":1,\"b\":[1,{\"c\":2,\"d\":3}]}]\n");
	free(t);
}

static void test_replay_diff(void)
{
	char *d = replay_diff("a\nb\nc\n", "a\nb\nc\n");
	CHECK_STR(d, "");
	free(d);
	d = replay_diff("one\ntwo\nthree\n", "one\n2\nthree\n");
	CHECK_STR(d, "@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
	free(d);
	d = replay_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n");
	CHECK_STR(d, "@@ -8,3 +8,4 @@\n 8\n 9\n 10\n+11\n");
	free(d);
	d = replay_diff("", "new\n");
	CHECK_STR(d, "@@ -0,0 +1,1 @@\n+new\n");
	free(d);
	d = replay_diff("a\nb\n", "a\nb");
	CHECK(d && *d);
	free(d);
	/* two changes far apart: two hunks */
	d = replay_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ny\n");
	CHECK_STR(d, "@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+y\n");
	free(d);
}

static void test_replay_response_and_apply(void)
{
	char *msg = read_file("tests/fixtures/message_text.json", NULL);
	if (!msg) {
		char *p = xasprintf("%s/tests/fixtures/message_text.json", root_dir());
		msg = read_file(p, NULL);
		free(p);
	}
	CHECK(msg != NULL);
	char *r = replay_response_from_message(msg, "2026-11-28T10:00:00Z");
	CHECK_STR(r, "{\"content\":[{\"citations\":null,\"text\":\"Hi! My name is Claude.\",\"type\":\"text\"}],"
		  "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":2095,\"output_tokens\":503},"
		  "\"model\":\"claude-opus-4-6\",\"at\":\"2026-11-28T10:00:00Z\"}");
	free(r);
	CHECK(replay_response_from_message("{\"x\":1}", NULL) == NULL);

	struct session *s = session_new();
	session_add_message(s, "user", "q", NULL);
	session_add_message(s, "assistant", "old text", NULL);
	session_add_message(s, "user", "q2", NULL);
	session_add_message(s, "assistant", NULL, "[{\"type\":\"text\",\"text\":\"x\"}]");
	s->response_json = xstrdup("{\"content\":[]}");
	struct replay_turn turns[4] = {
		{ .index = 1, .status = REPLAY_CHANGED, .new_json = "[{\"type\":\"text\",\"text\":\"new \"},{\"type\":\"text\",\"text\":\"text\"}]" },
		{ .index = 3, .status = REPLAY_SAME, .new_json = "[]" },
		{ .index = -1, .status = REPLAY_CHANGED, .new_message_json = msg },
		{ .index = 3, .status = REPLAY_ERROR },
	};
	struct replay_result res = { .turns = turns, .n = 4, .same = 1, .changed = 2, .errors = 1 };
	CHECK_INT(replay_apply(s, &res), 2);
	CHECK_STR(s->messages[1].text, "new text");
	CHECK(s->messages[1].blocks_json == NULL);
	CHECK_STR(s->messages[3].blocks_json, "[{\"type\":\"text\",\"text\":\"x\"}]");
	CHECK(strstr(s->response_json, "Hi! My name is Claude.") && strstr(s->response_json, "\"at\":\"20"));
	session_free(s);


	struct replay_turn jt[2] = {
		{ .index = 1, .status = REPLAY_CHANGED, .recorded_json = "[{\"type\":\"text\",\"text\":\"a\"}]",
		  .new_json = "[{\"type\":\"text\",\"text\":\"b\"}]", .diff = "@@ -1,1 +1,1 @@\n-a\n+b\n" },
		{ .index = -1, .status = REPLAY_ERROR, .recorded_json = "[]", .error = "HTTP 529 overloaded_error: x",
		  .failure = API_FAIL_HTTP_RETRYABLE },
	};
	struct replay_result jr = { .turns = jt, .n = 2, .changed = 1, .errors = 1 };
	char *j = replay_result_json(&jr);
	CHECK_STR(j, "{\"turns\":[{\"turn\":1,\"status\":\"changed\",\"recorded\":[{\"type\":\"text\",\"text\":\"a\"}],"
		  "\"new\":[{\"type\":\"text\",\"text\":\"b\"}],\"diff\":\"@@ -1,1 +1,1 @@\\n-a\\n+b\\n\",\"error\":null},"
		  "{\"turn\":\"response\",\"status\":\"error\",\"recorded\":[],\"new\":null,\"diff\":null,"
		  "\"error\":\"HTTP 529 overloaded_error: x\"}],\"summary\":{\"same\":0,\"changed\":1,\"errors\":1}}");
	free(j);
	free(msg);
}

static void test_replay_record(void)
{
	make_tmpdir();
	char *path = xasprintf("%s/r.yaml", tmpdir);
	write_file(path, SIMPLE);
	struct preset *p = load_path(path);
	struct stream *st = stream_new(0);
	struct diag_list d;
	diag_list_init(&d);
	/* not complete: nothing written */
	CHECK_INT(replay_record(p, st, 0, NULL, &d), PRESET_SAVE_FAILED);
	char *now = read_file(path, NULL);
	CHECK(now && !strcmp(now, SIMPLE));
	free(now);
	const char *msg = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\","
			  "\"content\":[{\"type\":\"text\",\"text\":\"Hello!\\nTwo lines.\"}],\"stop_reason\":\"end_turn\","
			  "\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":7}}";
	CHECK(stream_take_json(st, msg, strlen(msg)) == 0);
	/* a -s override is for the run only: not written, but kept in the session */
	session_set_var(preset_session(p), "who", "Temp");
	CHECK_INT(replay_record(p, st, 0, NULL, &d), PRESET_SAVED);
	CHECK_STR(session_get_var(preset_session(p), "who"), "Temp");
	now = read_file(path, NULL);
	CHECK(now && !strstr(now, "Temp") && strstr(now, "response:"));
	free(now);
	struct preset *q = load_path(path);
	CHECK(q && preset_session(q)->response_json);
	const char *rj = q ? preset_session(q)->response_json : "";
	CHECK(strstr(rj, "\"content\":[{\"type\":\"text\",\"text\":\"Hello!\\nTwo lines.\"}]") != NULL);
	CHECK(strstr(rj, "\"stop_reason\":\"end_turn\"") && strstr(rj, "\"model\":\"claude-sonnet-4-6\""));
	CHECK(strstr(rj, "\"usage\":{\"input_tokens\":5,\"output_tokens\":7}") && strstr(rj, "\"at\":\"20"));
	preset_free(q);
	diag_list_done(&d);
	stream_free(st);
	preset_free(p);
	free(path);
	rm_rf(tmpdir);
}

int main(void)
{
	RUN(test_round_trip_hostile_each);
	RUN(test_round_trip_hostile_all);
	RUN(test_emit_styles);
	RUN(test_canonical_order_and_numbers);
	RUN(test_shipped_presets);
	RUN(test_load_basic);
	RUN(test_comments);
	RUN(test_top_level_strict);
	RUN(test_unknown_api_fields_pass_through);
	RUN(test_types);
	RUN(test_unquoted_braces);
	RUN(test_syntax_error);
	RUN(test_key_shaped_warning);
	RUN(test_rule_max_tokens);
	RUN(test_rule_sampling);
	RUN(test_rule_thinking);
	RUN(test_rule_api_version);
	RUN(test_rule_tools);
	RUN(test_rule_roles);
	RUN(test_rule_model);
	RUN(test_session_validate_without_file);
	RUN(test_variables);
	RUN(test_save_basic_and_backup);
	RUN(test_save_new_file_and_positions);
	RUN(test_save_symlink);
	RUN(test_save_changed_on_disk);
	RUN(test_save_key_shaped_and_secret);
	RUN(test_save_interrupted);
	RUN(test_save_unwritable_folder);
	RUN(test_save_invalid);
	RUN(test_load_errors);
	RUN(test_eval_keys_load);
	RUN(test_eval_keys_positions_and_shape);
	RUN(test_rows_file);
	RUN(test_deep_nesting_fast);
	RUN(test_load_non_regular);
	RUN(test_save_locked);
	RUN(test_replay_compare);
	RUN(test_replay_diff);
	RUN(test_replay_response_and_apply);
	RUN(test_replay_record);
	return tap_done();
}
