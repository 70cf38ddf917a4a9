#include "core/testrows.h"
#include "core/assert-cell.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/session.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- rows ------------------------------------------------------------------ */

static struct testrows *rows_new(void)
{
	return xcalloc(1, sizeof(struct testrows));
}

static struct testrow *rows_add(struct testrows *r)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	struct testrow *row = &r->v[r->n++];
	memset(row, 0, sizeof *row);
	return row;
}

static void row_done(struct testrow *row)
{
	free(row->description);
	for (size_t i = 0; i < row->nvars; i++) {
		free(row->vars[i].name);
		free(row->vars[i].value);
	}
	free(row->vars);
	for (size_t i = 0; i < row->nasserts; i++)
		assertion_free(row->asserts[i]);
	free(row->asserts);
	free(row->file);
	free(row->path);
}

/* Drop the last row (one that turned out unusable). */
static void rows_drop_last(struct testrows *r)
{
	row_done(&r->v[--r->n]);
}

void testrows_free(struct testrows *rows)
{
	if (!rows)
		return;
	for (size_t i = 0; i < rows->n; i++)
		row_done(&rows->v[i]);
	free(rows->v);
	free(rows);
}

static void row_set_var(struct testrow *row, const char *name, const char *value)
{
	for (size_t i = 0; i < row->nvars; i++)
		if (strcmp(row->vars[i].name, name) == 0) {
			str_set(&row->vars[i].value, value);
			return;
		}
	row->vars = xrealloc(row->vars, (row->nvars + 1) * sizeof *row->vars);
	row->vars[row->nvars].name = xstrdup(name);
	row->vars[row->nvars].value = xstrdup(value);
	row->nvars++;
}

static void row_add_assert(struct testrow *row, struct assertion *a)
{
	row->asserts = xrealloc(row->asserts, (row->nasserts + 1) * sizeof *row->asserts);
	row->asserts[row->nasserts++] = a;
}

const char *testrow_var(const struct testrow *row, const char *name)
{
	for (size_t i = 0; i < row->nvars; i++)
		if (strcmp(row->vars[i].name, name) == 0)
			return row->vars[i].value;
	return NULL;
}

struct session_var *testrow_merged_vars(const struct testrow *row, const struct session *s,
					size_t *n)
{
	size_t ns = s ? s->nvars : 0;
	struct session_var *v = xmalloc((ns + row->nvars + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < ns; i++) {
		const char *own = testrow_var(row, s->vars[i].name);
		v[k].name = s->vars[i].name;
		v[k].value = own ? (char *)own : s->vars[i].value;
		k++;
	}
	for (size_t i = 0; i < row->nvars; i++) {
		size_t j;
		for (j = 0; j < ns; j++)
			if (strcmp(s->vars[j].name, row->vars[i].name) == 0)
				break;
		if (j == ns)
			v[k++] = row->vars[i];
	}
	*n = k;
	return v;
}

/* --- JSON rows --------------------------------------------------------------- */

static void locate_path(assert_locate_fn locate, void *ud, const char *path, int *line,
			int *col)
{
	*line = *col = 0;
	if (locate && path)
		locate(ud, path, line, col);
}

/* A variable's value as text: strings as they are, numbers and booleans as
 * written; NULL for lists, objects and null. */
static char *var_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		char *t = cJSON_PrintUnformatted(v);
		char *r = xstrdup(t);
		cJSON_free(t);
		return r;
	}
	return NULL;
}

/* Fill row from a row object; path names it ("tests[3]"). Returns 0 when
 * the row has errors. */
