/* pwb batch: the workspace's Message Batches (core/batch.h): list, status,
 * cancel, and the raw results streamed to stdout or a file. Plain output,
 * no progress; the key rules of cli_get_key apply. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/batch.h"
#include "core/buf.h"
#include "core/loop.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: pwb batch list [--json] [--page-size N]\n"
	"       pwb batch status ID [--json]\n"
	"       pwb batch cancel ID\n"
	"       pwb batch results ID [-o FILE]\n"
	"\n"
	"The Message Batches of the key's workspace (ANTHROPIC_API_KEY, else ./.env).\n"
	"\n"
	"  list             every batch, newest first, one per line: id, status,\n"
	"                   created_at, request counts (paging through has_more)\n"
	"  --page-size N    batches asked per page (1-1000, default 100)\n"
	"  status ID        one batch: status, times, request counts, results URL\n"
	"  --json           the API's MessageBatch objects (list: a JSON array)\n"
	"  cancel ID        ask the API to cancel (status becomes canceling)\n"
	"  results ID       the results as JSON Lines, streamed as they arrive\n"
	"  -o FILE          write them to FILE (through a temporary file and a\n"
	"                   rename: FILE is complete or untouched)\n"
	"\n"
	"Exit codes: 0 done, 2 bad input or key, 3 API error, 4 network or\n"
	"protocol, 130 interrupted.\n";

struct ctx {
	struct loop *loop;
	struct api_config cfg;
	struct batch_op *op;
	int done;
	/* results */
	FILE *out;
	const char *key;
	struct buf hold; /* the last bytes, held back until no key can span them */
	int key_seen, write_failed;
};

static void on_done(void *ud, struct batch_op *op)
{
	(void)op;
	((struct ctx *)ud)->done = 1;
}

/* Run the op to its end; Ctrl-C cancels it. Returns 0 or the exit code
 * (printed as "pwb batch WHAT: reason"). */
static int run_op(struct ctx *c, const char *what)
{
	while (!c->done) {
		if (cli_interrupted()) {
			batch_op_cancel(c->op);
			break;
		}
		loop_once(c->loop, 1000);
	}
	enum api_failure f = batch_op_failure(c->op);
	if (cli_interrupted() || f == API_FAIL_CANCELED) {
		fprintf(stderr, "pwb batch %s: interrupted\n", what);
		return EXIT_INTERRUPTED;
	}
	if (f != API_FAIL_NONE) {
		fprintf(stderr, "pwb batch %s: %s\n", what,
			batch_op_error(c->op) ? batch_op_error(c->op) : "failed");
		return cli_exit_code(f);
	}
	return 0;
}

/* Text from the server shown on a terminal line: control bytes become '?'. */
static void put_safe(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		fputc(ch < 32 || ch == 127 ? '?' : ch, f);
	}
}

