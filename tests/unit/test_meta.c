/* core/meta: the shipped meta-prompts (valid, canonical, forcing their
 * tool), reading a forced tool call, applying a generate or improve
 * proposal (and refusing one that touches the tests), the failures text,
 * and where meta-prompts are found. */
#include "core/buf.h"
#include "core/diag.h"
#include "core/file.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root_dir(void)
{
	const char *r = getenv("PWB_ROOT");
	return r && *r ? r : ".";
}

static char *slurp(const char *path)
{
	struct buf b;
	buf_init(&b, 0);
	if (file_read_regular(path, &b, NULL) < 0) {
		buf_done(&b);
		return NULL;
	}
	return buf_take(&b);
}

static void test_shipped_meta_prompts(void)
{
	const char *names[] = { "generate", "improve" };
	const char *tools[] = { "write_prompt", "propose_prompt" };
	for (size_t i = 0; i < 2; i++) {
		char *path = xasprintf("%s/presets/meta/%s.yaml", root_dir(), names[i]);
		struct diag_list d;
		diag_list_init(&d);
		struct preset *p = preset_load_file(path, &d);
		CHECK(p != NULL);
		if (p)
			preset_validate(p, &d);
		CHECK_INT(d.n, 0);
		if (p) {
			/* kept canonical, like every shipped preset */
			char *y = preset_emit(preset_session(p));
			char *raw = slurp(path);
			CHECK(raw && !strcmp(raw, y));
			char *tool = meta_forced_tool(preset_session(p));
			CHECK_STR(tool, tools[i]);
			free(tool);
			free(raw);
			free(y);
		}
		preset_free(p);
		diag_list_done(&d);
		free(path);
	}
}

static void test_find_override(void)
{
	char tmpl[] = "/tmp/pwb-meta-XXXXXX";
	char *dir = mkdtemp(tmpl);
	CHECK(dir != NULL);
	char *old = xstrdup(getenv("XDG_CONFIG_HOME"));
	setenv("XDG_CONFIG_HOME", dir, 1);
	char *meta = xasprintf("%s/pwb/meta", dir);
	char *pwbdir = xasprintf("%s/pwb", dir);
	mkdir(pwbdir, 0700);
	mkdir(meta, 0700);
	char *file = xasprintf("%s/generate.yaml", meta);
	FILE *f = fopen(file, "w");
	fputs("pwb: 1\nmodel: m\nmax_tokens: 5\nmessages:\n- role: user\n  content: hi\n", f);
	fclose(f);
	char *found = meta_find("generate");
	CHECK_STR(found, file);
	free(found);
	/* a file without a forced tool is refused by meta_load */
	struct diag_list d;
	diag_list_init(&d);
	CHECK(meta_load("generate", &d) == NULL);
	CHECK(d.n >= 1 && strstr(d.v[d.n - 1].message, "must force one tool"));
	diag_list_done(&d);
	unlink(file);
	rmdir(meta);
	rmdir(pwbdir);
	rmdir(dir);
	if (old)
		setenv("XDG_CONFIG_HOME", old, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(old);
	free(file);
	free(meta);
	free(pwbdir);
}

static void test_tool_input(void)
{
	char *err = NULL;
	char *in = meta_tool_input("{\"content\":[{\"type\":\"text\",\"text\":\"x\"},"
				   "{\"type\":\"tool_use\",\"name\":\"t\",\"input\":{\"a\":1}}]}",
				   "t", &err);
	CHECK_STR(in, "{\"a\":1}");
	free(in);
	in = meta_tool_input("{\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}", "t", &err);
	CHECK(in == NULL);
	CHECK_STR(err, "the answer does not call the t tool");
	free(err);
	err = NULL;
	in = meta_tool_input("not json", "t", &err);
	CHECK(in == NULL && err);
	free(err);
}

static void test_generate_apply(void)
{
	struct session *s = session_new();
	char *err = NULL;
	int rc = meta_generate_apply(
		"{\"name\":\"N\",\"system\":\"About {{topic}}.\",\"user\":\"Q: {{q}}\","
		"\"max_tokens\":200,\"temperature\":0,\"tests\":["
		"{\"description\":\"d1\",\"vars\":{\"q\":\"one\",\"topic\":\"cats\",\"n\":3}},"
		"{\"vars\":{\"q\":\"two\",\"topic\":\"dogs\"},\"assert\":[{\"type\":\"contains\",\"value\":\"x\"}]}],"
		"\"assert\":[{\"type\":\"not-contains\",\"value\":\"Sorry\"}]}",
		s, &err);
	CHECK_INT(rc, 0);
	CHECK_STR(s->name, "N");
	CHECK_STR(s->system, "About {{topic}}.");
	CHECK_INT(s->nmessages, 1);
	CHECK_STR(s->messages[0].text, "Q: {{q}}");
	CHECK_STR(s->max_tokens, "200");
	CHECK_STR(s->temperature, "0");
	CHECK_STR(session_get_var(s, "topic"), "cats");
	CHECK_STR(session_get_var(s, "q"), "one");
	CHECK(session_get_var(s, "n") == NULL); /* not used by the prompt */
	CHECK_STR(s->tests_json, "[{\"description\":\"d1\",\"vars\":{\"q\":\"one\",\"topic\":\"cats\","
				 "\"n\":\"3\"}},{\"vars\":{\"q\":\"two\",\"topic\":\"dogs\"},"
				 "\"assert\":[{\"type\":\"contains\",\"value\":\"x\"}]}]");
	CHECK_STR(s->assert_json, "[{\"type\":\"not-contains\",\"value\":\"Sorry\"}]");
	session_free(s);

	s = session_new();
	rc = meta_generate_apply("{\"user\":\"{{a}} {{b}}\",\"tests\":[{\"vars\":{\"a\":\"1\"}}]}", s,
				 &err);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "test row 1 has no value for {{b}}");
	free(err);
	rc = meta_generate_apply("{\"user\":\"hi\",\"tests\":[]}", s, &err);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "the answer has no test rows");
	free(err);
	rc = meta_generate_apply("{\"system\":\"s\",\"tests\":[{\"vars\":{}}]}", s, &err);
	CHECK_INT(rc, -1);
	CHECK_STR(err, "the answer has no user turn");
	free(err);
	rc = meta_generate_apply("{\"user\":\"hi\",\"max_tokens\":0.5,\"tests\":[{}]}", s, &err);
	CHECK_INT(rc, -1);
	free(err);
	session_free(s);
}