static int row_from_object(struct testrow *row, const cJSON *o, const char *file,
			   const char *path, assert_locate_fn locate, void *ud,
			   struct diag_list *diags)
{
	int line, col;
	locate_path(locate, ud, path, &line, &col);
	row->file = xstrdup(file);
	row->line = line;
	row->path = xstrdup(path);
	if (!cJSON_IsObject(o)) {
		diag_add_at(diags, DIAG_ERROR, file, line, col,
			    "%s: a row is an object with vars, assert and description", path);
		return 0;
	}
	int ok = 1;
	for (const cJSON *k = o->child; k; k = k->next) {
		char *kpath = xasprintf("%s.%s", path, k->string);
		int kl, kc;
		locate_path(locate, ud, kpath, &kl, &kc);
		if (strcmp(k->string, "description") == 0) {
			char *t = var_text(k);
			if (!t) {
				diag_add_at(diags, DIAG_ERROR, file, kl, kc,
					    "%s: the description must be text", kpath);
				ok = 0;
			}
			str_set(&row->description, t);
			free(t);
		} else if (strcmp(k->string, "vars") == 0) {
			if (!cJSON_IsObject(k)) {
				diag_add_at(diags, DIAG_ERROR, file, kl, kc,
					    "%s: vars must be a map of names to values", kpath);
				ok = 0;
			}
			for (const cJSON *v = cJSON_IsObject(k) ? k->child : NULL; v; v = v->next) {
				char *t = var_text(v);
				if (!t) {
					char *vpath = xasprintf("%s.%s", kpath, v->string);
					int vl, vc;
					locate_path(locate, ud, vpath, &vl, &vc);
					diag_add_at(diags, DIAG_ERROR, file, vl, vc,
						    "%s: a variable's value must be text (lists of "
						    "values are not expanded into rows)", vpath);
					free(vpath);
					ok = 0;
					continue;
				}
				row_set_var(row, v->string, t);
				free(t);
			}
		} else if (strcmp(k->string, "assert") == 0) {
			if (!cJSON_IsArray(k)) {
				diag_add_at(diags, DIAG_ERROR, file, kl, kc,
					    "%s: assert must be a list", kpath);
				ok = 0;
			}
			int j = 0;
			for (const cJSON *a = cJSON_IsArray(k) ? k->child : NULL; a; a = a->next, j++) {
				char *apath = xasprintf("%s[%d]", kpath, j);
				char *aj = cJSON_PrintUnformatted(a);
				size_t before = diag_count(diags, DIAG_ERROR);
				struct assertion *as =
					assertion_from_json(aj, file, apath, locate, ud, diags);
				if (as)
					row_add_assert(row, as);
				if (!as || diag_count(diags, DIAG_ERROR) > before)
					ok = 0;
				cJSON_free(aj);
				free(apath);
			}
		} else {
			diag_add_at(diags, DIAG_WARNING, file, kl, kc,
				    "%s: '%s' is not used by pwb and is ignored", path, k->string);
		}
		free(kpath);
	}
	return ok;
}

struct testrows *testrows_from_json(const char *rows_json, const char *file,
				    const char *path_prefix, assert_locate_fn locate,
				    void *locate_ud, struct diag_list *diags)
{
	cJSON *arr = rows_json ? cJSON_Parse(rows_json) : NULL;
	if (!cJSON_IsArray(arr)) {
		int line, col;
		locate_path(locate, locate_ud, path_prefix, &line, &col);
		diag_add_at(diags, DIAG_ERROR, file, line, col,
			    "%s: the rows must be a list", path_prefix && *path_prefix ? path_prefix
										: "tests");
		cJSON_Delete(arr);
		return NULL;
	}
	struct testrows *rows = rows_new();
	int i = 0;
	for (const cJSON *o = arr->child; o; o = o->next, i++) {
		char *path = xasprintf("%s[%d]", path_prefix ? path_prefix : "", i);
		struct testrow *row = rows_add(rows);
		if (!row_from_object(row, o, file, path, locate, locate_ud, diags))
			rows_drop_last(rows);
		free(path);
	}
	cJSON_Delete(arr);
	return rows;
}

/* JSON Lines: every path of a line's row is on that line. */
static int line_locate(void *ud, const char *path, int *line, int *col)
{
	(void)path;
	*line = *(const int *)ud;
	*col = 0;
	return 1;
}

struct testrows *testrows_parse_jsonl(const char *file, const char *data, size_t len,
				      struct diag_list *diags)
{
	struct testrows *rows = rows_new();
	const char *p = data, *end = data + len;
	int line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *q = p;
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < le) {
			cJSON *o = cJSON_ParseWithLength(p, (size_t)(le - p));
			if (!o) {
				diag_add_at(diags, DIAG_ERROR, file, line, 0,
					    "line %d is not a JSON object", line);
			} else {
				struct testrow *row = rows_add(rows);
				if (!row_from_object(row, o, file, "row", line_locate, &line, diags))
					rows_drop_last(rows);
				cJSON_Delete(o);
			}
		}
		p = nl ? nl + 1 : end;
	}
	return rows;
}