static int id_shape_ok(const char *id)
{
	size_t n = strlen(id);
	return n > 0 && n <= 200 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static void print_line(const struct batch_info *b)
{
	put_safe(stdout, b->id);
	fputs("  ", stdout);
	put_safe(stdout, b->processing_status ? b->processing_status : "?");
	fputs("  ", stdout);
	put_safe(stdout, b->created_at ? b->created_at : "-");
	printf("  processing=%ld succeeded=%ld errored=%ld canceled=%ld expired=%ld\n",
	       b->counts.processing, b->counts.succeeded, b->counts.errored, b->counts.canceled,
	       b->counts.expired);
}

static void print_field(const char *name, const char *v)
{
	printf("%-20s ", name);
	put_safe(stdout, v ? v : "-");
	fputc('\n', stdout);
}

static void print_status(const struct batch_info *b)
{
	print_field("id", b->id);
	print_field("processing_status", b->processing_status);
	print_field("created_at", b->created_at);
	print_field("expires_at", b->expires_at);
	print_field("ended_at", b->ended_at);
	print_field("cancel_initiated_at", b->cancel_initiated_at);
	print_field("archived_at", b->archived_at);
	printf("%-20s processing=%ld succeeded=%ld errored=%ld canceled=%ld expired=%ld\n",
	       "request_counts", b->counts.processing, b->counts.succeeded, b->counts.errored,
	       b->counts.canceled, b->counts.expired);
	print_field("results_url", b->results_url);
}

static int do_list(struct ctx *c, int json, long page_size)
{
	cJSON *all = json ? cJSON_CreateArray() : NULL;
	char *after = NULL;
	int rc = 0;
	for (;;) {
		c->done = 0;
		c->op = batch_list(c->loop, &c->cfg, page_size, after, on_done, c);
		rc = run_op(c, "list");
		if (rc)
			break;
		size_t n;
		int more;
		const char *last;
		const struct batch_info *items = batch_op_list(c->op, &n, &more, &last);
		if (json) {
			cJSON *page = cJSON_Parse(batch_op_body(c->op)), *item;
			cJSON *data = cJSON_GetObjectItemCaseSensitive(page, "data");
			while (data && (item = cJSON_DetachItemFromArray(data, 0)))
				cJSON_AddItemToArray(all, item);
			cJSON_Delete(page);
		} else {
			for (size_t i = 0; i < n; i++)
				print_line(&items[i]);
		}
		/* A page that says more but gives no cursor would loop forever. */
		if (!more || !last || !n || (after && !strcmp(after, last)))
			break;
		str_set(&after, last);
		batch_op_free(c->op);
		c->op = NULL;
	}
	if (json && rc == 0) {
		char *text = cJSON_PrintUnformatted(all);
		printf("%s\n", text);
		free(text);
	}
	cJSON_Delete(all);
	free(after);
	return rc;
}

static int do_status(struct ctx *c, const char *id, int json)
{
	c->op = batch_get(c->loop, &c->cfg, id, on_done, c);
	int rc = run_op(c, "status");
	if (rc)
		return rc;
	if (json)
		printf("%s\n", batch_op_body(c->op));
	else
		print_status(batch_op_info(c->op));
	return 0;
}

static int do_cancel(struct ctx *c, const char *id)
{
	c->op = batch_cancel(c->loop, &c->cfg, id, on_done, c);
	int rc = run_op(c, "cancel");
	if (rc)
		return rc;
	const struct batch_info *b = batch_op_info(c->op);
	put_safe(stdout, b->id);
	fputs("  ", stdout);
	put_safe(stdout, b->processing_status ? b->processing_status : "?");
	fputc('\n', stdout);
	return 0;
}

static int holds(const char *hay, size_t n, const char *needle, size_t kl)
{
	for (size_t i = 0; i + kl <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, kl))
			return 1;
	return 0;
}

/* Write bytes, keeping back the last strlen(key)-1 so that a key split
 * across chunks is still found before any of it is written. */
static int on_bytes(void *ud, const char *bytes, size_t n)
{
	struct ctx *c = ud;
	buf_append(&c->hold, bytes, n);
	size_t kl = c->key ? strlen(c->key) : 0;
	if (kl >= 4 && holds(c->hold.data, c->hold.len, c->key, kl)) {
		c->key_seen = 1;
		return 1;
	}
	size_t keep = kl > 1 ? kl - 1 : 0;
	if (c->hold.len > keep) {
		size_t w = c->hold.len - keep;
		if (fwrite(c->hold.data, 1, w, c->out) != w) {
			c->write_failed = 1;
			return 1;
		}
		memmove(c->hold.data, c->hold.data + w, keep);
		c->hold.len = keep;
		c->hold.data[keep] = '\0';
	}
	return 0;
}