static struct session *improvable(void)
{
	struct session *s = session_new();
	str_set(&s->model, "m");
	str_set(&s->max_tokens, "100");
	str_set(&s->system, "old");
	session_add_message(s, "user", "Q {{x}}", NULL);
	str_set(&s->tests_json, "[{\"vars\":{\"x\":\"a\"}}]");
	str_set(&s->assert_json, "[{\"type\":\"contains\",\"value\":\"a\"}]");
	str_set(&s->response_json, "{\"content\":[]}");
	return s;
}

static void test_improve_apply(void)
{
	struct session *s = improvable();
	char *changes = NULL, *err = NULL;
	int rc = meta_improve_apply(
		"{\"system\":\"new\",\"messages\":[{\"role\":\"user\",\"content\":\"Q {{x}}!\"},"
		"{\"role\":\"assistant\",\"content\":\"A:\"}],\"temperature\":0.5,"
		"\"tests\":[{\"vars\":{\"x\":\"a\"}}],"
		"\"changes\":[{\"change\":\"c1\",\"reason\":\"r1\"},\"c2\"]}",
		s, &changes, &err);
	CHECK_INT(rc, 0);
	CHECK_STR(changes, "- c1: r1\n- c2\n");
	CHECK_STR(s->system, "new");
	CHECK_INT(s->nmessages, 2);
	CHECK_STR(s->messages[1].text, "A:");
	CHECK_STR(s->temperature, "0.5");
	CHECK_STR(s->max_tokens, "100");
	CHECK(s->response_json == NULL);
	CHECK_STR(s->tests_json, "[{\"vars\":{\"x\":\"a\"}}]"); /* untouched */
	free(changes);
	session_free(s);

	const char *refused[] = {
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tests\":[]}",
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"assert\":[]}",
		"{\"tests\":[{\"vars\":{\"x\":\"b\"}}]}",
		"{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
		"{\"messages\":[]}",
		"[1]",
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		s = improvable();
		rc = meta_improve_apply(refused[i], s, &changes, &err);
		CHECK_INT(rc, -1);
		CHECK(err != NULL && changes == NULL);
		CHECK_STR(s->system, "old");
		if (i < 3)
			CHECK(err && strstr(err, "tests: or assert:"));
		free(err);
		err = NULL;
		session_free(s);
	}
	/* no tests in the preset: an empty list back is no change */
	s = improvable();
	str_set(&s->tests_json, NULL);
	rc = meta_improve_apply("{\"tests\":[],\"changes\":[]}", s, &changes, &err);
	CHECK_INT(rc, 0);
	CHECK_STR(changes, "");
	free(changes);
	session_free(s);
}

static void test_texts(void)
{
	struct session *s = improvable();
	char *p = meta_prompt_text(s);
	CHECK(p && strstr(p, "content: Q {{x}}") && !strstr(p, "tests:") && !strstr(p, "assert:") &&
	      !strstr(p, "response:"));
	char *t = meta_tests_text(s);
	CHECK(t && !strncmp(t, "assert:", 7) && strstr(t, "tests:") && !strstr(t, "model:"));
	free(p);
	free(t);
	session_free(s);

	char *none = meta_failures_text(NULL, 0);
	CHECK_STR(none, "(none)");
	free(none);
	struct meta_failure f = {
		.row = 2, .description = "third", .vars_json = "{\"x\":\"two\\nlines\"}",
		.outcome = "failed", .output = "A: b",
		.assertions_json = "[{\"type\":\"contains\",\"value\":\"a\",\"pass\":true,\"reason\":\"ok\"},"
				   "{\"type\":\"equals\",\"value\":\"z\",\"pass\":false,\"reason\":\"not z\"}]",
	};
	char *text = meta_failures_text(&f, 1);
	CHECK_STR(text, "row 3 (third): failed\n"
			"  variables:\n"
			"    x:\n"
			"      | two\n"
			"      | lines\n"
			"  answer:\n"
			"    | A: b\n"
			"  failed assertions:\n"
			"    - equals \"z\": not z\n");
	free(text);
}

int main(void)
{
	RUN(test_shipped_meta_prompts);
	RUN(test_find_override);
	RUN(test_tool_input);
	RUN(test_generate_apply);
	RUN(test_improve_apply);
	RUN(test_texts);
	return tap_done();
}