/* --- CSV ----------------------------------------------------------------------- */

enum column_kind { COL_VAR, COL_EXPECTED, COL_DESCRIPTION };

struct csv_reader {
	const char *file;
	struct diag_list *diags;
	struct testrows *rows;
	/* the record being read */
	char **cells;
	size_t ncells, acells;
	int start_line;  /* the line where the current record starts; 0 between records */
	int line;        /* the line being fed to libcsv */
	/* the header */
	char **names;
	enum column_kind *kinds;
	size_t ncols;
	int have_header;
	int header_ok;
};

static void csv_on_cell(void *s, size_t len, void *ud)
{
	struct csv_reader *r = ud;
	if (!r->start_line) /* a record after a lone CR, mid-line */
		r->start_line = r->line;
	if (r->ncells == r->acells) {
		r->acells = r->acells ? 2 * r->acells : 8;
		r->cells = xrealloc(r->cells, r->acells * sizeof *r->cells);
	}
	r->cells[r->ncells++] = xstrndup(s ? s : "", s ? len : 0);
}

static char *trim_copy(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

static void read_header(struct csv_reader *r, int line)
{
	r->have_header = 1;
	r->header_ok = 1;
	r->ncols = r->ncells;
	r->names = xcalloc(r->ncols, sizeof *r->names);
	r->kinds = xcalloc(r->ncols, sizeof *r->kinds);
	for (size_t i = 0; i < r->ncols; i++) {
		char *name = trim_copy(r->cells[i]);
		r->names[i] = name;
		if (strncmp(name, "__expected", 10) == 0) {
			r->kinds[i] = COL_EXPECTED;
		} else if (strcmp(name, "__description") == 0) {
			r->kinds[i] = COL_DESCRIPTION;
		} else if (strncmp(name, "__", 2) == 0) {
			diag_add_at(r->diags, DIAG_ERROR, r->file, line, 0,
				    "column %zu '%s' is not supported: pwb reads __expected... "
				    "(assertions), __description and variable columns", i + 1, name);
			r->header_ok = 0;
		} else if (!*name) {
			diag_add_at(r->diags, DIAG_ERROR, r->file, line, 0,
				    "column %zu has no name in the header", i + 1);
			r->header_ok = 0;
		} else {
			r->kinds[i] = COL_VAR;
			for (size_t j = 0; j < i; j++)
				if (strcmp(r->names[j], name) == 0) {
					diag_add_at(r->diags, DIAG_ERROR, r->file, line, 0,
						    "column '%s' appears twice in the header", name);
					r->header_ok = 0;
				}
		}
	}
}

static void read_row(struct csv_reader *r, int line)
{
	if (r->ncells != r->ncols) {
		diag_add_at(r->diags, DIAG_ERROR, r->file, line, 0,
			    "the row has %zu cell%s, the header has %zu", r->ncells,
			    r->ncells == 1 ? "" : "s", r->ncols);
		return;
	}
	if (!r->header_ok)
		return;
	struct testrow *row = rows_add(r->rows);
	row->file = xstrdup(r->file);
	row->line = line;
	int ok = 1;
	for (size_t i = 0; i < r->ncols; i++) {
		const char *cell = r->cells[i];
		if (r->kinds[i] == COL_VAR) {
			row_set_var(row, r->names[i], cell);
		} else if (r->kinds[i] == COL_DESCRIPTION) {
			char *d = trim_copy(cell);
			str_set(&row->description, *d ? d : NULL);
			free(d);
		} else {
			char *err = NULL;
			struct assertion *a = assertion_from_cell(cell, &err);
			if (err) {
				diag_add_at(r->diags, DIAG_ERROR, r->file, line, 0, "%s: %s",
					    r->names[i], err);
				free(err);
				ok = 0;
			}
			if (!a)
				continue;
			assertion_set_position(a, r->file, line, 0, r->names[i]);
			if (assertion_validate(a, r->diags))
				ok = 0;
			row_add_assert(row, a);
		}
	}
	if (!ok)
		rows_drop_last(r->rows);
}

static void csv_on_record(int c, void *ud)
{
	(void)c;
	struct csv_reader *r = ud;
	int line = r->start_line ? r->start_line : r->line;
	if (!r->have_header)
		read_header(r, line);
	else
		read_row(r, line);
	for (size_t i = 0; i < r->ncells; i++)
		free(r->cells[i]);
	r->ncells = 0;
	r->start_line = 0;
}

/* Cells are kept exactly: libcsv would otherwise drop spaces around them. */
static int csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

struct testrows *testrows_parse_csv(const char *file, const char *data, size_t len,
				    struct diag_list *diags)
{
	struct csv_reader r = { .file = file, .diags = diags, .rows = rows_new() };
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		abort();
	csv_set_space_func(&p, csv_no_space);
	/* Fed one line at a time so that the line a record starts on is known
	 * (libcsv reports no positions); a record may span lines. */
	const char *s = data, *end = data + len;
	int line = 0, failed = 0;
	while (s < end && !failed) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		r.line = ++line;
		int blank = 1;
		for (size_t i = 0; i < n && blank; i++)
			blank = s[i] == '\r' || s[i] == '\n';
		if (!r.start_line && !blank)
			r.start_line = line;
		if (csv_parse(&p, s, n, csv_on_cell, csv_on_record, &r) != n) {
			diag_add_at(diags, DIAG_ERROR, file, line, 0, "CSV: %s",
				    csv_strerror(csv_error(&p)));
			failed = 1;
		}
		s += n;
	}
	/* A final newline ends a last record written without one; if a quoted
	 * cell is still open after it, its closing quote is missing (libcsv
	 * would take the cell as it is). */
	if (!failed && csv_parse(&p, "\n", 1, csv_on_cell, csv_on_record, &r) == 1 && p.quoted)
		diag_add_at(diags, DIAG_ERROR, file, r.start_line ? r.start_line : line, 0,
			    "CSV: a quoted cell is not closed before the end of the file");
	else if (!failed)
		csv_fini(&p, csv_on_cell, csv_on_record, &r);
	csv_free(&p);
	if (!r.have_header && !failed)
		diag_add_at(diags, DIAG_ERROR, file, 0, 0, "the CSV file has no header row");
	for (size_t i = 0; i < r.ncells; i++)
		free(r.cells[i]);
	free(r.cells);
	for (size_t i = 0; i < r.ncols; i++)
		free(r.names[i]);
	free(r.names);
	free(r.kinds);
	return r.rows;
}