static int do_results(struct ctx *c, const char *id, const char *path)
{
	char *tmp = NULL;
	c->out = stdout;
	if (path) {
		tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
		c->out = fopen(tmp, "wb");
		if (!c->out) {
			fprintf(stderr, "pwb batch results: cannot write %s: %s\n", tmp, strerror(errno));
			free(tmp);
			return EXIT_INPUT;
		}
	}
	buf_init(&c->hold, 0);
	c->op = batch_results_raw(c->loop, &c->cfg, id, on_bytes, on_done, c);
	int rc = run_op(c, "results");
	if (rc && c->key_seen) {
		fprintf(stderr, "pwb batch results: the results contain the configured API key; "
				"nothing more is written\n");
		rc = EXIT_NETWORK;
	} else if (rc && c->write_failed) {
		fprintf(stderr, "pwb batch results: cannot write: %s\n", strerror(errno));
		rc = EXIT_INPUT;
	}
	if (!rc && c->hold.len && fwrite(c->hold.data, 1, c->hold.len, c->out) != c->hold.len)
		rc = EXIT_INPUT;
	if (path) {
		if (fclose(c->out) != 0 && !rc) {
			fprintf(stderr, "pwb batch results: cannot write %s: %s\n", tmp, strerror(errno));
			rc = EXIT_INPUT;
		}
		if (!rc && rename(tmp, path) != 0) {
			fprintf(stderr, "pwb batch results: cannot rename to %s: %s\n", path,
				strerror(errno));
			rc = EXIT_INPUT;
		}
		if (rc)
			unlink(tmp);
		free(tmp);
	} else if (fflush(stdout) != 0 && !rc) {
		rc = EXIT_INPUT;
	}
	buf_done(&c->hold);
	return rc;
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("pwb batch: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(help, stderr);
	return EXIT_INPUT;
}

int cmd_batch(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "a subcommand is needed: list, status, cancel or results");
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		cli_print_help(help);
		return EXIT_OK;
	}
	int is_list = !strcmp(sub, "list"), is_status = !strcmp(sub, "status");
	int is_cancel = !strcmp(sub, "cancel"), is_results = !strcmp(sub, "results");
	if (!is_list && !is_status && !is_cancel && !is_results)
		return usage_error("unknown subcommand '%s'", sub);
	int json = 0;
	long page_size = 100;
	const char *id = NULL, *out = NULL;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			return EXIT_OK;
		} else if (!strcmp(a, "--json") && (is_list || is_status)) {
			json = 1;
		} else if (!strcmp(a, "--page-size") && is_list) {
			char *end;
			if (i + 1 >= argc)
				return usage_error("%s needs a value", a);
			page_size = strtol(argv[++i], &end, 10);
			if (*end || end == argv[i] || page_size < 1 || page_size > 1000)
				return usage_error("--page-size is 1 to 1000, not '%s'", argv[i]);
		} else if (!strcmp(a, "-o") && is_results) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage_error("%s needs a FILE", a);
			out = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (!id && !is_list) {
			id = a;
		} else {
			return usage_error("unexpected argument '%s'", a);
		}
	}
	if (!is_list && !id)
		return usage_error("%s needs a batch ID", sub);
	if (id && !id_shape_ok(id))
		return usage_error("'%s' is not a batch id (letters, digits, _ and -)", id);

	char *key = NULL;
	int rc = cli_get_key(&key, NULL);
	if (rc)
		return rc;
	struct ctx c = { 0 };
	cli_api_config(&c.cfg, NULL, key);
	c.key = key;
	c.loop = loop_new();
	cli_sigint_install(c.loop, NULL);
	if (is_list)
		rc = do_list(&c, json, page_size);
	else if (is_status)
		rc = do_status(&c, id, json);
	else if (is_cancel)
		rc = do_cancel(&c, id);
	else
		rc = do_results(&c, id, out);
	cli_sigint_remove(c.loop);
	batch_op_free(c.op);
	loop_free(c.loop);
	api_config_done(&c.cfg);
	free(key);
	return rc;
}
