/* Evaluation rows: loading and the checks before sending (evalrows.h). */
#include "core/evalrows.h"
#include "core/diag.h"
#include "core/preset.h"
#include "core/preset-load.h"
#include "core/session.h"
#include "core/testrows.h"
#include "core/util.h"
#include "core/vars.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* A YAML rows file, through the preset loader (positions kept). */
static struct testrows *yaml_rows(void *ud, const char *path, struct diag_list *diags)
{
	(void)ud;
	char *json = NULL;
	struct preset *holder = preset_load_rows(path, &json, diags);
	if (!holder)
		return NULL;
	struct testrows *rows = testrows_from_json(json, path, "", preset_locate_value, holder, diags);
	free(json);
	preset_free(holder);
	return rows;
}

char *evalrows_file_path(const char *tests_json, const char *preset_file)
{
	cJSON *t = tests_json ? cJSON_Parse(tests_json) : NULL;
	char *path = NULL;
	if (cJSON_IsString(t)) {
		/* as testrows_load resolves it */
		const char *rel = t->valuestring;
		if (strncmp(rel, "file://", 7) == 0)
			rel += 7;
		const char *slash = preset_file ? strrchr(preset_file, '/') : NULL;
		if (rel[0] == '/' || !slash)
			path = xstrdup(rel);
		else
			path = xasprintf("%.*s/%s", (int)(slash - preset_file), preset_file, rel);
	}
	cJSON_Delete(t);
	return path;
}

struct testrows *evalrows_load_file(const char *path, struct diag_list *diags)
{
	return testrows_load_file(path, yaml_rows, NULL, diags);
}

struct testrows *evalrows_load(struct preset *p, const char *tests_path, struct diag_list *diags)
{
	struct session *s = preset_session(p);
	const char *file = preset_path(p) ? preset_path(p) : "<stdin>";
	struct testrows *rows;
	if (tests_path) {
		rows = testrows_load_file(tests_path, yaml_rows, NULL, diags);
		if (rows && s->assert_json)
			testrows_add_common(rows, s->assert_json, file, preset_locate_value, p, diags);
	} else if (!s->tests_json) {
		diag_add_at(diags, DIAG_ERROR, file, 0, 0,
			    "no test rows: add tests: to the preset, or give a rows file");
		return NULL;
	} else {
		rows = testrows_load(s->tests_json, s->assert_json, preset_path(p), preset_locate_value,
				     p, yaml_rows, NULL, diags);
	}
	if (rows && !rows->n && !diag_count(diags, DIAG_ERROR))
		diag_add_at(diags, DIAG_ERROR, tests_path ? tests_path : file, 0, 0, "no test rows");
	return rows;
}

struct names {
	char **v;
	size_t n;
};

static void add_name(void *ud, const char *name, size_t len, size_t offset)
{
	(void)offset;
	struct names *u = ud;
	for (size_t i = 0; i < u->n; i++)
		if (strlen(u->v[i]) == len && !memcmp(u->v[i], name, len))
			return;
	u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
	u->v[u->n++] = xstrndup(name, len);
}

int evalrows_check(const struct testrows *rows, const struct session *s, struct diag_list *diags)
{
	struct names u = { 0 };
	if (s->system)
		vars_scan(s->system, add_name, &u);
	if (s->system_blocks_json)
		vars_scan(s->system_blocks_json, add_name, &u);
	for (size_t i = 0; i < s->nmessages; i++) {
		if (s->messages[i].text)
			vars_scan(s->messages[i].text, add_name, &u);
		if (s->messages[i].blocks_json)
			vars_scan(s->messages[i].blocks_json, add_name, &u);
	}
	int n = testrows_validate(rows, (const char *const *)u.v, u.n, s, diags);
	for (size_t i = 0; i < u.n; i++)
		free(u.v[i]);
	free(u.v);
	return n;
}