/* --- files ------------------------------------------------------------------------ */

/* Read a whole file into a malloc'd buffer. NULL with an error in diags. */
static char *read_whole(const char *path, size_t *len, struct diag_list *diags)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_add_at(diags, DIAG_ERROR, path, 0, 0, "cannot read the rows file: %s",
			    strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b, 0);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	int err = ferror(f);
	fclose(f);
	if (err) {
		diag_add_at(diags, DIAG_ERROR, path, 0, 0, "cannot read the rows file");
		buf_done(&b);
		return NULL;
	}
	*len = b.len;
	return buf_take(&b);
}

static int has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);
	return n > e && strcmp(path + n - e, ext) == 0;
}

struct testrows *testrows_load_file(const char *path, testrows_yaml_fn yaml, void *yaml_ud,
				    struct diag_list *diags)
{
	int csv = has_ext(path, ".csv"), jsonl = has_ext(path, ".jsonl");
	if (has_ext(path, ".yaml") || has_ext(path, ".yml")) {
		if (yaml)
			return yaml(yaml_ud, path, diags);
		diag_add_at(diags, DIAG_ERROR, path, 0, 0,
			    "YAML rows files are read by the preset loader, which is not "
			    "available here");
		return NULL;
	}
	if (!csv && !jsonl) {
		diag_add_at(diags, DIAG_ERROR, path, 0, 0,
			    "a rows file must end in .csv, .jsonl, .yaml or .yml");
		return NULL;
	}
	size_t len = 0;
	char *data = read_whole(path, &len, diags);
	if (!data)
		return NULL;
	struct testrows *rows = csv ? testrows_parse_csv(path, data, len, diags)
				    : testrows_parse_jsonl(path, data, len, diags);
	free(data);
	return rows;
}

void testrows_add_common(struct testrows *rows, const char *assert_json, const char *file,
			 assert_locate_fn locate, void *locate_ud, struct diag_list *diags)
{
	cJSON *arr = assert_json ? cJSON_Parse(assert_json) : NULL;
	if (!arr)
		return;
	if (!cJSON_IsArray(arr)) {
		int line, col;
		locate_path(locate, locate_ud, "assert", &line, &col);
		diag_add_at(diags, DIAG_ERROR, file, line, col, "assert: must be a list");
		cJSON_Delete(arr);
		return;
	}
	struct assertion **common = NULL;
	size_t n = 0;
	int j = 0;
	for (const cJSON *a = arr->child; a; a = a->next, j++) {
		char *path = xasprintf("assert[%d]", j);
		char *aj = cJSON_PrintUnformatted(a);
		struct assertion *as = assertion_from_json(aj, file, path, locate, locate_ud, diags);
		if (as) {
			common = xrealloc(common, (n + 1) * sizeof *common);
			common[n++] = as;
		}
		cJSON_free(aj);
		free(path);
	}
	cJSON_Delete(arr);
	for (size_t i = 0; i < rows->n && n; i++) {
		struct testrow *row = &rows->v[i];
		struct assertion **all = xmalloc((n + row->nasserts) * sizeof *all);
		for (size_t k = 0; k < n; k++)
			all[k] = assertion_copy(common[k]);
		if (row->nasserts)
			memcpy(all + n, row->asserts, row->nasserts * sizeof *all);
		free(row->asserts);
		row->asserts = all;
		row->nasserts += n;
	}
	for (size_t k = 0; k < n; k++)
		assertion_free(common[k]);
	free(common);
}

struct testrows *testrows_load(const char *tests_json, const char *assert_json,
			       const char *preset_file, assert_locate_fn locate,
			       void *locate_ud, testrows_yaml_fn yaml, void *yaml_ud,
			       struct diag_list *diags)
{
	if (!tests_json)
		return rows_new();
	cJSON *t = cJSON_Parse(tests_json);
	struct testrows *rows = NULL;
	if (cJSON_IsString(t)) {
		/* a path relative to the preset's directory */
		const char *rel = t->valuestring;
		if (strncmp(rel, "file://", 7) == 0) /* promptfoo's way to name a file */
			rel += 7;
		char *path;
		const char *slash = preset_file ? strrchr(preset_file, '/') : NULL;
		if (rel[0] == '/' || !slash)
			path = xstrdup(rel);
		else
			path = xasprintf("%.*s/%s", (int)(slash - preset_file), preset_file, rel);
		rows = testrows_load_file(path, yaml, yaml_ud, diags);
		free(path);
	} else {
		rows = testrows_from_json(tests_json, preset_file, "tests", locate, locate_ud, diags);
	}
	cJSON_Delete(t);
	if (rows)
		testrows_add_common(rows, assert_json, preset_file, locate, locate_ud, diags);
	return rows;
}

/* --- validation ----------------------------------------------------------------------- */

int testrows_validate(const struct testrows *rows, const char *const *used, size_t nused,
		      const struct session *s, struct diag_list *diags)
{
	int errors = 0;
	for (size_t i = 0; i < rows->n; i++) {
		const struct testrow *row = &rows->v[i];
		for (size_t u = 0; u < nused; u++) {
			if (testrow_var(row, used[u]))
				continue;
			size_t k;
			for (k = 0; s && k < s->nvars; k++)
				if (strcmp(s->vars[k].name, used[u]) == 0)
					break;
			if (s && k < s->nvars)
				continue;
			char *label = row->path ? xstrdup(row->path)
						: xasprintf("the row at line %d", row->line);
			struct diag *d = diag_add_at(
				diags, DIAG_ERROR, row->file, row->line, 0,
				"%s%s%s%s: the prompt uses {{%s}} but neither the row nor "
				"variables: gives it a value", label, row->description ? " (" : "",
				row->description ? row->description : "", row->description ? ")" : "",
				used[u]);
			free(label);
			if (row->path)
				str_set(&d->path, row->path);
			errors++;
		}
	}
	return errors;
}
